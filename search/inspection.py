"""Reading any keras-tuner project folder (also one still running or written by another program):
trial table, counts, best trial, hyperparameter importance, CSV and plots."""
from __future__ import annotations

import csv
import glob
import json
import os

import numpy as np

from dprnn.errors import DPRNNError
from dprnn.atomic import atomic_path, write_text

from .memory import MEMORY_KEY


class NotASearchError(DPRNNError):
    pass


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError):
        return None      # a trial being written right now; skipped this time


def load_project(project_dir: str) -> dict:
    oracle_path = os.path.join(project_dir, "oracle.json")
    if not os.path.isdir(project_dir):
        raise NotASearchError(f"{project_dir}: folder does not exist")
    oracle = _read_json(oracle_path) if os.path.isfile(oracle_path) else None
    trial_files = sorted(glob.glob(os.path.join(project_dir, "trial_*", "trial.json")))
    if oracle is None and not trial_files:
        raise NotASearchError(f"{project_dir}: not a keras-tuner search (no oracle.json, no trial_*/trial.json)")
    objective, direction = None, "max"
    trials = []
    for path in trial_files:
        raw = _read_json(path)
        if not raw:
            continue
        values = dict((raw.get("hyperparameters") or {}).get("values") or {})
        tuner = {k.split("/", 1)[1]: values.pop(k) for k in list(values) if k.startswith("tuner/")}
        memory = values.pop(MEMORY_KEY, None)
        metrics = (raw.get("metrics") or {}).get("metrics") or {}
        if objective is None:
            objective = _guess_objective(metrics, raw.get("score"))
            direction = _direction(metrics, objective)
        history = _epoch_history(os.path.dirname(path), objective)
        if not history:
            for obs in (metrics.get(objective) or {}).get("observations", []):
                value = obs.get("value")
                value = value[0] if isinstance(value, list) and value else value
                history.append((int(obs.get("step", 0)), float(value)))
        message = (raw.get("message") or "").strip()
        trials.append({
            "trial_id": raw.get("trial_id"), "status": raw.get("status"), "hyperparameters": values,
            "score": raw.get("score"), "best_step": raw.get("best_step"),
            "epochs": (max(s for s, _ in history) + 1) if history else (tuner.get("epochs") or 0),
            "memory_gb": memory, "bracket": tuner.get("bracket"), "round": tuner.get("round"),
            "parent": tuner.get("trial_id"), "target_epochs": tuner.get("epochs"),
            "history": history, "message": message.splitlines()[-1] if message else "",
        })
    counts = {}
    for t in trials:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    scored = [t for t in trials if t["status"] == "COMPLETED" and t["score"] is not None]
    best = None
    if scored:
        best = (max if direction == "max" else min)(scored, key=lambda t: t["score"])
    return {"project": project_dir, "objective": objective, "direction": direction, "trials": trials,
            "counts": counts, "best": best, "importance": importance(scored)}


def _guess_objective(metrics: dict, score):
    """keras-tuner does not store the objective's name: take the metric whose best value is the score."""
    if score is None:
        return None
    for name, metric in metrics.items():
        for obs in metric.get("observations", []):
            value = obs.get("value")
            value = value[0] if isinstance(value, list) and value else value
            if value is not None and abs(float(value) - float(score)) < 1e-12:
                return name
    return None


def _direction(metrics: dict, name):
    return (metrics.get(name) or {}).get("direction", "max") if name else "max"


def _epoch_history(trial_dir: str, objective):
    """Per-epoch values written by this project's trials (history.json), if any."""
    raw = _read_json(os.path.join(trial_dir, "history.json")) if objective else None
    if not raw:
        return []
    return [(int(e["epoch"]), float(e[objective])) for e in raw.get("epochs", []) if objective in e]


def importance(trials: list) -> list:
    """Hyperparameters ranked by the share of the score variance their values explain (eta squared)."""
    if len(trials) < 3:
        return []
    scores = np.array([t["score"] for t in trials], float)
    total = np.sum((scores - scores.mean()) ** 2)
    if total <= 0:
        return []
    ranked = []
    for name in sorted({k for t in trials for k in t["hyperparameters"]}):
        values = [t["hyperparameters"].get(name) for t in trials]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and len(set(values)) > 6:
            x = np.log(np.array(values, float)) if min(values) > 0 else np.array(values, float)
            fit = np.polyval(np.polyfit(x, scores, 1), x)          # continuous: linear R^2
            explained = 1 - np.sum((scores - fit) ** 2) / total
        else:
            groups = {}
            for v, s in zip(values, scores):
                groups.setdefault(str(v), []).append(s)
            explained = sum(len(g) * (np.mean(g) - scores.mean()) ** 2 for g in groups.values()) / total
        ranked.append((name, float(explained)))
    return sorted(ranked, key=lambda r: -r[1])


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_table(summary: dict, top: int = 10) -> str:
    trials = summary["trials"]
    names = sorted({k for t in trials for k in t["hyperparameters"]})
    reverse = summary["direction"] == "max"
    ordered = sorted(trials, key=lambda t: (t["score"] is None, -(t["score"] or 0) if reverse else (t["score"] or 0)))
    header = ["trial", "status", *names, "mem GB", "epochs", "b/r", summary["objective"] or "score"]
    rows = [header]
    for t in ordered[:top] if top else ordered:
        rows.append([t["trial_id"], t["status"], *[_fmt(t["hyperparameters"].get(n, "")) for n in names],
                     _fmt(t["memory_gb"]) if t["memory_gb"] is not None else "-", str(t["epochs"]),
                     f"{t['bracket']}/{t['round']}" if t["bracket"] is not None else "-",
                     _fmt(t["score"]) if t["score"] is not None else "-"])
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows]
    counts = ", ".join(f"{k.lower()} {v}" for k, v in sorted(summary["counts"].items()))
    lines.append(f"{len(trials)} trials ({counts})" + (f"; showing the top {top}" if top and len(trials) > top else ""))
    best = summary["best"]
    if best:
        hp = ", ".join(f"{k}={_fmt(v)}" for k, v in best["hyperparameters"].items())
        lines.append(f"best: trial {best['trial_id']} {summary['objective']}={_fmt(best['score'])} ({hp})")
    if summary["importance"]:
        lines.append("variance of the score explained: " +
                     ", ".join(f"{n} {v:.0%}" for n, v in summary["importance"]))
    failed = [t for t in trials if t["status"] in ("FAILED", "INVALID") and t["message"]]
    for t in failed[:5]:
        lines.append(f"trial {t['trial_id']} {t['status'].lower()}: {t['message'][:160]}")
    return "\n".join(lines)


def to_csv(summary: dict, path: str) -> None:
    names = sorted({k for t in summary["trials"] for k in t["hyperparameters"]})
    import io
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["trial_id", "status", *names, "memory_gb", "epochs", "bracket", "round", "score"])
    for t in summary["trials"]:
        writer.writerow([t["trial_id"], t["status"], *[t["hyperparameters"].get(n, "") for n in names],
                         t["memory_gb"], t["epochs"], t["bracket"], t["round"], t["score"]])
    write_text(path, buffer.getvalue())


def plot_project(summary: dict, path: str) -> None:
    """Hyperband rounds, each hyperparameter against the score, and parallel coordinates."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    trials = summary["trials"]
    scored = [t for t in trials if t["score"] is not None and t["status"] == "COMPLETED"]
    names = sorted({k for t in trials for k in t["hyperparameters"]})
    cols = max(2, len(names))
    fig = plt.figure(figsize=(4 * cols, 11))
    grid = fig.add_gridspec(3, cols)
    objective = summary["objective"] or "score"

    ax = fig.add_subplot(grid[0, :])
    brackets = sorted({t["bracket"] for t in trials if t["bracket"] is not None})
    colours = plt.cm.viridis(np.linspace(0, 0.9, max(1, len(brackets))))
    by_id = {t["trial_id"]: t for t in trials}
    for t in trials:
        if not t["history"]:
            continue
        steps, values = zip(*sorted(t["history"]))
        steps, values = list(steps), list(values)
        parent = by_id.get(t["parent"])
        if parent and parent["history"]:      # draw a promotion as a continuation of its parent
            last = sorted(parent["history"])[-1]
            steps, values = [last[0]] + steps, [last[1]] + values
        colour = colours[brackets.index(t["bracket"])] if t["bracket"] in brackets else "grey"
        ax.plot(np.array(steps) + 1, values, "-o", color=colour, ms=3, lw=1)
        ax.annotate(f"b{t['bracket']}r{t['round']}", (steps[-1] + 1, values[-1]), fontsize=7)
    ax.set_xlabel("epoch")
    ax.set_ylabel(objective)
    ax.set_title("Hyperband rounds (one line per trial; colour = bracket, label = bracket/round)")

    for i, name in enumerate(names):
        ax = fig.add_subplot(grid[1, i])
        xs = [t["hyperparameters"].get(name) for t in scored]
        labels = sorted({str(x) for x in xs}, key=lambda s: (len(s), s))
        numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs) and len(labels) > 6
        if numeric:
            ax.scatter(xs, [t["score"] for t in scored], s=12)
            ax.set_xscale("log" if min(xs) > 0 else "linear")
        else:
            ax.scatter([labels.index(str(x)) for x in xs], [t["score"] for t in scored], s=12)
            ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel(name)
        ax.set_ylabel(objective if i == 0 else "")

    ax = fig.add_subplot(grid[2, :])
    if scored and names:
        table = []
        for name in names:
            xs = [t["hyperparameters"].get(name) for t in scored]
            labels = sorted({str(x) for x in xs}, key=lambda s: (len(s), s))
            if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs):
                arr = np.array(xs, float)
                span = arr.max() - arr.min()
                table.append((arr - arr.min()) / span if span else np.full(len(xs), 0.5))
            else:
                table.append(np.array([labels.index(str(x)) / max(1, len(labels) - 1) for x in xs]))
        scores = np.array([t["score"] for t in scored])
        span = scores.max() - scores.min()
        table.append((scores - scores.min()) / span if span else np.full(len(scores), 0.5))
        table = np.array(table)
        order = np.argsort(scores)
        cmap = plt.cm.plasma
        for j in order:
            ax.plot(range(len(names) + 1), table[:, j], color=cmap((scores[j] - scores.min()) / (span or 1)), alpha=0.7)
        ax.set_xticks(range(len(names) + 1), [*names, objective])
        ax.set_yticks([])
        ax.set_title("parallel coordinates (colour = score)")
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=80, format="png")
    plt.close(fig)
