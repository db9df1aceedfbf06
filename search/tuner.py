"""The Hyperband tuner over DPRNN separators, driven by the memory-aware oracle."""
from __future__ import annotations

import gc
import json
import os

import keras
import keras_tuner as kt
from keras_tuner.src import utils as _kt_utils
from keras_tuner.src.distribute import utils as dist_utils

from dprnn.atomic import write_text
from dprnn.faults import kill_point

from .config import ProjectConfig
from .oracle import MemoryAwareHyperbandOracle
from .space import MemoryBudget

OBJECTIVE = kt.Objective("val_si_snri", direction="max")


def _atomic_save_json(path, obj):
    # keras-tuner writes oracle.json, tuner0.json and trial.json in place; a SIGKILL during a write
    # would leave a truncated file that stops every later resume. Same contract, written atomically.
    text = json.dumps(obj)
    write_text(str(path), text)
    return text


_kt_utils.save_json = _atomic_save_json


def make_oracle(cfg: ProjectConfig) -> MemoryAwareHyperbandOracle:
    s = cfg.search
    return MemoryAwareHyperbandOracle(
        objective=OBJECTIVE, max_epochs=s.max_epochs, factor=s.factor,
        hyperband_iterations=s.hyperband_iterations, seed=s.seed,
        max_retries_per_trial=s.max_retries_per_trial,
        max_consecutive_failed_trials=s.max_consecutive_failed_trials,
        feasibility=MemoryBudget(cfg))


class DPRNNHyperband(kt.Hyperband):
    """kt.Hyperband with our oracle (passed through kt.Tuner.__init__, as Hyperband builds its own).

    With `child_trials` (a dict: project_dir, data_root, log_dir, verbose), every trial runs in a
    fresh child process (search/trial_process.py); Hyperband's promotions and checkpoints are the
    same files either way.
    """

    def __init__(self, oracle, hypermodel, child_trials: dict | None = None, **kwargs):
        project_dir = os.path.join(kwargs["directory"], kwargs["project_name"])
        tuner_file = os.path.join(project_dir, os.environ.get("KERASTUNER_TUNER_ID", "tuner0") + ".json")
        worker = dist_utils.has_chief_oracle() and not dist_utils.is_chief_oracle()   # its oracle is the chief's
        if (not worker and not kwargs.get("overwrite") and os.path.isfile(os.path.join(project_dir, "oracle.json"))
                and not os.path.isfile(tuner_file)):
            # keras-tuner reloads the oracle only if the tuner's own file exists, and writes that file
            # only after the first trial ends: a search killed before then would silently start over
            # and overwrite what its first trial had recorded. The tuner's state is empty ({}).
            write_text(tuner_file, "{}")
        kt.Tuner.__init__(self, oracle=oracle, hypermodel=hypermodel, **kwargs)
        self.child_trials = child_trials

    def run_trial(self, trial, *args, **kwargs):
        self.hypermodel.trial_dir = self.get_trial_dir(trial.trial_id)
        self.hypermodel.trial_seed = trial_seed(self.hypermodel.cfg.search.seed, trial.trial_id)
        if not self.child_trials:
            return super().run_trial(trial, *args, **kwargs)
        from .trial_process import run_in_child

        values = dict(trial.hyperparameters.values)
        parent = values.get("tuner/trial_id")
        request = {**self.child_trials, "trial_id": trial.trial_id, "values": values,
                   "seed": self.hypermodel.trial_seed,
                   "epochs": values.get("tuner/epochs", 1), "initial_epoch": values.get("tuner/initial_epoch", 0),
                   "checkpoint": self._get_checkpoint_fname(trial.trial_id),
                   "parent_checkpoint": self._get_checkpoint_fname(parent) if parent else None,
                   "log_dir": os.path.join(self.child_trials["log_dir"], str(trial.trial_id), "execution0")}
        result = run_in_child(request, self.get_trial_dir(trial.trial_id), self.child_trials.get("verbose", 0))
        if "failed" in result:
            raise kt.errors.FailedTrialError(result["failed"])
        history = result["history"]
        scores = history[OBJECTIVE.name]
        best = max(range(len(scores)), key=lambda i: scores[i])
        return {name: values_[best] for name, values_ in history.items()}

    def on_trial_end(self, trial):
        super().on_trial_end(trial)
        # Free the trial's graph and weights before the next one is built.
        keras.backend.clear_session()
        gc.collect()
        kill_point("between-trials")     # tests: a trial finished and recorded, the next not begun


def trial_seed(search_seed: int, trial_id) -> int:
    """A reproducible seed per trial: the same search seed and trial id give the same initial weights."""
    digits = "".join(c for c in str(trial_id) if c.isdigit()) or "0"
    return (search_seed * 100003 + int(digits)) % 2**31


def hyperband_plan(max_epochs: int, factor: int, iterations: int = 1) -> list[dict]:
    """Brackets as keras-tuner's HyperbandOracle runs them: [{bracket, rounds: [(trials, epochs)]}].

    Uses the oracle's own size/epoch formulas so the plan cannot disagree with the search.
    """
    oracle = kt.oracles.HyperbandOracle(objective=OBJECTIVE, max_epochs=max_epochs, factor=factor)
    brackets = []
    for _ in range(iterations):
        for bracket in reversed(range(oracle._get_num_brackets())):
            rounds = [(oracle._get_size(bracket, r), oracle._get_epochs(bracket, r))
                      for r in range(oracle._get_num_rounds(bracket))]
            brackets.append({"bracket": bracket, "rounds": rounds})
    return brackets


def plan_epochs(plan: list[dict]) -> tuple[int, int]:
    """(trials, epochs trained in total): a promoted trial trains from its parent's last epoch."""
    trials = epochs = 0
    for bracket in plan:
        previous = 0
        for size, until in bracket["rounds"]:
            trials += size
            epochs += size * (until - previous)
            previous = until
    return trials, epochs
