"""Keras callbacks made resumable and atomic, for retraining that survives SIGKILL.

BackupAndRestore brings back weights, optimizer and epoch, but not the state of other callbacks:
a resumed ModelCheckpoint would forget its best score and EarlyStopping its patience. Both read
the per-epoch history (EpochHistory's JSON) instead, which is written atomically every epoch.
"""
from __future__ import annotations

import json
import os

import keras
import numpy as np


def read_history(path: str) -> list[dict]:
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        return json.load(f).get("epochs", [])


class AtomicModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """ModelCheckpoint (best only) that writes to a temporary name and renames, and that starts
    from the best `monitor` value already in the history file."""

    def __init__(self, filepath: str, history_path: str, monitor: str = "val_loss", **kwargs):
        past = [e[monitor] for e in read_history(history_path) if monitor in e]
        folder, name = os.path.split(filepath)
        self.final_path = filepath
        super().__init__(os.path.join(folder, ".tmp-" + name), monitor=monitor, mode="min",
                         save_best_only=True, save_weights_only=True,
                         initial_value_threshold=min(past) if past else None, **kwargs)

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if os.path.exists(self.filepath):
            os.replace(self.filepath, self.final_path)


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """EarlyStopping whose patience counts the epochs before a restart too."""

    def __init__(self, history_path: str, **kwargs):
        super().__init__(mode="min", **kwargs)
        self.history_path = history_path

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        past = [(e["epoch"], e[self.monitor]) for e in read_history(self.history_path) if self.monitor in e]
        if past:
            values = np.array([v for _, v in past])
            best = int(np.argmin(values))
            self.best = float(values[best])
            self.best_epoch = past[best][0]
            self.wait = past[-1][0] - past[best][0]
