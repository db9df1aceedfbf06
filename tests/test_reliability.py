"""Failing trials, bad input through the command line, and what is left on disk."""
import json
import os

import pytest
import yaml

from conftest import SMOKE, completed_scores, run_cli
from search.tuner import hyperband_plan, plan_epochs


def smoke_variant(tmp_path, **sections):
    raw = yaml.safe_load(open(SMOKE))
    for section, values in sections.items():     # `space` is replaced, other sections are updated
        raw[section] = values if section == "space" else {**(raw.get(section) or {}), **values}
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def trial_records(project):
    records = []
    for name in sorted(os.listdir(project)):
        path = os.path.join(project, name, "trial.json")
        if name.startswith("trial_") and os.path.isfile(path):
            records.append(json.load(open(path)))
    return records


def test_diverging_trials_fail_with_their_reason_and_stop_the_search(tmp_path):
    config = smoke_variant(tmp_path, space={"blocks": [1, 2], "hidden_units": [16, 32], "learning_rate": [1.0e10]})
    result = run_cli("search", "launch", "--config", config, "--data-root", str(tmp_path / "data"),
                     "--trials-dir", str(tmp_path / "trials"), "--project", "nan", "--no-timing")
    assert result.returncode == 1, result.stdout[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: search stopped: 3 consecutive trials failed") and "diverged" in last
    records = trial_records(str(tmp_path / "trials" / "nan"))
    assert len(records) == 3 and all(r["status"] == "FAILED" for r in records)
    assert all("diverged: training loss became nan" in r["message"] for r in records)


def test_trials_that_run_out_of_memory_fail_with_their_reason(tmp_path):
    # A real out-of-memory: TensorFlow's CPU allocator capped at 40 MiB, below any smoke trial's step
    # (the allocator waits 10 s for memory before it gives up, so the first failure stops this search).
    config = smoke_variant(tmp_path, search={"max_consecutive_failed_trials": 1})
    result = run_cli("search", "launch", "--config", config, "--data-root", str(tmp_path / "data"),
                     "--trials-dir", str(tmp_path / "trials"), "--project", "oom", "--no-timing",
                     env={"TF_CPU_BFC_MEM_LIMIT_IN_MB": "40"})
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: search stopped: a trial failed") and "out of memory" in last
    records = trial_records(str(tmp_path / "trials" / "oom"))
    assert len(records) == 1 and all(r["status"] == "FAILED" for r in records)
    assert all("out of memory: OOM when allocating tensor" in r["message"] for r in records)


def test_a_search_where_every_trial_failed_exits_non_zero(tmp_path):
    config = smoke_variant(tmp_path, space={"blocks": [1, 2], "learning_rate": [1.0e10]})
    result = run_cli("search", "launch", "--config", config, "--data-root", str(tmp_path / "data"),
                     "--trials-dir", str(tmp_path / "trials"), "--project", "allnan", "--no-timing")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: search finished without a completed trial")


def test_failed_trials_do_not_stop_a_search_that_has_good_ones(tmp_path):
    config = smoke_variant(tmp_path, space={"blocks": [1, 2], "learning_rate": [0.002, 1.0e10]},
                           search={"max_epochs": 1, "factor": 3, "hyperband_iterations": 4, "steps_per_epoch": 2,
                                   "max_consecutive_failed_trials": 4})
    result = run_cli("search", "launch", "--config", config, "--data-root", str(tmp_path / "data"),
                     "--trials-dir", str(tmp_path / "trials"), "--project", "mixed", "--no-timing")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    records = trial_records(str(tmp_path / "trials" / "mixed"))
    statuses = {r["trial_id"]: r["status"] for r in records}
    rates = {r["trial_id"]: r["hyperparameters"]["values"]["learning_rate"] for r in records}
    assert {statuses[t] for t in statuses if rates[t] > 1} == {"FAILED"}
    assert {statuses[t] for t in statuses if rates[t] < 1} == {"COMPLETED"}
    table = run_cli("search", "inspect", str(tmp_path / "trials" / "mixed")).stdout
    assert "failed" in table and "diverged" in table


def spoil(path, problem):
    """Replaces one file of a mixture the way real corpora go wrong."""
    import numpy as np
    import soundfile as sf
    frames = sf.info(str(path)).frames
    if problem == "missing":
        path.unlink()
    elif problem == "corrupt":
        path.write_bytes(b"RIFF\x00\x00 this is not a wav file")
    elif problem == "rate":
        sf.write(str(path), np.zeros(frames), 16000)
    elif problem == "stereo":
        sf.write(str(path), np.zeros((frames, 2)), 8000)
    elif problem == "length":
        sf.write(str(path), np.zeros(frames + 40), 8000)


@pytest.mark.parametrize("problem, message", [
    ("no-root", "data root does not exist"),
    ("empty-root", "no wav8k/wav16k folder"),
    ("missing", "file does not exist"),
    ("corrupt", "not a readable audio file"),
    ("rate", "sample rate 16000 Hz, expected 8000 Hz"),
    ("stereo", "expected mono audio, got 2 channels"),
    ("length", "lengths differ"),
])
def test_bad_data_fails_the_launch_and_leaves_no_trial_folder(tmp_path, problem, message):
    root = tmp_path / "corpus"
    if problem == "empty-root":
        root.mkdir()
    elif problem != "no-root":
        from dprnn.demo_data import make_demo_corpus
        make_demo_corpus(str(root), seed=5, sizes={"tr": 3, "cv": 2, "tt": 2})
        victim = sorted((root / "wav8k" / "min" / "tr" / "s2").iterdir())[1]
        spoil(victim, problem)
        message = f"s2/{victim.name}: {message}"
    config = smoke_variant(tmp_path, data={"demo": False})
    result = run_cli("search", "launch", "--config", config, "--data-root", str(root),
                     "--trials-dir", str(tmp_path / "trials"))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "trials").exists()


def test_evaluate_refuses_missing_and_foreign_models(tmp_path, demo_corpus):
    missing = run_cli("dprnn", "evaluate", "--model", str(tmp_path / "x.keras"), "--data", demo_corpus)
    assert missing.returncode == 1 and "x.keras: model file does not exist" in missing.stderr
    import keras
    foreign = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    foreign.save(tmp_path / "foreign.keras")
    result = run_cli("dprnn", "evaluate", "--model", str(tmp_path / "foreign.keras"), "--data", demo_corpus)
    assert result.returncode == 1 and "not a dprnn separator" in result.stderr


def test_a_config_file_cannot_make_the_demo_corpus_write_outside(tmp_path):
    config = smoke_variant(tmp_path, data={"root": str(tmp_path / "elsewhere")})
    result = run_cli("search", "launch", "--config", config, "--trials-dir", str(tmp_path / "trials"))
    assert result.returncode == 1 and "outside the working directory" in result.stderr
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "trials").exists()


# Killed at exact moments (dprnn/faults.py: a real SIGKILL the Nth time a point is reached).
QUICK = {"search": {"max_epochs": 2, "factor": 2, "steps_per_epoch": 2, "seed": 0}}
QUICK_SPACE = {"blocks": [1, 2], "chunk_size": [32, 64], "hidden_units": [16, 32]}
# An uninterrupted run does exactly Hyperband's plan (test_search checks it on the smoke search).
QUICK_TRIALS = plan_epochs(hyperband_plan(2, 2))[0]
KILLS = ["trial-saved:1",                  # trial.json says COMPLETED, oracle.json still says running
         "before-rename@oracle.json:4",    # while saving the oracle
         "between-trials:1",               # a trial recorded, the next not begun
         "before-rename@trial.json:3"]     # while saving a trial


def finished_trials(project):
    """trial id -> (status, score, mtime of trial.json) for every trial that ended."""
    def mtime(trial_id):
        return os.stat(os.path.join(project, f"trial_{trial_id}", "trial.json")).st_mtime_ns
    return {r["trial_id"]: (r["status"], r["score"], mtime(r["trial_id"]))
            for r in trial_records(project) if r["status"] in ("COMPLETED", "FAILED")}


def test_a_search_killed_again_and_again_resumes_to_the_same_trials(tmp_path):
    config = smoke_variant(tmp_path, space=QUICK_SPACE, **QUICK)
    project = tmp_path / "trials" / "killed"
    finished = {}
    for point in [*KILLS, None]:
        result = run_cli("search", "launch", "--config", config, "--data-root", str(tmp_path / "data"),
                         "--trials-dir", str(tmp_path / "trials"), "--project", "killed", "--no-timing",
                         env={"DPRNN_KILL_AT": point} if point else None)
        assert result.returncode == (-9 if point else 0), (point, result.stderr[-2000:])
        now = finished_trials(str(project))
        # Every trial that had ended keeps its record untouched: same score, never run again.
        assert all(now[t] == finished[t] for t in finished), (point, finished, now)
        finished = now
    assert len(finished) == QUICK_TRIALS and all(status == "COMPLETED" for status, *_ in finished.values())
    assert not [n for _, _, names in os.walk(project) for n in names if n.startswith(".tmp-")]
    # keras-tuner's own reading of the folder agrees: nothing running, every trial ended once.
    oracle = json.load(open(project / "oracle.json"))
    assert not oracle["ongoing_trials"] and sorted(oracle["end_order"]) == sorted(finished)
