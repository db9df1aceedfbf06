"""Saving and loading separators: atomic writes, safe-mode loads, one-line errors."""
from __future__ import annotations

import os
import zipfile

import keras

from . import model as _model  # registers the layers
from .atomic import atomic_path
from .errors import ModelFileError
from .losses import pit_neg_si_snr  # noqa: F401  (registered for compiled models)


def save_model(model: keras.Model, path: str) -> None:
    """Writes `path` atomically."""
    with atomic_path(path, suffix=".keras") as tmp:
        model.save(tmp)


def load_separator(path: str, compile: bool = False) -> keras.Model:
    """Loads a `.keras` separator in Keras's safe mode; a missing or foreign file is a ModelFileError."""
    if not os.path.isfile(path):
        raise ModelFileError(f"{path}: model file does not exist")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not a .keras model file (not a zip archive)")
    try:
        model = keras.models.load_model(path, compile=compile, safe_mode=True)
    except Exception as err:  # Keras raises many types for broken archives
        raise ModelFileError(f"{path}: cannot load model ({type(err).__name__}: {str(err).splitlines()[0][:200]})") from None
    if not _model.model_info(model).get("dprnn"):
        raise ModelFileError(f"{path}: not a dprnn separator (no 'info' layer with a DPRNN config)")
    return model
