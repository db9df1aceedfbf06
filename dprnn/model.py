"""`build_model`: encoder -> chunking -> DPRNN blocks -> overlap-add -> masks -> decoder."""
from __future__ import annotations

import keras

from .block import DPRNNBlock
from .config import DPRNNConfig
from .filterbank import CropLike, Decoder, Encoder, PadToChunks
from .segmentation import OverlapAdd, Segment


@keras.saving.register_keras_serializable(package="dprnn")
class SeparatorInfo(keras.layers.Layer):
    """Identity layer that stores what a saved separator is: its DPRNNConfig and data facts.

    Keeping this in the graph means a `.keras` file alone says its sample rate, task and mode.
    """

    def __init__(self, info: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.info = dict(info or {})

    def call(self, x):
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "info": self.info}


def build_model(config: DPRNNConfig, info: dict | None = None, name: str = "dprnn",
                recompute: bool = False) -> keras.Model:
    """A functional Keras model: (batch, samples) float32 -> (batch, num_speakers, samples).

    Any number of samples >= 1 works: the input is zero-padded to what the encoder and chunking need
    and the output is cropped back. `info` (sample rate, task, mode, ...) is stored in the model.
    `recompute` rebuilds each block's activations in the backward pass (less memory, ~1/3 more time).
    """
    n, spk = config.encoder_filters, config.num_speakers
    mixture = keras.Input(shape=(None,), dtype="float32", name="mixture")
    x = SeparatorInfo({"dprnn": config.to_dict(), **(info or {})}, name="info")(mixture)
    x = PadToChunks(config.encoder_kernel, config.chunk_size, name="pad")(x)
    frames = Encoder(n, config.encoder_kernel, name="encoder")(x)            # (B, F, N)
    h = Segment(config.chunk_size, name="segment")(frames)                    # (B, S, K, N)
    for i in range(config.blocks):
        last = i == config.blocks - 1
        h = DPRNNBlock(n, config.hidden_units, spk * n if last else n, config.norm_scaling,
                       inter_residual=not last, recompute=recompute, name=f"dprnn_block_{i}")(h)  # (B, S, K, N or spk*N)
    masks = OverlapAdd(config.chunk_size, name="overlap_add")(h)             # (B, F, spk*N)
    masks = keras.layers.Activation(config.mask_activation, name="mask")(masks)
    signals = Decoder(n, config.encoder_kernel, spk, name="decoder")([frames, masks])  # (B, spk, F*stride)
    separated = CropLike(name="crop")([signals, mixture])                    # (B, spk, T)
    return keras.Model(mixture, separated, name=name)


def model_info(model: keras.Model) -> dict:
    """The info dict stored by `build_model` (empty for a model built elsewhere)."""
    try:
        return dict(model.get_layer("info").info)
    except ValueError:
        return {}


def model_config(model: keras.Model) -> DPRNNConfig:
    return DPRNNConfig.from_dict(model_info(model)["dprnn"])
