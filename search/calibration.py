"""Measuring real training-step peaks and fitting a device profile's coefficients to them."""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import numpy as np

from dprnn.config import DPRNNConfig

from .memory import WEIGHT_COPIES, Profile, counts

# A grid that varies every term and hyperparameter (16 steps: a few minutes on a 2-core CPU; with
# 8 the worst held-out error was 14%, with 16 under 10%).
CALIBRATION_GRID = [
    (DPRNNConfig(encoder_filters=32, encoder_kernel=2, chunk_size=64, hidden_units=64, blocks=1), 1, 8000),
    (DPRNNConfig(encoder_filters=64, encoder_kernel=2, chunk_size=100, hidden_units=128, blocks=2), 2, 8000),
    (DPRNNConfig(encoder_filters=32, encoder_kernel=4, chunk_size=128, hidden_units=96, blocks=3), 2, 16000),
    (DPRNNConfig(encoder_filters=48, encoder_kernel=2, chunk_size=50, hidden_units=32, blocks=2), 4, 6000),
    (DPRNNConfig(encoder_filters=16, encoder_kernel=8, chunk_size=64, hidden_units=160, blocks=2,
                 norm_scaling="channel"), 1, 24000),
    (DPRNNConfig(encoder_filters=64, encoder_kernel=2, chunk_size=256, hidden_units=64, blocks=1), 1, 16000),
    (DPRNNConfig(encoder_filters=24, encoder_kernel=4, chunk_size=64, hidden_units=48, blocks=4,
                 norm_scaling="channel"), 2, 8000),
    (DPRNNConfig(encoder_filters=96, encoder_kernel=16, chunk_size=32, hidden_units=64, blocks=2), 3, 12000),
    (DPRNNConfig(encoder_filters=32, encoder_kernel=4, chunk_size=100, hidden_units=160, blocks=1, num_speakers=3), 1, 8000),
    (DPRNNConfig(encoder_filters=64, encoder_kernel=4, chunk_size=32, hidden_units=32, blocks=4,
                 norm_scaling="channel"), 2, 4000),
    (DPRNNConfig(encoder_filters=16, encoder_kernel=2, chunk_size=50, hidden_units=160, blocks=1,
                 norm_scaling="channel"), 2, 4000),
    (DPRNNConfig(encoder_filters=24, encoder_kernel=8, chunk_size=100, hidden_units=48, blocks=1,
                 norm_scaling="channel", num_speakers=3), 2, 4000),
    (DPRNNConfig(encoder_filters=96, encoder_kernel=4, chunk_size=64, hidden_units=32, blocks=1, num_speakers=3), 2, 12000),
    (DPRNNConfig(encoder_filters=48, encoder_kernel=8, chunk_size=100, hidden_units=128, blocks=4,
                 norm_scaling="channel"), 2, 6000),
    (DPRNNConfig(encoder_filters=24, encoder_kernel=2, chunk_size=128, hidden_units=64, blocks=4,
                 norm_scaling="channel", num_speakers=3), 4, 8000),
    (DPRNNConfig(encoder_filters=96, encoder_kernel=2, chunk_size=256, hidden_units=128, blocks=3,
                 norm_scaling="channel", num_speakers=3), 3, 12000),
]


def _variable_bytes(variables) -> int:
    return sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables)


def _step_peak(run, resident: int, device: str) -> int:
    """Peak of `run()` above what was allocated before it, plus `resident` (the model's own variables).

    Measuring above the baseline keeps whatever earlier models in the same process left in the
    allocator (caches, graphs) out of this model's number.
    """
    from dprnn.bench import device_memory, reset_peak

    reset_peak(device)
    before = device_memory(device)["current"]
    run()
    return device_memory(device)["peak"] - before + resident


def measure_training_peak(config: DPRNNConfig, batch_size: int, samples: int, device: str = "CPU:0",
                          recompute: bool = False) -> int:
    """Allocator peak (bytes) of a real training step, after a warm-up step that builds everything:
    the step's own allocations plus the weights and optimizer slots it keeps."""
    import keras
    import tensorflow as tf

    from dprnn.bench import make_trainable

    keras.backend.clear_session()
    with tf.device(device):
        model = make_trainable(config, recompute=recompute)
        rng = np.random.default_rng(0)
        sources = rng.standard_normal((batch_size, config.num_speakers, samples)).astype(np.float32) * 0.1
        mixture = sources.sum(axis=1)
        model.train_on_batch(mixture, sources)
        resident = _variable_bytes(model.weights) + _variable_bytes(model.optimizer.variables)
        peak = _step_peak(functools.partial(model.train_on_batch, mixture, sources), resident, device)
    del model
    keras.backend.clear_session()
    return peak


def measure_inference_peak(config: DPRNNConfig, samples: int, device: str = "CPU:0") -> int:
    import keras
    import tensorflow as tf

    from dprnn.model import build_model

    keras.backend.clear_session()
    with tf.device(device):
        model = build_model(config)
        x = np.random.default_rng(0).standard_normal((1, samples)).astype(np.float32) * 0.1
        model.predict_on_batch(x)
        peak = _step_peak(functools.partial(model.predict_on_batch, x), _variable_bytes(model.weights), device)
    del model
    keras.backend.clear_session()
    return peak


def measure_isolated(config: DPRNNConfig, batch_size: int, samples: int, device: str = "CPU:0",
                     recompute: bool = False, inference: bool = True) -> dict:
    """`measure_training_peak` (and `measure_inference_peak` of batch x samples) in a fresh Python
    process: {"training": bytes, "inference": bytes or None}.

    TensorFlow's allocator places tensors into whatever free chunks earlier models left and counts a
    chunk's whole size, so in a long-lived process the same step measures higher (one step: 577 MiB
    fresh, 644 MiB after 60 other models). A fresh process gives the reproducible number.
    """
    from dprnn.errors import DPRNNError

    request = {"config": config.to_dict(), "batch": batch_size, "samples": samples, "device": device,
               "recompute": recompute, "inference": inference}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-m", "search.calibration", json.dumps(request)], cwd=root,
                            capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise DPRNNError(lines[-1] if lines else f"measuring a step on {device} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _measure_main(raw: str) -> None:
    request = json.loads(raw)
    config = DPRNNConfig(**request["config"])
    device = request["device"]
    try:
        training = measure_training_peak(config, request["batch"], request["samples"], device, request["recompute"])
        inference = (measure_inference_peak(config, request["batch"] * request["samples"], device)
                     if request["inference"] else None)
    except ValueError:
        sys.exit(f"--device {device}: TensorFlow reports no memory statistics for this device")
    print(json.dumps({"training": training, "inference": inference}))


def _minimax_fit(rows: np.ndarray, targets: np.ndarray, iterations: int = 300) -> np.ndarray:
    """Non-negative coefficients with the smallest worst relative error (Lawson's algorithm:
    weighted least squares whose weights grow where the error is largest). Columns that the data
    cannot keep positive are dropped one at a time."""
    columns = list(range(rows.shape[1]))
    while columns:
        rel = rows[:, columns] / targets[:, None]
        ones = np.ones(len(targets))
        weights = ones / len(targets)
        best, best_err = None, np.inf
        for _ in range(iterations):
            root = np.sqrt(weights)
            coef, *_ = np.linalg.lstsq(rel * root[:, None], root, rcond=None)
            errors = np.abs(rel @ coef - ones)
            if np.all(coef >= 0) and errors.max() < best_err:
                best, best_err = coef, errors.max()
            weights = weights * (errors + 1e-12)
            weights /= weights.sum()
        if best is not None:
            full = np.zeros(rows.shape[1])
            full[columns] = best
            return full
        coef, *_ = np.linalg.lstsq(rel, ones, rcond=None)
        columns.pop(int(np.argmin(coef)))
    return np.zeros(rows.shape[1])


def fit_profile(name: str, training: list, inference: list, description: str = "") -> Profile:
    """training: [(config, batch, samples, peak)]; inference: [(config, samples, peak)].

    Weights cost their known four float32 copies; the other coefficients are fitted (non-negative,
    smallest worst relative error) to what remains.
    """
    rows, targets = [], []
    for config, batch, samples, peak in training:
        c = counts(config, batch, samples)
        rows.append([c.lstm, c.paths, c.norm, c.masks])
        targets.append(float(peak) - 4.0 * WEIGHT_COPIES * c.parameters)
    lstm, paths, norm, masks = _minimax_fit(np.array(rows, float), np.array(targets))
    ratios = []
    for config, samples, peak in inference:
        c = counts(config, 1, samples)
        ratios.append((float(peak) - 4.0 * c.parameters) / c.inference)
    return Profile(name=name, lstm=float(lstm), paths=float(paths), norm=float(norm), masks=float(masks),
                   inference=max(float(np.median(ratios)), 0.0) if ratios else 4.0,
                   constant_bytes=0.0, description=description)


if __name__ == "__main__":
    _measure_main(sys.argv[1])
