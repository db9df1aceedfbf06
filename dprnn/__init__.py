"""DPRNN speech separation in Keras 3 (Luo, Chen, Yoshioka 2019).

`import dprnn` registers every layer (so saved `.keras` models reload with
`keras.models.load_model`) on first use of `build_model`, `load_separator` or `dprnn.model`;
`DPRNNConfig` and `dprnn.chunking` import no TensorFlow, so the memory estimator stays light.
"""
from .config import DPRNNConfig
from .errors import ConfigError, DataError, DPRNNError, ModelFileError

_LAZY = {"build_model": "model", "model_info": "model", "model_config": "model",
         "load_separator": "modelio", "save_model": "modelio"}

__all__ = ["DPRNNConfig", "DPRNNError", "ConfigError", "DataError", "ModelFileError", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'dprnn' has no attribute {name!r}")
