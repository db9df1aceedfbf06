"""`launch`: check everything, record the project, print the plan, run Hyperband."""
from __future__ import annotations

import os
import shutil
import time

import keras

from dprnn.errors import DPRNNError
from dprnn.training import configure_precision, distribution_strategy

from .config import load_config
from .data import open_data, prepare_data
from .hypermodel import DPRNNHyperModel, warmup_step_seconds
from .project import is_search, read_config, resume_changes, write_config
from .space import check_feasible, grid
from .tuner import DPRNNHyperband, hyperband_plan, make_oracle, plan_epochs


class SearchError(DPRNNError):
    """The search could not go on (too many failed trials, ...)."""


def format_plan(cfg, step_seconds: float | None, validation_seconds: float | None) -> str:
    s = cfg.search
    plan = hyperband_plan(s.max_epochs, s.factor, s.hyperband_iterations)
    trials, epochs = plan_epochs(plan)
    lines = [f"Hyperband plan: max_epochs={s.max_epochs} factor={s.factor} "
             f"iterations={s.hyperband_iterations}, {s.steps_per_epoch} steps per epoch"]
    for b in plan:
        rounds = ", ".join(f"{size} trials to epoch {until}" for size, until in b["rounds"])
        lines.append(f"  bracket {b['bracket']}: {rounds}")
    lines.append(f"  total: {trials} trials, {epochs} epochs ({epochs * s.steps_per_epoch} training steps)")
    if step_seconds is not None:
        per_epoch = s.steps_per_epoch * step_seconds + (validation_seconds or 0.0)
        lines.append(f"  estimated wall time: {epochs * per_epoch / 60:.1f} min "
                     f"({step_seconds:.3f} s per step from a warm-up, "
                     f"{validation_seconds or 0:.1f} s validation per epoch)")
    return "\n".join(lines)


def _validation_seconds(step_seconds: float, cfg, examples) -> float:
    # A forward pass costs about a third of a training step per sample.
    segment = cfg.data.segment_seconds * cfg.data.sample_rate * cfg.train.batch_size
    samples = sum(len(m) for _, m, _ in examples)
    return step_seconds / 3 * samples / max(segment, 1)


def launch(config_path: str, data_root: str | None = None, trials_dir: str = "trials",
           project: str | None = None, overwrite: bool = False, verbose: int = 0, timing: bool = True):
    """Runs (or resumes) a search; returns the tuner. Raises DPRNNError subclasses on bad input."""
    cfg = load_config(config_path, data_root)
    project = project or os.path.splitext(os.path.basename(config_path))[0]
    project_dir = os.path.join(trials_dir, project)
    feasible = check_feasible(cfg)
    resume = is_search(project_dir) and not overwrite
    if resume:
        changes = resume_changes(read_config(project_dir), cfg)
        if changes:
            raise DPRNNError(f"{project_dir}: cannot resume, {changes[0]}"
                             + (f" (and {len(changes) - 1} more changes)" if len(changes) > 1 else "")
                             + "; use --overwrite to start over")
    opened = open_data(cfg)                      # every file checked before anything is written
    if overwrite and os.path.exists(project_dir):
        shutil.rmtree(project_dir)
    os.makedirs(project_dir, exist_ok=True)
    data = prepare_data(cfg, project_dir, subsets=True, resume=resume, opened=opened)
    write_config(project_dir, cfg)
    for note in data.notes:
        print(note)
    print(f"{'resuming' if resume else 'starting'} search {project_dir}: {len(data.train)} train and "
          f"{len(data.valid)} valid mixtures, {feasible['fit']} of {feasible['total']} configurations fit "
          f"{cfg.budget.memory_gb:g} GB on profile {feasible['profile']}", flush=True)
    step = None
    if timing:
        largest = feasible["largest_fit"][0] if feasible["largest_fit"] else grid(cfg.space)[0]
        step = warmup_step_seconds(cfg, largest, data)
    print(format_plan(cfg, step, _validation_seconds(step, cfg, data.valid_examples) if step else None), flush=True)

    configure_precision(cfg.train.mixed_precision)
    tuner = DPRNNHyperband(make_oracle(cfg), DPRNNHyperModel(cfg, data, verbose=verbose),
                           directory=trials_dir, project_name=project, overwrite=False,
                           distribution_strategy=distribution_strategy(cfg.train.distribute))
    start = time.time()
    try:
        tuner.search(callbacks=[keras.callbacks.TensorBoard(os.path.join(project_dir, "logs"),
                                                            write_graph=False, profile_batch=0)])
    except RuntimeError as err:
        if "consecutive failures" in str(err) or "failed" in str(err).lower():
            last = [t for t in tuner.oracle.trials.values() if t.status == "FAILED"]
            reason = (last[-1].message or "").strip().splitlines()[-1] if last and last[-1].message else ""
            raise SearchError(f"search stopped: {cfg.search.max_consecutive_failed_trials} consecutive "
                              f"trials failed (last: {reason[:200]})") from None
        raise
    print(f"search finished in {(time.time() - start) / 60:.1f} min", flush=True)
    return tuner
