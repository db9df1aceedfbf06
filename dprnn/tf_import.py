"""Importing TensorFlow the way this project needs it: every CPU tensor counted, half the cores per
op, no start-up chatter.

Imports nothing from this package."""
from __future__ import annotations

import os
import sys

# TensorFlow's BFC allocator on the CPU: the only CPU allocator whose statistics count every tensor.
CPU_BFC_ENV = "TF_CPU_ALLOCATOR_USE_BFC"

# Threads one TensorFlow op may use (TensorFlow's own variable; a value set by the user is kept).
INTRA_OP_ENV = "TF_NUM_INTRAOP_THREADS"


def cpu_counts_every_tensor() -> bool:
    return os.environ.get(CPU_BFC_ENV) == "1"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:            # not Linux
        return os.cpu_count() or 1


def default_intra_op_threads() -> int:
    """Half the usable cores, at least one.

    A training step runs the two directions of every bidirectional LSTM at the same time (one op
    each, TensorFlow's inter-op parallelism). Given every core as well, each of the tiny per-step
    matrix products of the two loops splits across all cores and the two loops fight over them:
    on 2 cores one thread per op trains the original architecture 1.29x faster (0.88 against 1.13 s
    per step, benchmarks/training_step.py) and separates 1.15x faster (benchmarks/inference.py).
    """
    return max(1, usable_cores() // 2)


def import_tensorflow() -> None:
    """Imports TensorFlow with TensorFlow's own BFC allocator on the CPU and its start-up chatter
    (oneDNN, CUDA probing) kept off the terminal.

    With oneDNN on (the default), the CPU allocator serves small tensors from a separate pool that
    `tf.config.experimental.get_memory_info` does not count, so the reported peak jumps erratically
    with tensor sizes (215 MiB -> 698 MiB for batch 2 -> 3 of one model) and misses most of the
    real use (175 MiB reported against 850 MiB with every tensor counted, original model, batch 2 x
    4096). The plain BFC allocator counts every tensor, like the GPU's, at the same speed; the
    memory estimator and `python -m search calibrate` rely on it. Each op gets half the cores
    (`default_intra_op_threads`). Both are set before TensorFlow starts and inherited by the
    trials' child processes; `TF_CPU_ALLOCATOR_USE_BFC` and `TF_NUM_INTRAOP_THREADS` set by the
    user win.

    TF 2.21 logs those lines through absl before any log level applies, so stderr is parked in a
    temporary file during the import and shown only if the import fails.
    """
    import tempfile

    os.environ.setdefault(CPU_BFC_ENV, "1")
    os.environ.setdefault(INTRA_OP_ENV, str(default_intra_op_threads()))
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
