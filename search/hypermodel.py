"""The DPRNN hypermodel: builds `dprnn.build_model` from a point of the space and trains it."""
from __future__ import annotations

import os

import keras
import keras_tuner as kt
import numpy as np
import tensorflow as tf

from dprnn.model import build_model
from dprnn.pipeline import training_dataset
from dprnn.training import (DivergedError, EpochHistory, FailOnNaN, ValidationMetrics, compile_separator,
                            oom_reason, step_decay)

from . import space as space_module
from .config import ProjectConfig
from .data import PreparedData, data_info


class DPRNNHyperModel(kt.HyperModel):
    """Hyperparameter names are the DPRNNConfig / training field names of the config's `space`.

    `fit` trains on random crops of the train subset for `search.steps_per_epoch` steps an epoch and
    reports `val_si_snri` on the whole validation utterances of the valid subset.
    """

    def __init__(self, cfg: ProjectConfig, data: PreparedData, verbose: int = 0):
        super().__init__(name="dprnn")
        self.cfg = cfg
        self.data = data
        self.verbose = verbose
        self.trial_dir = None   # set by the tuner before each trial
        self.trial_seed = None  # likewise: each trial's weights start from its own seed

    def declare_hyperparameters(self, hp):
        space_module.declare(hp, self.cfg.space)

    def build(self, hp):
        if self.trial_seed is not None:
            keras.utils.set_random_seed(self.trial_seed)
        model_cfg, train = self.cfg.resolve(hp.values)
        model = build_model(model_cfg, info=data_info(self.cfg), recompute=self.cfg.train.recompute)
        return compile_separator(model, train["learning_rate"], self.cfg.train.clipnorm,
                                 jit_compile=self.cfg.train.jit_compile,
                                 mixed_precision=self.cfg.train.mixed_precision)

    def fit(self, hp, model, *args, **kwargs):
        model_cfg, train = self.cfg.resolve(hp.values)
        segment = int(round(self.cfg.data.segment_seconds * self.cfg.data.sample_rate))
        dataset = training_dataset(self.data.train, segment, train["batch_size"], self.cfg.search.seed,
                                   self.data.cache, model_cfg.num_speakers)
        callbacks = [ValidationMetrics(self.data.valid_examples), FailOnNaN(),
                     step_decay(train["learning_rate"], self.cfg.train.lr_decay, self.cfg.train.lr_decay_every)]
        if self.trial_dir:
            callbacks.append(EpochHistory(os.path.join(self.trial_dir, "history.json")))
        callbacks += list(kwargs.pop("callbacks", []))
        try:
            return model.fit(dataset, steps_per_epoch=self.cfg.search.steps_per_epoch,
                             epochs=kwargs.pop("epochs", 1), initial_epoch=kwargs.pop("initial_epoch", 0),
                             callbacks=callbacks, verbose=self.verbose, shuffle=False)
        except DivergedError as err:
            raise kt.errors.FailedTrialError(f"diverged: {err}") from None
        except tf.errors.ResourceExhaustedError as err:
            raise kt.errors.FailedTrialError(f"out of memory: {oom_reason(err)}") from None


def warmup_step_seconds(cfg: ProjectConfig, values: dict, data: PreparedData, steps: int = 2) -> float:
    """Seconds per training step of one configuration (after a warm-up step), for the plan."""
    import time

    from dprnn.pipeline import crop

    model_cfg, train = cfg.resolve(values)
    model = compile_separator(build_model(model_cfg), train["learning_rate"], cfg.train.clipnorm)
    segment = int(round(cfg.data.segment_seconds * cfg.data.sample_rate))
    mixture, sources = data.cache.get(data.train.utterances[0])
    x, y = crop(mixture, sources, segment, 0)
    xb, yb = np.stack([x] * train["batch_size"]), np.stack([y] * train["batch_size"])
    model.train_on_batch(xb, yb)
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(xb, yb)
    seconds = (time.perf_counter() - start) / steps
    keras.backend.clear_session()
    return seconds
