"""Timing the real training step (Adam, clipnorm 5, PIT negative SI-SNR) and its memory peak."""
from __future__ import annotations

import os
import statistics
import time

import numpy as np

from .config import DPRNNConfig
from .tf_import import INTRA_OP_ENV


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
            "jit_compile": jit_compile, "intra_op_threads": intra_op_threads()}


def intra_op_threads() -> int:
    """Threads per op in this process (0: TensorFlow's default, every core)."""
    return int(os.environ.get(INTRA_OP_ENV, "0") or 0)


def training_step_flops(config: DPRNNConfig, batch_size: int = 2, segment_samples: int = 4096) -> dict:
    """Floating-point operations of one training step's matrix products (multiply and add counted
    as two), which is where nearly all of its arithmetic is.

    Per block, four LSTM directions over every position (B x S x K) each do (N + H/2) x 4(H/2)
    products per position ([x, h] times [W; U]), and two dense layers map H to N (intra) and H to
    N or speakers x N (inter). The backward pass does two products of the same size for each
    forward one (input and weight gradients): three times the forward count in all. The encoder
    and decoder (L values per frame) are left out: under 0.1% at the original setting.
    """
    from .chunking import encoder_frames, num_chunks

    n, per_dir = config.encoder_filters, config.hidden_units // 2
    frames = encoder_frames(segment_samples, config.encoder_kernel, config.chunk_size)
    positions = batch_size * num_chunks(frames, config.chunk_size) * config.chunk_size
    lstm = 4 * config.blocks * 2 * positions * (n + per_dir) * 4 * per_dir
    dense = sum(2 * positions * config.hidden_units * (n + (config.num_speakers * n if last else n))
                for last in [False] * (config.blocks - 1) + [True])
    forward = lstm + dense
    return {"forward": forward, "lstm_forward": lstm, "dense_forward": dense, "step": 3 * forward}
