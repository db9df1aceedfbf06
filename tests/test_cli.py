"""`separate` and `bench` through the command line."""
import json

import numpy as np
import soundfile as sf

from conftest import run_cli


def tiny_model(tmp_path):
    from dprnn import DPRNNConfig, build_model
    from dprnn.modelio import save_model
    path = tmp_path / "tiny.keras"
    save_model(build_model(DPRNNConfig(encoder_filters=8, encoder_kernel=4, chunk_size=16, hidden_units=8,
                                       blocks=1, num_speakers=3)), str(path))
    return str(path)


def test_separate_writes_one_folder_per_speaker(tmp_path):
    model = tiny_model(tmp_path)
    inputs = []
    for name, n in (("a.wav", 1234), ("b.wav", 999)):
        sf.write(tmp_path / name, np.random.default_rng(n).standard_normal(n) * 0.1, 8000)
        inputs.append(str(tmp_path / name))
    result = run_cli("dprnn", "separate", "--model", model, *inputs, "--out-dir", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    for spk in ("s1", "s2", "s3"):
        for name, n in (("a.wav", 1234), ("b.wav", 999)):
            data, rate = sf.read(tmp_path / "out" / spk / name)
            assert rate == 8000 and data.shape == (n,)


def test_separate_refuses_another_sample_rate_and_writes_nothing(tmp_path):
    model = tiny_model(tmp_path)
    sf.write(tmp_path / "ok.wav", np.zeros(800), 8000)
    sf.write(tmp_path / "wide.wav", np.zeros(1600), 16000)
    result = run_cli("dprnn", "separate", "--model", model, str(tmp_path / "ok.wav"), str(tmp_path / "wide.wav"),
                     "--out-dir", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "wide.wav: sample rate 16000 Hz, expected 8000 Hz" in result.stderr
    assert not (tmp_path / "out").exists()


def test_separate_refuses_missing_and_foreign_models(tmp_path):
    sf.write(tmp_path / "ok.wav", np.zeros(800), 8000)
    missing = run_cli("dprnn", "separate", "--model", str(tmp_path / "none.keras"), str(tmp_path / "ok.wav"),
                      "--out-dir", str(tmp_path / "out"))
    assert missing.returncode == 1 and "none.keras: model file does not exist" in missing.stderr
    (tmp_path / "foreign.keras").write_text("not a model")
    foreign = run_cli("dprnn", "separate", "--model", str(tmp_path / "foreign.keras"), str(tmp_path / "ok.wav"),
                      "--out-dir", str(tmp_path / "out"))
    assert foreign.returncode == 1 and "foreign.keras: not a .keras model file" in foreign.stderr


def test_bench_prints_the_timing_json(tmp_path):
    result = run_cli("dprnn", "bench", "--encoder-filters", "16", "--chunk-size", "32", "--hidden-units", "16",
                     "--blocks", "1", "--segment-samples", "2048", "--steps", "2", "--json", str(tmp_path / "b.json"))
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert json.loads((tmp_path / "b.json").read_text()) == printed
    assert printed["step_seconds"] > 0 and printed["peak_bytes"] > 0
    assert printed["audio_seconds_per_second"] == 2 * 2048 / 8000 / printed["step_seconds"]


def test_windowed_separation_agrees_with_whole_utterances():
    """Audio too long for the budget is separated in overlapping windows, speakers aligned."""
    from dprnn.separate import separate_array

    class Oracle:  # a "model" that separates perfectly (sources known), permuting speakers per call
        def __init__(self, sources):
            self.sources, self.calls = sources, 0

        def predict_on_batch(self, x):
            n = x.shape[1]
            start = next(s for s in range(self.sources.shape[1] - n + 1)
                         if np.allclose(self.sources[:, s:s + n].sum(axis=0), x[0]))
            self.calls += 1
            piece = self.sources[:, start:start + n]
            return (piece[::-1] if self.calls % 2 else piece)[None]

    rng = np.random.default_rng(0)
    sources = rng.standard_normal((2, 5000)).astype(np.float32)
    model = Oracle(sources)
    out = separate_array(model, sources.sum(axis=0), max_samples=1000)
    assert model.calls > 5
    aligned = out if np.allclose(out[0], sources[0], atol=1e-4) else out[::-1]
    np.testing.assert_allclose(aligned, sources, atol=1e-4)
