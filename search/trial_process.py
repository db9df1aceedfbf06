"""Trials in child processes: every trial gets a fresh Python and TensorFlow.

keras.backend.clear_session() does not give back what a trial allocated: measured here, the search
process grows by 80-110 MiB per smoke trial (benchmarks/trial_memory.py). With
`search.subprocess_trials`, the tuner (and the oracle) stay in the parent and each trial is built,
trained, checkpointed and scored by `python -m search.trial_process REQUEST.json`, which writes its
per-epoch logs to RESULT.json. The child dies with its parent (SIGKILL included).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from dprnn.atomic import write_json

REQUEST = "trial_request.json"
RESULT = "trial_result.json"


def _die_with_parent():
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except OSError:
        pass


def run_in_child(request: dict, trial_dir: str, verbose: int = 0) -> dict:
    """Runs one trial in a child process; returns {"history": {...}} or {"failed": reason}."""
    os.makedirs(trial_dir, exist_ok=True)
    request_path = os.path.join(trial_dir, REQUEST)
    result_path = os.path.join(trial_dir, RESULT)
    if os.path.exists(result_path):
        os.remove(result_path)
    write_json(request_path, request)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    done = subprocess.run([sys.executable, "-m", "search.trial_process", request_path], env=env,
                          preexec_fn=_die_with_parent, stdout=None if verbose else subprocess.DEVNULL)
    if not os.path.isfile(result_path):
        raise RuntimeError(f"trial process exited with code {done.returncode} without a result")
    with open(result_path) as f:
        return json.load(f)


def _child(request_path: str) -> int:
    import keras
    import keras_tuner as kt
    from keras_tuner.src.engine import tuner_utils

    from dprnn.subsets import read_subset

    from .data import SUBSET_FILES, corpus_of, prepare_data
    from .hypermodel import DPRNNHyperModel
    from .project import read_config
    from .tuner import OBJECTIVE

    with open(request_path) as f:
        request = json.load(f)
    trial_dir = os.path.dirname(os.path.abspath(request_path))
    result_path = os.path.join(trial_dir, RESULT)
    cfg = read_config(request["project_dir"]).with_data_root(request["data_root"])
    corpus = corpus_of(cfg, root_named_by_user=True)
    # Only the recorded subsets are opened and checked: a child must not re-read a whole corpus.
    train, valid = (corpus.open_split(split, names=read_subset(os.path.join(request["project_dir"], name)))
                    for split, name in SUBSET_FILES.items())
    data = prepare_data(cfg, subsets=False, opened=(corpus, train, valid))
    hypermodel = DPRNNHyperModel(cfg, data, verbose=request.get("verbose", 0))
    hypermodel.trial_dir = trial_dir
    hypermodel.trial_seed = request.get("seed")
    hp = kt.HyperParameters()
    hp.values = dict(request["values"])
    model = hypermodel.build(hp)
    if request.get("parent_checkpoint"):
        model.load_weights(request["parent_checkpoint"])
    callbacks = [tuner_utils.SaveBestEpoch(objective=OBJECTIVE, filepath=request["checkpoint"])]
    if request.get("log_dir"):
        from tensorboard.plugins.hparams import api as hparams_api
        callbacks.append(keras.callbacks.TensorBoard(request["log_dir"], write_graph=False, profile_batch=0))
        callbacks.append(hparams_api.KerasCallback(request["log_dir"], {k: v for k, v in hp.values.items()
                                                                        if not k.startswith("tuner/")},
                                                   trial_id=request["trial_id"]))
    try:
        history = hypermodel.fit(hp, model, epochs=request["epochs"], initial_epoch=request["initial_epoch"],
                                 callbacks=callbacks)
    except kt.errors.FailedTrialError as err:
        write_json(result_path, {"failed": str(err)})
        return 0
    write_json(result_path, {"history": {k: [float(v) for v in values] for k, values in history.history.items()}})
    return 0


if __name__ == "__main__":
    import dprnn  # noqa: F401  (quiet TensorFlow start-up, registered layers)
    sys.exit(_child(sys.argv[1]))
