"""Measuring real training-step peaks and fitting a device profile's coefficients to them."""
from __future__ import annotations

import itertools

import numpy as np

from dprnn.config import DPRNNConfig

from .memory import WEIGHT_COPIES, Profile, counts

# A small grid that varies every term; tiny so calibration takes minutes on a CPU.
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
]


def measure_training_peak(config: DPRNNConfig, batch_size: int, samples: int, device: str = "CPU:0",
                          recompute: bool = False) -> int:
    """Allocator peak (bytes) of a real training step, after a warm-up step that builds everything."""
    import keras
    import tensorflow as tf

    from dprnn.bench import device_peak_bytes, make_trainable, reset_peak

    keras.backend.clear_session()
    with tf.device(device):
        model = make_trainable(config, recompute=recompute)
        rng = np.random.default_rng(0)
        sources = rng.standard_normal((batch_size, config.num_speakers, samples)).astype(np.float32) * 0.1
        mixture = sources.sum(axis=1)
        model.train_on_batch(mixture, sources)
        reset_peak(device)
        model.train_on_batch(mixture, sources)
        peak = device_peak_bytes(device)
    del model
    keras.backend.clear_session()
    return peak


def measure_inference_peak(config: DPRNNConfig, samples: int, device: str = "CPU:0") -> int:
    import keras
    import tensorflow as tf

    from dprnn.bench import device_peak_bytes, reset_peak
    from dprnn.model import build_model

    keras.backend.clear_session()
    with tf.device(device):
        model = build_model(config)
        x = np.random.default_rng(0).standard_normal((1, samples)).astype(np.float32) * 0.1
        model.predict_on_batch(x)
        reset_peak(device)
        model.predict_on_batch(x)
        peak = device_peak_bytes(device)
    del model
    keras.backend.clear_session()
    return peak


def _nonnegative_fit(rows: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Least squares in relative error with non-negative coefficients (all subsets: few columns)."""
    weights = 1.0 / targets
    best, best_err = None, np.inf
    cols = rows.shape[1]
    for size in range(1, cols + 1):
        for subset in itertools.combinations(range(cols), size):
            a = rows[:, subset] * weights[:, None]
            coef, *_ = np.linalg.lstsq(a, targets * weights, rcond=None)
            if np.any(coef < 0):
                continue
            full = np.zeros(cols)
            full[list(subset)] = coef
            err = np.max(np.abs(rows @ full - targets) / targets)
            if err < best_err:
                best, best_err = full, err
    return best


def fit_profile(name: str, training: list, inference: list, description: str = "") -> Profile:
    """training: [(config, batch, samples, peak)]; inference: [(config, samples, peak)].

    Weights cost their known four float32 copies; the other coefficients are fitted (non-negative,
    in relative error) to what remains.
    """
    rows, targets = [], []
    for config, batch, samples, peak in training:
        c = counts(config, batch, samples)
        rows.append([c.lstm, c.activations, c.workspace, 1.0])
        targets.append(float(peak) - 4.0 * WEIGHT_COPIES * c.parameters)
    lstm, acts, workspace, constant = _nonnegative_fit(np.array(rows, float), np.array(targets))
    ratios = []
    for config, samples, peak in inference:
        c = counts(config, 1, samples)
        ratios.append((float(peak) - 4.0 * c.parameters - constant) / c.inference)
    return Profile(name=name, lstm=float(lstm), activations=float(acts), workspace=float(workspace),
                   inference=max(float(np.median(ratios)), 0.0) if ratios else 4.0,
                   constant_bytes=float(constant), description=description)
