"""Search subsets: the first N mixtures of a seeded shuffle, written as plain name lists."""
from __future__ import annotations

import os
import warnings

import numpy as np

from .errors import DataError
from .atomic import write_text


def choose_subset(names: list[str], count: int, seed: int) -> list[str]:
    """First `count` names of a seeded shuffle of the sorted names (0 or too many: all, shuffled)."""
    names = sorted(names)
    order = np.random.default_rng(seed).permutation(len(names))
    if count > len(names):
        warnings.warn(f"subset of {count} requested but the split has {len(names)} mixtures; using all",
                      stacklevel=2)
    if count <= 0 or count > len(names):
        count = len(names)
    return [names[i] for i in order[:count]]


def write_subset(path: str, names: list[str]) -> None:
    write_text(path, "".join(f"{n}\n" for n in names))


def read_subset(path: str) -> list[str]:
    if not os.path.isfile(path):
        raise DataError(f"{path}: subset list does not exist")
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise DataError(f"{path}: subset list is empty")
    return names
