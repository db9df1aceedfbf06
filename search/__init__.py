"""Hyperparameter search over DPRNN separators that fit a memory budget (keras-tuner Hyperband)."""
