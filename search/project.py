"""A search's project folder: the resolved config, subsets, and the resume check."""
from __future__ import annotations

import os

import yaml

from dprnn.errors import ConfigError
from dprnn.atomic import write_text

from .config import ProjectConfig, config_from_dict

CONFIG_FILE = "config.yaml"
# What a resumed search must share with the one that started: keras-tuner keeps its own copy of
# the Hyperband settings and would silently ignore a change.
RESUME_KEYS = [("space", None), ("model", None), ("budget", None),
               ("search", "max_epochs"), ("search", "factor"), ("search", "hyperband_iterations"),
               ("search", "steps_per_epoch"), ("search", "seed"),
               ("data", "subset_train"), ("data", "subset_valid"), ("data", "subset_seed"),
               ("data", "task"), ("data", "mode"), ("data", "sample_rate"), ("data", "segment_seconds"),
               ("train", "batch_size"), ("train", "learning_rate"), ("train", "recompute"),
               ("train", "mixed_precision")]


def is_search(project_dir: str) -> bool:
    return os.path.isfile(os.path.join(project_dir, "oracle.json"))


def write_config(project_dir: str, cfg: ProjectConfig) -> None:
    write_text(os.path.join(project_dir, CONFIG_FILE), cfg.to_yaml())


def read_config(project_dir: str) -> ProjectConfig:
    path = os.path.join(project_dir, CONFIG_FILE)
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: missing (not a search launched by this project)")
    with open(path) as f:
        return config_from_dict(yaml.safe_load(f), source=path)


def resume_changes(saved: ProjectConfig, current: ProjectConfig) -> list[str]:
    old, new = saved.to_dict(), current.to_dict()
    changes = []
    for section, key in RESUME_KEYS:
        a = old[section] if key is None else old[section].get(key)
        b = new[section] if key is None else new[section].get(key)
        if a != b:
            changes.append(f"{section}{'.' + key if key else ''} changed from {a} to {b}")
    return changes
