"""The DPRNN block: an intra-chunk and an inter-chunk bidirectional LSTM path."""
from __future__ import annotations

import keras
import tensorflow as tf

from .norms import GlobalLayerNorm


def _bilstm(units, name):
    # Default activations and no recurrent dropout: Keras picks the cuDNN kernel on a GPU.
    return keras.layers.Bidirectional(keras.layers.LSTM(units // 2, return_sequences=True), name=name)


@keras.saving.register_keras_serializable(package="dprnn")
class DPRNNBlock(keras.layers.Layer):
    """(B, S, K, N) -> (B, S, K, output_channels).

    intra: each chunk as a sequence of K frames -> BiLSTM -> Dense(N) -> gLN -> + block input.
    inter: each frame index across chunks as a sequence of S steps -> BiLSTM -> Dense(out) -> gLN
    -> + intra output when `inter_residual` (the original's last block widens to 2N without it).
    """

    def __init__(self, channels: int, hidden_units: int, output_channels: int | None = None,
                 norm_scaling: str = "none", inter_residual: bool = True, recompute: bool = False, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("channels", channels), ("hidden_units", hidden_units)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a positive integer, got {value!r}")
        if hidden_units % 2:
            raise ValueError(f"hidden_units: expected an even number (two directions), got {hidden_units}")
        output_channels = channels if output_channels is None else output_channels
        if inter_residual and output_channels != channels:
            raise ValueError(f"output_channels: must equal channels ({channels}) with inter_residual, "
                             f"got {output_channels}")
        self.channels = channels
        self.hidden_units = hidden_units
        self.output_channels = output_channels
        self.norm_scaling = norm_scaling
        self.inter_residual = bool(inter_residual)
        self.recompute = bool(recompute)
        self.intra_rnn = _bilstm(hidden_units, "intra_rnn")
        self.intra_fc = keras.layers.Dense(channels, name="intra_fc")
        self.intra_norm = GlobalLayerNorm(norm_scaling, name="intra_norm")
        self.inter_rnn = _bilstm(hidden_units, "inter_rnn")
        self.inter_fc = keras.layers.Dense(output_channels, name="inter_fc")
        self.inter_norm = GlobalLayerNorm(norm_scaling, name="inter_norm")

    def build(self, input_shape):
        chunk = input_shape[2]
        self.intra_rnn.build((None, chunk, self.channels))
        self.intra_fc.build((None, chunk, self.hidden_units))
        self.intra_norm.build((None, None, chunk, self.channels))
        self.inter_rnn.build((None, None, self.channels))
        self.inter_fc.build((None, None, self.hidden_units))
        self.inter_norm.build((None, None, chunk, self.output_channels))

    def call(self, x, training=None):
        if self.recompute and training:
            # Gradient checkpointing: keep only the block input, rebuild the rest in the backward pass.
            return tf.recompute_grad(lambda inputs: self._forward(inputs, training))(x)
        return self._forward(x, training)

    def _forward(self, x, training=None):
        shape = tf.shape(x)
        batch, chunks, chunk = shape[0], shape[1], shape[2]
        # intra-chunk: (B*S, K, N)
        y = tf.reshape(x, [batch * chunks, chunk, self.channels])
        y = self.intra_fc(self.intra_rnn(y, training=training))
        y = tf.reshape(y, [batch, chunks, chunk, self.channels])
        intra = x + self.intra_norm(y)
        # inter-chunk: (B*K, S, N)
        z = tf.reshape(tf.transpose(intra, [0, 2, 1, 3]), [batch * chunk, chunks, self.channels])
        z = self.inter_fc(self.inter_rnn(z, training=training))
        z = tf.transpose(tf.reshape(z, [batch, chunk, chunks, self.output_channels]), [0, 2, 1, 3])
        z = self.inter_norm(z)
        return intra + z if self.inter_residual else z

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:3]) + (self.output_channels,)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "hidden_units": self.hidden_units,
                "output_channels": self.output_channels, "norm_scaling": self.norm_scaling,
                "inter_residual": self.inter_residual, "recompute": self.recompute}
