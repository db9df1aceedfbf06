"""Hyperband that only ever samples configurations inside the memory budget.

Rejection happens in `_random_values` (the one hook keras-tuner 1.4 offers for it), so every
bracket is filled with feasible trials and promotions work unchanged; raising FailedTrialError in
`build` instead would leave holes in Hyperband's rounds.
"""
from __future__ import annotations

import keras_tuner as kt

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
