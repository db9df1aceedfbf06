"""The search space: config `space` entries as keras-tuner hyperparameters, and its feasible points."""
from __future__ import annotations

import itertools

import keras_tuner as kt

from dprnn.errors import ConfigError

from .config import ProjectConfig
from .memory import GB, estimate_peak_bytes, load_profile


def declare(hp: kt.HyperParameters, space: dict) -> None:
    """Registers every space entry under the DPRNNConfig / training field's own name."""
    for name, spec in space.items():
        if isinstance(spec, list):
            hp.Choice(name, spec)
        else:
            hp.Float(name, spec["min"], spec["max"], sampling=spec.get("sampling", "linear"),
                     step=spec.get("step"))


class MemoryBudget:
    """Whether a point of the space fits `budget.memory_gb` on `budget.profile`, before any build."""

    def __init__(self, cfg: ProjectConfig):
        self.cfg = cfg
        self.profile = load_profile(cfg.budget.profile)
        self.budget_bytes = cfg.budget.memory_gb * GB
        self.segment = int(round(cfg.data.segment_seconds * cfg.data.sample_rate))

    def estimate(self, values: dict) -> int:
        model, train = self.cfg.resolve(values)
        return estimate_peak_bytes(model, train["batch_size"], self.segment, self.profile,
                                   recompute=self.cfg.train.recompute,
                                   mixed_precision=self.cfg.train.mixed_precision)

    def __call__(self, values: dict) -> tuple[bool, int]:
        peak = self.estimate(values)
        return peak <= self.budget_bytes, peak


def grid(space: dict) -> list[dict]:
    """Every combination of the listed choices (ranges, which do not change memory, at their min)."""
    names = list(space)
    axes = [space[n] if isinstance(space[n], list) else [space[n]["min"]] for n in names]
    return [dict(zip(names, combo)) for combo in itertools.product(*axes)]


def feasibility_report(cfg: ProjectConfig) -> dict:
    budget = MemoryBudget(cfg)
    points = [(values, budget.estimate(values)) for values in grid(cfg.space)]
    fitting = [(v, e) for v, e in points if e <= budget.budget_bytes]
    smallest = min(points, key=lambda p: p[1])
    largest_fit = max(fitting, key=lambda p: p[1]) if fitting else None
    per_axis = {}
    for name in cfg.space:
        if isinstance(cfg.space[name], list):
            per_axis[name] = {str(choice): [e / GB for v, e in points if v[name] == choice]
                              for choice in cfg.space[name]}
    return {"total": len(points), "fit": len(fitting), "budget_gb": cfg.budget.memory_gb,
            "profile": budget.profile.name, "smallest": smallest, "largest_fit": largest_fit,
            "per_axis": per_axis}


def check_feasible(cfg: ProjectConfig) -> dict:
    """Raises a ConfigError naming the smallest estimate when nothing in the space fits the budget."""
    report = feasibility_report(cfg)
    if report["fit"] == 0:
        values, peak = report["smallest"]
        raise ConfigError(f"budget.memory_gb: no configuration of the space fits {cfg.budget.memory_gb:g} GB "
                          f"on profile {report['profile']}; the smallest estimate is {peak / GB:.2f} GB "
                          f"({', '.join(f'{k}={v}' for k, v in values.items())})")
    return report
