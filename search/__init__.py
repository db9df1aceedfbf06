"""Hyperparameter search over DPRNN separators that fit a memory budget (keras-tuner Hyperband)."""

import dprnn  # noqa: F401,E402  (TensorFlow is set up there, before any module here imports Keras)
