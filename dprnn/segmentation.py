"""Cutting frames into half-overlapping chunks and overlap-adding them back."""
from __future__ import annotations

import keras
import tensorflow as tf


def _check_chunk(chunk_size):
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 2 or chunk_size % 2:
        raise ValueError(f"chunk_size: expected an even integer >= 2, got {chunk_size!r}")


@keras.saving.register_keras_serializable(package="dprnn")
class Segment(keras.layers.Layer):
    """(B, F, C) -> (B, S, K, C): S = 2F/K - 1 chunks with hop K/2, no padding (F is padded already)."""

    def __init__(self, chunk_size: int, **kwargs):
        super().__init__(**kwargs)
        _check_chunk(chunk_size)
        self.chunk_size = chunk_size

    def call(self, x):
        return tf.signal.frame(x, self.chunk_size, self.chunk_size // 2, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, self.chunk_size, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "chunk_size": self.chunk_size}


@keras.saving.register_keras_serializable(package="dprnn")
class OverlapAdd(keras.layers.Layer):
    """(B, S, K, C) -> (B, F, C): chunks summed back with hop K/2 (no averaging, as the original)."""

    def __init__(self, chunk_size: int, **kwargs):
        super().__init__(**kwargs)
        _check_chunk(chunk_size)
        self.chunk_size = chunk_size

    def call(self, x):
        x = tf.transpose(x, [0, 3, 1, 2])                                  # (B, C, S, K)
        x = tf.signal.overlap_and_add(x, self.chunk_size // 2)             # (B, C, F)
        return tf.transpose(x, [0, 2, 1])                                  # (B, F, C)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "chunk_size": self.chunk_size}
