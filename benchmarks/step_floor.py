"""How fast a training step of the original architecture could be on this machine: its arithmetic
against the best matrix-product rate TensorFlow reaches here, side by side with the real step.

1. FLOPs of one step's matrix products (`dprnn.bench.training_step_flops`: LSTMs and dense layers,
   forward and backward), at N=64, L=2, K=256, 200 units, 3 blocks, batch 2, 4096 samples.
2. The machine's matrix-product rate in TensorFlow: 2048^3 float32 products with every core, and
   two at once with one thread each (how the training step runs its two LSTM directions).
3. The real training step (`python -m dprnn bench`, project defaults), profiled: the CPU time
   spent in matrix products and in everything else (TensorFlow's profiler, one op at a time).

Each measurement runs in a fresh process (thread settings only apply before TensorFlow starts).

    .venv/bin/python benchmarks/step_floor.py [--steps 4]
"""
import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def child_gemm(threads_env):
    import dprnn  # noqa: F401  (quiet TensorFlow start)
    import tensorflow as tf

    size, reps = 2048, 8
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))

    @tf.function
    def products(a, b):
        # Two independent products: with one thread per op the runtime runs them on two cores.
        return tf.reduce_sum(tf.matmul(a, b)[:1]) + tf.reduce_sum(tf.matmul(b, a)[:1])

    products(a, b).numpy()
    start = time.perf_counter()
    for _ in range(reps):
        products(a, b).numpy()
    seconds = time.perf_counter() - start
    return {"gflops": 2 * 2 * size**3 * reps / seconds / 1e9, "threads": threads_env}


def child_profile(steps):
    import dprnn
    import numpy as np
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    from dprnn.bench import make_trainable

    model = make_trainable(dprnn.DPRNNConfig())
    rng = np.random.default_rng(0)
    sources = rng.standard_normal((2, 2, 4096)).astype(np.float32) * 0.1
    mixture = sources.sum(axis=1)
    for _ in range(3):
        model.train_on_batch(mixture, sources)
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start = time.perf_counter()
        for _ in range(steps):
            model.train_on_batch(mixture, sources)
        wall = (time.perf_counter() - start) / steps
        tf.profiler.experimental.stop()
        space = xplane_pb2.XSpace()
        with open(glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)[0], "rb") as f:
            space.ParseFromString(f.read())
    per_op = collections.Counter()
    for plane in space.planes:
        names = {k: v.name for k, v in plane.event_metadata.items()}
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):      # the inter-op threads that run ops
                continue
            for event in line.events:
                # "name:OpType" for an op, a bare word for the executor's own events
                op_type = names.get(event.metadata_id, "?").split(":")[-1]
                per_op[op_type] += event.duration_ps / 1e12 / steps
    threads = sum(1 for plane in space.planes for line in plane.lines if line.name.startswith("tf_Compute"))
    busy = per_op.pop("Process", 0.0)                        # one event per executed op batch
    matmul = sum(v for k, v in per_op.items() if k in ("MatMul", "BatchMatMulV2", "_MklMatMul"))
    return {"step_seconds": wall, "busy_cpu_seconds": busy, "matmul_cpu_seconds": matmul, "threads": threads}


def run_child(mode, env_extra, *extra):
    env = {k: v for k, v in os.environ.items() if k != "TF_NUM_INTRAOP_THREADS"}
    env.update(env_extra)
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", mode, *extra], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--child", choices=["gemm", "profile"])
    args = parser.parse_args()
    if args.child == "gemm":
        print(json.dumps(child_gemm(os.environ.get("TF_NUM_INTRAOP_THREADS"))))
        return
    if args.child == "profile":
        print(json.dumps(child_profile(args.steps)))
        return

    import dprnn
    from dprnn.bench import training_step_flops

    config = dprnn.DPRNNConfig()
    flops = training_step_flops(config, 2, 4096)["step"]
    audio = 2 * 4096 / config.sample_rate
    gemm_all = run_child("gemm", {"TF_NUM_INTRAOP_THREADS": "0"})["gflops"]
    gemm_one = run_child("gemm", {"TF_NUM_INTRAOP_THREADS": "1"})["gflops"]
    prof = run_child("profile", {}, "--steps", str(args.steps))
    best = max(gemm_all, gemm_one)
    floor = flops / (best * 1e9)
    step = prof["step_seconds"]
    print(f"matrix products per step:            {flops / 1e9:7.1f} GFLOP")
    print(f"2048^3 products, every core per op:  {gemm_all:7.1f} GFLOP/s")
    print(f"two at once, one thread each:        {gemm_one:7.1f} GFLOP/s")
    print(f"floor (all arithmetic at that rate): {floor:7.3f} s/step = {audio / floor:5.2f} audio s/s")
    print(f"measured step (profiled):            {step:7.3f} s/step = {audio / step:5.2f} audio s/s "
          f"({step / floor:.2f}x the floor)")
    print(f"  CPU time in matrix products:       {prof['matmul_cpu_seconds']:7.3f} s "
          f"({flops / prof['matmul_cpu_seconds'] / 1e9:5.1f} GFLOP/s per busy thread)")
    print(f"  CPU time in everything else:       {prof['busy_cpu_seconds'] - prof['matmul_cpu_seconds']:7.3f} s")
    alone = prof["matmul_cpu_seconds"] / max(1, prof["threads"])
    print(f"matrix products alone, at that rate, on {prof['threads']} threads: {alone:.3f} s/step = "
          f"{audio / alone:.2f} audio s/s with nothing else taking any time")
    print(f"1.8 audio s/s needs {flops / (audio / 1.8) / 1e9:.0f} GFLOP/s sustained over the whole step "
          f"({flops / (audio / 1.8) / 1e9 / best:.2f}x the best matrix-product rate above)")


if __name__ == "__main__":
    main()
