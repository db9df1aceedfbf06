"""Failing trials, bad input through the command line, and what is left on disk."""
import json
import os

import pytest
import yaml

from conftest import SMOKE, run_cli


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


@pytest.mark.parametrize("problem, message", [
    ("no-root", "data root does not exist"),
    ("empty-root", "no wav8k/wav16k folder"),
    ("missing-s2", "s2/"),
])
def test_bad_data_fails_the_launch_and_leaves_no_trial_folder(tmp_path, problem, message):
    root = tmp_path / "corpus"
    if problem == "empty-root":
        root.mkdir()
    elif problem == "missing-s2":
        from dprnn.demo_data import make_demo_corpus
        make_demo_corpus(str(root), seed=5, sizes={"tr": 3, "cv": 2, "tt": 2})
        victim = sorted((root / "wav8k" / "min" / "tr" / "s2").iterdir())[1]
        victim.unlink()
        message = f"s2/{victim.name}: file does not exist"
    config = smoke_variant(tmp_path, data={"demo": False})
    result = run_cli("search", "launch", "--config", config, "--data-root", str(root),
                     "--trials-dir", str(tmp_path / "trials"))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
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
