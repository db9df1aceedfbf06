"""Hyperband that only ever samples configurations inside the memory budget.

Rejection happens in `_random_values` (the one hook keras-tuner 1.4 offers for it), so every
bracket is filled with feasible trials and promotions work unchanged; raising FailedTrialError in
`build` instead would leave holes in Hyperband's rounds.
"""
from __future__ import annotations

import keras_tuner as kt

from dprnn.faults import kill_point

from .memory import MEMORY_KEY

GB = 2**30


class MemoryAwareHyperbandOracle(kt.oracles.HyperbandOracle):
    def __init__(self, *args, feasibility=None, max_attempts: int = 1000, **kwargs):
        super().__init__(*args, **kwargs)
        self.feasibility = feasibility
        self.max_attempts = max_attempts
        self.rejected = 0

    def _random_values(self):
        for _ in range(self.max_attempts):
            values = super()._random_values()
            if values is None or self.feasibility is None:
                return values
            fits, peak = self.feasibility(values)
            if fits:
                values[MEMORY_KEY] = round(peak / GB, 4)
                return values
            self.rejected += 1
        return None   # nothing feasible left that was not tried: the oracle stops

    def _compute_values_hash(self, values):
        # The estimate follows from the other values; leave it out so duplicates are still found.
        values = {k: v for k, v in values.items() if k != MEMORY_KEY}
        return super()._compute_values_hash(values)

    def _save_trial(self, trial):
        super()._save_trial(trial)
        if trial.status in ("COMPLETED", "FAILED"):
            kill_point("trial-saved")     # tests: trial.json final, oracle.json not yet saved

    def reload(self):
        super().reload()
        # keras-tuner saves a finished trial's trial.json, then oracle.json. Killed in between, the
        # trial is still "ongoing" in oracle.json and keras-tuner would queue it to run again (and
        # overwrite its score); its own file is the newer record, so finish it as recorded there.
        for trial_id in list(self._retry_queue):
            if self.trials[trial_id].status in ("COMPLETED", "FAILED"):
                self._retry_queue.remove(trial_id)
                if trial_id not in self.end_order:
                    self.end_order.append(trial_id)
                    self._run_times[trial_id] += 1

    def _check_consecutive_failures(self):
        try:
            super()._check_consecutive_failures()
        except RuntimeError:
            # keras-tuner raises before it saves the trial that tipped the count; record that trial
            # as FAILED (with its reason) and take it off the running list, so the folder is true.
            last = self.trials[self.end_order[-1]]
            self._save_trial(last)
            for tuner_id, ongoing in list(self.ongoing_trials.items()):
                if ongoing.trial_id == last.trial_id:
                    self.ongoing_trials.pop(tuner_id)
            self.save()
            raise
