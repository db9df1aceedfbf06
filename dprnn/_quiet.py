"""Importing TensorFlow without its start-up chatter. Imports nothing from this package."""
from __future__ import annotations

import os
import sys


def quiet_tensorflow() -> None:
    """Imports TensorFlow with its start-up chatter (oneDNN, CUDA probing) kept off the terminal.

    TF 2.21 logs those lines through absl before any log level applies, so stderr is parked in a
    temporary file during the import and shown only if the import fails.
    """
    import tempfile

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if os.environ.get("DPRNN_VERBOSE_TF"):
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as parked:
        os.dup2(parked.fileno(), 2)
        try:
            import tensorflow as tf
            tf.config.list_physical_devices()     # CUDA probing logs here, once
        except BaseException:
            os.dup2(saved, 2)
            parked.seek(0)
            sys.stderr.write(parked.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
