"""Global layer normalisation (gLN) over every value of one example."""
from __future__ import annotations

import keras
import tensorflow as tf

SCALINGS = ("none", "channel")


@keras.saving.register_keras_serializable(package="dprnn")
class GlobalLayerNorm(keras.layers.Layer):
    """Normalises each example by the mean and variance of all its values (every axis but 0).

    scaling="none": no learnt weights, the original's LayerNormalization(center=False, scale=False)
    over the flattened tensor. scaling="channel": the paper's gLN, one gain and one bias per channel
    (last axis). Statistics are computed in float32 even under mixed precision.
    """

    def __init__(self, scaling: str = "none", epsilon: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        if scaling not in SCALINGS:
            raise ValueError(f"scaling: expected one of {SCALINGS}, got {scaling!r}")
        if not epsilon > 0:
            raise ValueError(f"epsilon: expected a positive number, got {epsilon!r}")
        self.scaling = scaling
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if self.scaling == "channel":
            channels = input_shape[-1]
            self.gamma = self.add_weight(name="gamma", shape=(channels,), initializer="ones")
            self.beta = self.add_weight(name="beta", shape=(channels,), initializer="zeros")

    def call(self, x):
        dtype = x.dtype
        x32 = tf.cast(x, tf.float32)
        axes = list(range(1, len(x.shape)))
        mean, variance = tf.nn.moments(x32, axes=axes, keepdims=True)
        y = (x32 - mean) * tf.math.rsqrt(variance + self.epsilon)
        if self.scaling == "channel":
            y = y * tf.cast(self.gamma, tf.float32) + tf.cast(self.beta, tf.float32)
        return tf.cast(y, dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scaling": self.scaling, "epsilon": self.epsilon}
