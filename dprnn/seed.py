"""Import of the original implementation's Keras 2 HDF5 checkpoint (ARCHITECTURE.md)."""
from __future__ import annotations

import h5py
import numpy as np

from .config import DPRNNConfig
from .errors import ModelFileError

# The checkpoint's hyperparameters (ARCHITECTURE.md).
SEED_CONFIG = DPRNNConfig(sample_rate=8000, encoder_filters=64, encoder_kernel=2, chunk_size=256,
                          hidden_units=200, blocks=3, norm_scaling="none", num_speakers=2)
SEED_INFO = {"sample_rate": 8000, "mode": "min", "task": "sep_clean", "source": "original checkpoint"}


def _group_weights(f, group: str) -> list[tuple[str, np.ndarray]]:
    if group not in f:
        raise ModelFileError(f"{f.filename}: no layer '{group}' (not the original DPRNN checkpoint)")
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in f[group].attrs["weight_names"]]
    try:
        return [(n, np.asarray(f[group][n], dtype=np.float32)) for n in names]
    except KeyError:
        raise ModelFileError(f"{f.filename}: layer '{group}' lists weights it does not hold") from None


def read_seed_weights(path: str) -> dict:
    """Reads the checkpoint by layer and weight name; any mismatch is a ModelFileError."""
    try:
        f = h5py.File(path, "r")
    except (OSError, ValueError) as err:
        raise ModelFileError(f"{path}: cannot open as HDF5 ({str(err).splitlines()[0][:120]})") from None
    with f:
        weights = {"encoder": None, "blocks": [], "decoder": []}
        conv = _group_weights(f, "conv1d")
        weights["encoder"] = conv[0][1]
        for i in range(SEED_CONFIG.blocks):
            items = _group_weights(f, "dprnn_block" if i == 0 else f"dprnn_block_{i}")
            kinds = ["forward", "forward", "forward", "backward", "backward", "backward", "dense", "dense"] * 2
            if len(items) != 16 or any(k not in n for k, (n, _) in zip(kinds, items)):
                raise ModelFileError(f"{path}: block {i} has unexpected weights {[n for n, _ in items]}")
            weights["blocks"].append([w for _, w in items])
        for name in ("dense_6", "dense_7"):
            weights["decoder"].append(_group_weights(f, name)[0][1])
    return weights


def import_seed(path: str):
    """Builds the checkpoint's architecture and loads its weights; returns the Keras model."""
    from .model import build_model

    weights = read_seed_weights(path)
    model = build_model(SEED_CONFIG, info=SEED_INFO)
    try:
        model.get_layer("encoder").set_weights([weights["encoder"]])
        for i, block_weights in enumerate(weights["blocks"]):
            model.get_layer(f"dprnn_block_{i}").set_weights(block_weights)
        model.get_layer("decoder").set_weights([np.stack(weights["decoder"])])
    except ValueError as err:
        raise ModelFileError(f"{path}: weight shapes do not match the original DPRNN ({err})") from None
    return model
