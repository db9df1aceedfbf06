"""The search end to end through the command line: launch, SIGKILL, resume, inspect; the oracle on
its own; refusals."""
import json
import os
import signal
import subprocess
import sys
import time

from conftest import ROOT, SMOKE, completed_scores, run_cli

SMOKE_TRIALS = 6          # Hyperband max_epochs=3, factor=3: brackets of 3+1 and 2 trials


def test_resumed_search_finishes_every_planned_trial(smoke_search):
    result = smoke_search["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "resuming search" in result.stdout
    assert "Hyperband plan" in result.stdout and "total: 6 trials" in result.stdout
    assert "Complete" in result.stdout                      # keras-tuner's own progress lines
    after = completed_scores(smoke_search["project"])
    assert len(after) == SMOKE_TRIALS
    for trial_id, score in smoke_search["before"].items():  # finished trials keep their scores
        assert after[trial_id] == score


def test_project_folder_is_a_keras_tuner_project_with_config_and_subsets(smoke_search):
    project = smoke_search["project"]
    for name in ("oracle.json", "config.yaml", "subset_train.txt", "subset_valid.txt"):
        assert os.path.isfile(os.path.join(project, name)), name
    with open(os.path.join(project, "subset_train.txt")) as f:
        assert len(f.read().split()) == 24
    with open(os.path.join(project, "trial_0000", "trial.json")) as f:
        values = json.load(f)["hyperparameters"]["values"]
    assert set(values) >= {"blocks", "chunk_size", "hidden_units", "norm_scaling", "memory/peak_gb"}
    assert 0 < values["memory/peak_gb"] <= 11


def test_inspect_json_csv_and_plot(smoke_search, tmp_path):
    csv_path, png_path = tmp_path / "t.csv", tmp_path / "t.png"
    result = run_cli("search", "inspect", smoke_search["project"], "--json", "--csv", str(csv_path),
                     "--plot", str(png_path))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert len(summary["trials"]) == SMOKE_TRIALS
    best = summary["best"]
    assert best["score"] == max(t["score"] for t in summary["trials"] if t["score"] is not None)
    assert {"trial_id", "status", "hyperparameters", "score", "memory_gb", "epochs"} <= set(summary["trials"][0])
    assert csv_path.read_text().count("\n") == SMOKE_TRIALS + 1
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = run_cli("search", "inspect", smoke_search["project"])
    assert "best: trial" in table.stdout and "completed 6" in table.stdout


def test_resume_with_a_changed_setting_is_refused(smoke_search, tmp_path):
    changed = tmp_path / "smoke.yaml"
    changed.write_text(open(SMOKE).read().replace("max_epochs: 3", "max_epochs: 9"))
    args = smoke_search["args"]
    result = run_cli("search", "launch", "--config", str(changed), *args[args.index("--data-root"):])
    assert result.returncode == 1
    assert "search.max_epochs changed from 3 to 9" in result.stderr and "--overwrite" in result.stderr


def test_a_space_that_cannot_fit_stops_before_starting(tmp_path):
    tight = tmp_path / "tight.yaml"
    tight.write_text(open(SMOKE).read().replace("memory_gb: 11", "memory_gb: 0.5"))
    result = run_cli("search", "launch", "--config", str(tight), "--trials-dir", str(tmp_path / "trials"),
                     "--data-root", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "no configuration of the space fits 0.5 GB" in result.stderr
    assert "smallest estimate is" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "trials").exists()


def test_inspect_refuses_a_folder_that_is_not_a_search(tmp_path):
    result = run_cli("search", "inspect", str(tmp_path))
    assert result.returncode == 1
    assert "not a keras-tuner search" in result.stderr and "Traceback" not in result.stderr


def test_inspect_reads_a_plain_keras_tuner_project(tmp_path):
    """A project written by another program: keras-tuner's RandomSearch on a toy model."""
    script = f"""
import numpy as np, keras, keras_tuner as kt
def build(hp):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(hp.Choice("units", [2, 4, 8])), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-3, 1e-1, sampling="log")), loss="mse")
    return m
x = np.random.default_rng(0).standard_normal((64, 3)); y = x.sum(axis=1, keepdims=True)
t = kt.RandomSearch(build, objective="val_loss", max_trials=4, directory={str(tmp_path)!r}, project_name="toy", seed=1)
t.search(x, y, validation_split=0.25, epochs=2, verbose=0)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = run_cli("search", "inspect", str(tmp_path / "toy"), "--json", "--plot", str(tmp_path / "toy.png"))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["objective"] == "val_loss" and summary["direction"] == "min"
    assert len(summary["trials"]) == 4
    assert summary["best"]["score"] == min(t["score"] for t in summary["trials"])
    assert set(summary["best"]["hyperparameters"]) == {"units", "lr"}


def test_memory_aware_oracle_only_samples_what_fits(tmp_path):
    """The oracle alone, with a fake objective: no model is trained."""
    import keras_tuner as kt
    from search.oracle import MemoryAwareHyperbandOracle

    hp = kt.HyperParameters()
    hp.Choice("blocks", [1, 2, 3, 4, 5, 6])
    hp.Choice("hidden_units", [64, 128])
    fits = lambda values: (values["blocks"] * values["hidden_units"] <= 256, values["blocks"] * 2**30)
    oracle = MemoryAwareHyperbandOracle(objective=kt.Objective("score", "max"), max_epochs=9, factor=3,
                                        hyperparameters=hp, seed=0, feasibility=fits)
    oracle._set_project_dir(str(tmp_path), "oracle")
    seen = []
    for _ in range(40):
        trial = oracle.create_trial("tuner0")
        if trial.status == "STOPPED":
            break
        if trial.status == "IDLE":
            continue
        values = trial.hyperparameters.values
        assert values["blocks"] * values["hidden_units"] <= 256
        assert values["memory/peak_gb"] == values["blocks"]
        seen.append((values["blocks"], values["hidden_units"]))
        oracle.update_trial(trial.trial_id, {"score": float(values["blocks"])}, step=values["tuner/epochs"])
        trial.status = "COMPLETED"
        oracle.end_trial(trial)
    # every feasible point is sampled (then promoted), none of the others
    assert set(seen) == {(1, 64), (2, 64), (3, 64), (4, 64), (1, 128), (2, 128)}
    assert oracle.rejected > 0
    nothing = MemoryAwareHyperbandOracle(objective=kt.Objective("score", "max"), max_epochs=3, factor=3,
                                         hyperparameters=hp, seed=0, feasibility=lambda v: (False, 0),
                                         max_attempts=50)
    nothing._set_project_dir(str(tmp_path), "nothing")
    assert nothing.create_trial("tuner0").status == "STOPPED"


def test_distributed_search_with_a_chief_and_two_workers_on_loopback(tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    args = [sys.executable, "-m", "search", "launch", "--config", SMOKE, "--data-root", str(tmp_path / "data"),
            "--trials-dir", str(tmp_path / "trials"), "--project", "dist"]
    base_env = {**os.environ, "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": port}
    chief = subprocess.Popen(args, cwd=ROOT, env={**base_env, "KERASTUNER_TUNER_ID": "chief"},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    workers = [subprocess.Popen(args, cwd=ROOT, env={**base_env, "KERASTUNER_TUNER_ID": f"tuner{i}"},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for i in range(2)]
    project = tmp_path / "trials" / "dist"
    try:
        # One worker is SIGKILLed once a trial has completed and started again with the same command:
        # the chief hands it back the trial it was running.
        deadline = time.time() + 300
        while not (project.exists() and completed_scores(str(project))):
            assert time.time() < deadline and workers[0].poll() is None, "no trial completed"
            time.sleep(0.2)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        before = completed_scores(str(project))
        workers[0] = subprocess.Popen(args, cwd=ROOT, env={**base_env, "KERASTUNER_TUNER_ID": "tuner0"},
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        outputs = [w.communicate(timeout=600)[0] for w in workers]
        chief_out = chief.communicate(timeout=120)[0]
    finally:
        for p in [chief, *workers]:
            if p.poll() is None:
                p.kill()
    assert chief.returncode == 0, chief_out[-3000:]
    for w, out in zip(workers, outputs):
        assert w.returncode == 0, out[-3000:]
    after = completed_scores(str(project))
    assert len(after) == SMOKE_TRIALS and all(after[t] == before[t] for t in before)
    assert (project / "tuner0.json").exists() and (project / "tuner1.json").exists()
    assert "serving the oracle on 127.0.0.1" in chief_out


def test_each_trial_builds_from_its_own_reproducible_seed():
    import keras_tuner as kt
    import numpy as np
    from search.config import load_config
    from search.hypermodel import DPRNNHyperModel
    from search.tuner import trial_seed

    hypermodel = DPRNNHyperModel(load_config(SMOKE), data=None)
    hp = kt.HyperParameters()
    hp.values = {"blocks": 1, "chunk_size": 32, "hidden_units": 16, "norm_scaling": "none"}

    def weights(trial_id):
        hypermodel.trial_seed = trial_seed(0, trial_id)
        return [np.asarray(w) for w in hypermodel.build(hp).weights]

    first, again, other = weights("0003"), weights("0003"), weights("0004")
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))
