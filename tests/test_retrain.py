"""Retraining the best trial, resuming a killed retraining, and `evaluate` against a direct computation."""
import csv
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT, run_cli


def test_retrain_one_epoch_writes_model_and_reports(smoke_search, tmp_path):
    out = tmp_path / "retrain"
    result = run_cli("search", "retrain", smoke_search["project"], "--epochs", "1", "--steps-per-epoch", "3",
                     "--out", str(out), "--verbose", "0")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for name in ("model.keras", "report.json", "per_utterance.csv", "config.yaml", "summary.json"):
        assert (out / name).is_file(), name
    report = json.loads((out / "report.json").read_text())
    assert report["count"] == 6 and {"mean_si_snri", "mean_si_snr", "mean_sdri"} <= set(report)
    rows = list(csv.DictReader((out / "per_utterance.csv").open()))
    assert len(rows) == 6
    assert np.mean([float(r["si_snri"]) for r in rows]) == pytest.approx(report["mean_si_snri"], abs=1e-3)
    # train.audio_examples (1 in smoke.yaml) separated test mixtures, as wavs
    assert len(os.listdir(out / "examples" / "s1")) == 1 and len(os.listdir(out / "examples" / "s2")) == 1
    best = json.loads(run_cli("search", "inspect", smoke_search["project"], "--json").stdout)["best"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trial_id"] == best["trial_id"] and summary["hyperparameters"] == best["hyperparameters"]
    assert os.path.isdir(out / "logs" / "audio")


def test_evaluate_matches_a_direct_computation(smoke_search, tmp_path):
    out = tmp_path / "r"
    assert run_cli("search", "retrain", smoke_search["project"], "--epochs", "1", "--steps-per-epoch", "2",
                   "--out", str(out), "--verbose", "0").returncode == 0
    data = str(smoke_search["base"] / "data")
    report_path = tmp_path / "eval.json"
    result = run_cli("dprnn", "evaluate", "--model", str(out / "model.keras"), "--data", data, "--split", "tt",
                     "--limit", "3", "--json", str(report_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    import keras
    import soundfile as sf
    import dprnn  # noqa: F401
    from dprnn.metrics import sdr, si_snr
    model = keras.models.load_model(out / "model.keras")
    test_dir = os.path.join(data, "wav8k", "min", "tt")
    names = sorted(os.listdir(os.path.join(test_dir, "mix_clean")))[:3]
    direct = []
    for name in names:
        mix, _ = sf.read(os.path.join(test_dir, "mix_clean", name), dtype="float32")
        refs = np.stack([sf.read(os.path.join(test_dir, s, name), dtype="float32")[0] for s in ("s1", "s2")])
        est = np.asarray(model.predict_on_batch(mix[None]))[0].astype(np.float64)
        best = max([(0, 1), (1, 0)], key=lambda p: si_snr(refs[0], est[p[0]]) + si_snr(refs[1], est[p[1]]))
        direct.append({
            "si_snr": np.mean([si_snr(refs[j], est[best[j]]) for j in range(2)]),
            "si_snri": np.mean([si_snr(refs[j], est[best[j]]) - si_snr(refs[j], mix) for j in range(2)]),
            "sdri": np.mean([sdr(refs[j], est[best[j]]) - sdr(refs[j], mix) for j in range(2)])})
    assert report["count"] == 3
    for key in ("si_snr", "si_snri", "sdri"):
        assert report[f"mean_{key}"] == pytest.approx(np.mean([d[key] for d in direct]), abs=1e-3)
    assert [u["utterance"] for u in report["utterances"]] == names


def test_killed_retraining_resumes_from_its_last_finished_epoch(smoke_search, tmp_path):
    out = tmp_path / "killed"
    args = [sys.executable, "-m", "search", "retrain", smoke_search["project"], "--epochs", "4",
            "--steps-per-epoch", "3", "--out", str(out), "--verbose", "2"]
    history = out / "history.json"
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 300
    while not (history.exists() and len(json.loads(history.read_text())["epochs"]) >= 2):
        assert first.poll() is None, first.stdout.read()
        assert time.time() < deadline
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait()
    finished = len(json.loads(history.read_text())["epochs"])
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    epochs = [e["epoch"] for e in json.loads(history.read_text())["epochs"]]
    assert epochs == [0, 1, 2, 3]
    assert "Epoch 1/4" not in second.stdout                 # nothing finished was trained again
    assert f"Epoch {finished + 1}/4" in second.stdout or finished == 4
    assert (out / "model.keras").is_file() and (out / "report.json").is_file()
    assert not [p for p in os.listdir(out) if p.startswith(".tmp-")]
