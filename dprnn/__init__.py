"""DPRNN speech separation in Keras 3 (Luo, Chen, Yoshioka 2019).

`import dprnn` registers every layer, so saved `.keras` models reload with `keras.models.load_model`.
"""
from .tf_import import import_tensorflow

import_tensorflow()   # before Keras pulls TensorFlow in: allocator choice, no start-up chatter

from .config import DPRNNConfig  # noqa: E402
from .errors import ConfigError, DataError, DPRNNError, ModelFileError
from .losses import pit_neg_si_snr
from .model import build_model, model_config, model_info
from .modelio import load_separator, save_model

__all__ = ["DPRNNConfig", "DPRNNError", "ConfigError", "DataError", "ModelFileError", "build_model",
           "model_info", "model_config", "load_separator", "save_model", "pit_neg_si_snr"]
