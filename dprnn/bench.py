"""Timing the real training step (Adam, clipnorm 5, PIT negative SI-SNR) and its memory peak."""
from __future__ import annotations

import statistics
import time

import numpy as np

from .config import DPRNNConfig


def device_memory(device: str = "CPU:0") -> dict:
    """The allocator's `current` and `peak` bytes (TensorFlow's memory info); ValueError when the
    device's allocator keeps no statistics."""
    import tensorflow as tf
    info = tf.config.experimental.get_memory_info(device)
    return {"current": int(info["current"]), "peak": int(info["peak"])}


def device_peak_bytes(device: str = "CPU:0") -> int | None:
    try:
        return device_memory(device)["peak"]
    except (ValueError, KeyError):
        return None


def reset_peak(device: str = "CPU:0") -> None:
    import tensorflow as tf
    try:
        tf.config.experimental.reset_memory_stats(device)
    except ValueError:
        pass


def make_trainable(config: DPRNNConfig, learning_rate: float = 1e-3, clipnorm: float = 5.0,
                   recompute: bool = False, **compile_kwargs):
    """A model compiled with the original training recipe (Adam, clipnorm 5, PIT negative SI-SNR)."""
    from .model import build_model
    from .training import compile_separator

    return compile_separator(build_model(config, recompute=recompute), learning_rate, clipnorm, **compile_kwargs)


def bench_training_step(config: DPRNNConfig, batch_size: int = 2, segment_samples: int = 4096,
                        steps: int = 5, warmup: int = 2, seed: int = 0, device: str = "CPU:0",
                        jit_compile: bool = False) -> dict:
    """Median seconds per training step after `warmup` steps, audio throughput and the allocator peak."""
    import keras

    keras.utils.set_random_seed(seed)
    model = make_trainable(config, jit_compile=jit_compile)
    rng = np.random.default_rng(seed)
    sources = rng.standard_normal((batch_size, config.num_speakers, segment_samples)).astype(np.float32) * 0.1
    mixture = sources.sum(axis=1)
    for _ in range(warmup):
        model.train_on_batch(mixture, sources)
    reset_peak(device)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        model.train_on_batch(mixture, sources)
        times.append(time.perf_counter() - start)
    step = statistics.median(times)
    return {"config": config.to_dict(), "batch_size": batch_size, "segment_samples": segment_samples,
            "steps": steps, "step_seconds": step,
            "audio_seconds_per_second": batch_size * segment_samples / config.sample_rate / step,
            "peak_bytes": device_peak_bytes(device), "parameters": int(model.count_params()),
            "jit_compile": jit_compile}
