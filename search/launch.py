"""`launch`: check everything, record the project, print the plan, run Hyperband."""
from __future__ import annotations

import os
import shutil
import time

import keras

from dprnn.atomic import remove_stale_temporaries
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


def role() -> str:
    """keras-tuner's distributed mode from its environment variables: chief, worker or single.

    KERASTUNER_TUNER_ID alone (no address) means loopback: the oracle never listens on another
    interface unless KERASTUNER_ORACLE_IP names one.
    """
    if "KERASTUNER_TUNER_ID" in os.environ and "KERASTUNER_ORACLE_PORT" in os.environ:
        os.environ.setdefault("KERASTUNER_ORACLE_IP", "127.0.0.1")
    if "KERASTUNER_ORACLE_IP" not in os.environ:
        return "single"
    for name in ("KERASTUNER_ORACLE_PORT", "KERASTUNER_TUNER_ID"):
        if name not in os.environ:
            raise DPRNNError(f"{name}: must be set with KERASTUNER_ORACLE_IP for a distributed search")
    return "chief" if "chief" in os.environ["KERASTUNER_TUNER_ID"] else "worker"


def _wait_for_chief(project_dir: str, seconds: float = 300.0):
    from .data import SUBSET_FILES
    needed = [os.path.join(project_dir, n) for n in ("config.yaml", *SUBSET_FILES.values())]
    deadline = time.time() + seconds
    while not all(os.path.isfile(p) for p in needed):
        if time.time() > deadline:
            raise DPRNNError(f"{project_dir}: the chief has not written config.yaml and the subsets after "
                             f"{seconds:.0f} s (start the chief first, with the same --trials-dir)")
        time.sleep(0.5)


def launch(config_path: str, data_root: str | None = None, trials_dir: str = "trials",
           project: str | None = None, overwrite: bool = False, verbose: int = 0, timing: bool = True):
    """Runs (or resumes) a search; returns the tuner. Raises DPRNNError subclasses on bad input."""
    cfg = load_config(config_path, data_root)
    project = project or os.path.splitext(os.path.basename(config_path))[0]
    project_dir = os.path.join(trials_dir, project)
    mode = role()
    feasible = check_feasible(cfg)
    if mode == "worker":       # the chief owns the project folder; a worker joins what it wrote
        if overwrite:
            raise DPRNNError("--overwrite: only the chief (KERASTUNER_TUNER_ID=chief) may start over")
        _wait_for_chief(project_dir)
        overwrite = False
    resume = (is_search(project_dir) or mode == "worker") and not overwrite
    if resume:
        changes = resume_changes(read_config(project_dir), cfg)
        if changes:
            raise DPRNNError(f"{project_dir}: cannot resume, {changes[0]}"
                             + (f" (and {len(changes) - 1} more changes)" if len(changes) > 1 else "")
                             + "; use --overwrite to start over")
    opened = open_data(cfg, root_named_by_user=bool(data_root))   # every file checked before anything is written
    if overwrite and os.path.exists(project_dir):
        shutil.rmtree(project_dir)
    os.makedirs(project_dir, exist_ok=True)
    if resume and mode == "single":
        remove_stale_temporaries(project_dir)   # half-saved files of a killed run (never a live one's)
    data = prepare_data(cfg, project_dir, subsets=True, resume=resume, opened=opened)
    if mode != "worker":
        write_config(project_dir, cfg)
    for note in data.notes:
        print(note)
    print(f"{'resuming' if resume else 'starting'} search {project_dir}: {len(data.train)} train and "
          f"{len(data.valid)} valid mixtures, {feasible['fit']} of {feasible['total']} configurations fit "
          f"{cfg.budget.memory_gb:g} GB on profile {feasible['profile']}", flush=True)
    step = None
    if timing and mode == "single":
        largest = feasible["largest_fit"][0] if feasible["largest_fit"] else grid(cfg.space)[0]
        step = warmup_step_seconds(cfg, largest, data)
    if mode != "worker":
        print(format_plan(cfg, step, _validation_seconds(step, cfg, data.valid_examples) if step else None),
              flush=True)
    if mode == "chief":
        print(f"chief: serving the oracle on {os.environ['KERASTUNER_ORACLE_IP']}:"
              f"{os.environ['KERASTUNER_ORACLE_PORT']} until the workers finish", flush=True)

    configure_precision(cfg.train.mixed_precision)
    child_trials = None
    if cfg.search.subprocess_trials:
        child_trials = {"project_dir": os.path.abspath(project_dir), "data_root": os.path.abspath(cfg.data.root),
                        "log_dir": os.path.abspath(os.path.join(project_dir, "logs")), "verbose": verbose}
    tuner = DPRNNHyperband(make_oracle(cfg), DPRNNHyperModel(cfg, data, verbose=verbose), child_trials=child_trials,
                           directory=trials_dir, project_name=project, overwrite=False,
                           distribution_strategy=distribution_strategy(cfg.train.distribute))
    start = time.time()
    try:
        tuner.search(callbacks=[keras.callbacks.TensorBoard(os.path.join(project_dir, "logs"),
                                                            write_graph=False, profile_batch=0)])
    except RuntimeError as err:
        if "consecutive failures exceeded" not in str(err):
            raise
        message = str(err).strip().splitlines()
        reason = next((line for line in reversed(message) if line.strip()), "")
        limit = cfg.search.max_consecutive_failed_trials
        failed = f"{limit} consecutive trials failed" if limit > 1 else "a trial failed"
        raise SearchError(f"search stopped: {failed} (search.max_consecutive_failed_trials: {limit}; "
                          f"last: {reason.strip()[:200]})") from None
    print(f"search finished in {(time.time() - start) / 60:.1f} min", flush=True)
    trials = list(tuner.oracle.trials.values()) if mode != "worker" else []   # a worker's oracle is a client
    if trials and not any(t.status == "COMPLETED" for t in trials):
        last = (trials[-1].message or "").strip().splitlines()
        raise SearchError(f"search finished without a completed trial ({len(trials)} failed; last: "
                          f"{last[-1][:200] if last else trials[-1].status})")
    return tuner
