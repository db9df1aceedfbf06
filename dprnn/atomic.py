"""Atomic writes: a file is written under a temporary name in its folder, then renamed into place,
so a reader (or a run killed half-way) never sees half a file."""
from __future__ import annotations

import contextlib
import json
import os
import tempfile

from .faults import kill_point


@contextlib.contextmanager
def atomic_path(path: str, suffix: str = ""):
    """Yields a temporary path beside `path`; renames it to `path` if the block succeeds.

    `suffix` keeps the extension for writers that choose the format from it (.keras, .wav, .png).
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix=".tmp-", dir=folder)
    os.close(fd)
    try:
        yield tmp
        kill_point("before-rename", path)     # tests: a kill with the new file written, not yet in place
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def remove_stale_temporaries(folder: str) -> int:
    """Deletes what killed writers left behind (`.tmp-*` under `folder`); only when no other process
    writes there. Returns how many files went."""
    removed = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            if name.startswith(".tmp-"):
                os.remove(os.path.join(parent, name))
                removed += 1
    return removed


def write_text(path: str, text: str) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def write_json(path: str, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")
