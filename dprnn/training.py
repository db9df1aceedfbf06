"""What a training run needs besides the model: validation SI-SNRi, divergence, LR schedule, optimizer."""
from __future__ import annotations

import math

import keras
import numpy as np

from .metrics import utterance_scores


class DivergedError(RuntimeError):
    """The training loss became NaN or infinite."""


class ValidationMetrics(keras.callbacks.Callback):
    """After each epoch: separates every validation example whole and adds to the epoch's logs
    `val_loss` (negative SI-SNR, PIT), `val_si_snr` and `val_si_snri` (improvement over the mixture).

    Put it first in the callback list: EarlyStopping, ModelCheckpoint and keras-tuner read these logs.
    """

    def __init__(self, examples, on_scores=None):
        super().__init__()
        self.examples = examples
        self.on_scores = on_scores   # called with (epoch, [(name, mixture, sources, estimate)], scores)

    def evaluate(self):
        outputs, scores = [], []
        for name, mixture, sources in self.examples:
            estimate = np.asarray(self.model.predict_on_batch(mixture[None, :]))[0]
            outputs.append((name, mixture, sources, estimate))
            scores.append(utterance_scores(mixture, sources, estimate, with_sdr=False))
        mean = {k: float(np.mean([s[k] for s in scores])) for k in ("si_snr", "si_snri")}
        return outputs, mean

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or not self.examples:
            return
        outputs, mean = self.evaluate()
        logs["val_loss"] = -mean["si_snr"]
        logs["val_si_snr"] = mean["si_snr"]
        logs["val_si_snri"] = mean["si_snri"]
        if self.on_scores:
            self.on_scores(epoch, outputs, mean)


class EpochHistory(keras.callbacks.Callback):
    """Appends every epoch's logs to a JSON file (atomically): per-epoch curves survive the run."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        import json
        import os

        from .atomic import write_json

        history = {"epochs": []}
        if os.path.isfile(self.path):
            with open(self.path) as f:
                history = json.load(f)
        history["epochs"] = [e for e in history["epochs"] if e["epoch"] != epoch]
        history["epochs"].append({"epoch": epoch, **{k: float(v) for k, v in (logs or {}).items()}})
        write_json(self.path, history)


class FailOnNaN(keras.callbacks.Callback):
    """Raises DivergedError at the first non-finite training loss (the search marks the trial failed)."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            raise DivergedError(f"training loss became {float(loss)} at batch {batch}")


def step_decay(learning_rate: float, decay: float, every: int):
    """The original schedule: learning rate x `decay` every `every` epochs."""
    def schedule(epoch, lr=None):
        return float(learning_rate * decay ** (epoch // every))
    return keras.callbacks.LearningRateScheduler(schedule)


def configure_precision(mixed_precision: bool) -> None:
    """mixed_float16 on GPUs: float16 activations, float32 weights; SI-SNR and gLN stay float32."""
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed_precision else "float32")


def distribution_strategy(enabled: bool):
    """MirroredStrategy over all visible GPUs (one replica on a CPU), or None."""
    if not enabled:
        return None
    import tensorflow as tf
    return tf.distribute.MirroredStrategy()


def strategy_scope(strategy):
    import contextlib
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def compile_separator(model, learning_rate: float, clipnorm: float, jit_compile: bool = False,
                      mixed_precision: bool = False):
    from .losses import pit_neg_si_snr

    optimizer = keras.optimizers.Adam(learning_rate, clipnorm=clipnorm)
    if mixed_precision:
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    model.compile(optimizer=optimizer, loss=pit_neg_si_snr, jit_compile=jit_compile)
    return model


def oom_reason(err: Exception) -> str:
    """TensorFlow's own line about the allocation that failed ("OOM when allocating tensor ...")."""
    lines = str(err).splitlines()
    wanted = next((line.strip() for line in lines if "OOM when allocating" in line), lines[0] if lines else "")
    return wanted.split(" [[")[0].split(" on /job")[0][:200]
