"""`estimate`: how much of a config's space fits its memory budget, and the estimate per axis."""
from __future__ import annotations

from .config import ProjectConfig
from .memory import GB
from .space import feasibility_report


def format_estimate(cfg: ProjectConfig) -> str:
    r = feasibility_report(cfg)
    seconds = cfg.data.segment_seconds
    lines = [f"budget {r['budget_gb']:g} GB on profile {r['profile']}, {seconds:g} s segments, "
             f"recompute={cfg.train.recompute}, mixed_precision={cfg.train.mixed_precision}",
             f"{r['fit']} of {r['total']} configurations fit"]
    values, peak = r["smallest"]
    lines.append(f"smallest: {peak / GB:.2f} GB ({', '.join(f'{k}={v}' for k, v in values.items())})")
    if r["largest_fit"]:
        values, peak = r["largest_fit"]
        lines.append(f"largest that fits: {peak / GB:.2f} GB ({', '.join(f'{k}={v}' for k, v in values.items())})")
    lines.append("per axis (GB: min / max over the other axes, configurations that fit):")
    for name, choices in r["per_axis"].items():
        for choice, estimates in choices.items():
            fit = sum(e * GB <= r["budget_gb"] * GB for e in estimates)
            lines.append(f"  {name}={choice}: {min(estimates):.2f} / {max(estimates):.2f}  ({fit}/{len(estimates)} fit)")
    return "\n".join(lines)
