"""Threads per TensorFlow op: half the usable cores unless the user chose (dprnn/tf_import.py)."""
import functools
import os
import subprocess
import sys

from conftest import ROOT

REPORT = """
import os
import dprnn, tensorflow as tf
x = tf.random.normal((256, 256))
tf.function(lambda a: tf.matmul(a, a))(x).numpy()
print(os.environ["TF_NUM_INTRAOP_THREADS"], len(os.listdir("/proc/self/task")))
"""


@functools.lru_cache(maxsize=None)
def run_report(threads=None):
    env = {k: v for k, v in os.environ.items() if k != "TF_NUM_INTRAOP_THREADS"}
    if threads is not None:
        env["TF_NUM_INTRAOP_THREADS"] = str(threads)
    out = subprocess.run([sys.executable, "-c", REPORT], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return out[0], int(out[1])


def test_default_is_half_the_usable_cores_and_a_user_value_wins():
    from dprnn.tf_import import default_intra_op_threads, usable_cores

    assert default_intra_op_threads() == max(1, usable_cores() // 2)
    assert run_report()[0] == str(default_intra_op_threads())
    assert run_report(3)[0] == "3"


def test_tensorflow_sizes_its_op_thread_pool_from_the_setting():
    # The mechanism the default relies on: two more threads per op means two more threads in the pool.
    assert run_report(3)[1] - run_report(1)[1] == 2
