"""Learnt encoder (waveform -> frames) and decoder (masked frames -> waveforms)."""
from __future__ import annotations

import keras
import tensorflow as tf

from . import chunking


def _check_positive(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")


@keras.saving.register_keras_serializable(package="dprnn")
class PadToChunks(keras.layers.Layer):
    """Zero-pads (B, T) at the end to the length the encoder and chunking need (chunking.py)."""

    def __init__(self, encoder_kernel: int, chunk_size: int, **kwargs):
        super().__init__(**kwargs)
        _check_positive("encoder_kernel", encoder_kernel)
        _check_positive("chunk_size", chunk_size)
        self.encoder_kernel = encoder_kernel
        self.chunk_size = chunk_size

    def call(self, x):
        samples = tf.shape(x)[1]
        target = chunking.padded_samples(samples, self.encoder_kernel, self.chunk_size, tf.maximum)
        return tf.pad(x, [[0, 0], [0, target - samples]])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None)

    def get_config(self):
        return {**super().get_config(), "encoder_kernel": self.encoder_kernel, "chunk_size": self.chunk_size}


@keras.saving.register_keras_serializable(package="dprnn")
class CropLike(keras.layers.Layer):
    """Crops the last axis of `inputs[0]` to the length of `inputs[1]` (B, T)."""

    def call(self, inputs):
        x, reference = inputs
        return x[..., : tf.shape(reference)[1]]

    def compute_output_shape(self, input_shapes):
        return tuple(input_shapes[0][:-1]) + (input_shapes[1][1],)


@keras.saving.register_keras_serializable(package="dprnn")
class Encoder(keras.layers.Layer):
    """1-D convolution, N filters of L samples, stride L/2, no bias: (B, T) -> (B, T/stride, N).

    The input is padded with L - L/2 zeros at the end; for L=2 that is Keras's "same" padding of
    the original (one zero appended), in general it makes every sample covered by L/stride frames.
    """

    def __init__(self, filters: int, kernel_size: int, **kwargs):
        super().__init__(**kwargs)
        _check_positive("filters", filters)
        _check_positive("kernel_size", kernel_size)
        self.filters = filters
        self.kernel_size = kernel_size
        self.stride = max(1, kernel_size // 2)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(self.kernel_size, 1, self.filters),
                                      initializer="glorot_uniform")

    def call(self, x):
        x = tf.pad(x, [[0, 0], [0, self.kernel_size - self.stride]])[:, :, None]   # (B, T + L - H, 1)
        return tf.nn.conv1d(x, tf.cast(self.kernel, x.dtype), stride=self.stride, padding="VALID")

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size}


@keras.saving.register_keras_serializable(package="dprnn")
class Decoder(keras.layers.Layer):
    """Per speaker: masked frames (B, F, N) -> L samples a frame -> overlap-add with hop L/2.

    Input: mixture frames E (B, F, N) and masks (B, F, spk*N); output (B, spk, F*stride).
    One bias-free (N, L) basis per speaker, as the original (dense_6, dense_7).
    """

    def __init__(self, filters: int, kernel_size: int, num_speakers: int, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("filters", filters), ("kernel_size", kernel_size), ("num_speakers", num_speakers)):
            _check_positive(name, value)
        self.filters = filters
        self.kernel_size = kernel_size
        self.num_speakers = num_speakers
        self.stride = max(1, kernel_size // 2)

    def build(self, input_shapes):
        self.kernel = self.add_weight(name="kernel", shape=(self.num_speakers, self.filters, self.kernel_size),
                                      initializer="glorot_uniform")

    def call(self, inputs):
        frames, masks = inputs
        batch, length = tf.shape(frames)[0], tf.shape(frames)[1]
        masks = tf.reshape(masks, [batch, length, self.num_speakers, self.filters])   # (B, F, spk, N)
        masked = masks * frames[:, :, None, :]
        pieces = tf.einsum("bfsn,snl->bsfl", masked, tf.cast(self.kernel, masked.dtype))  # (B, spk, F, L)
        signal = tf.signal.overlap_and_add(pieces, self.stride)       # (B, spk, (F-1)*H + L)
        return signal[:, :, : length * self.stride]

    def compute_output_shape(self, input_shapes):
        return (input_shapes[0][0], self.num_speakers, None)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "num_speakers": self.num_speakers}
