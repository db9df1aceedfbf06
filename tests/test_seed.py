"""The original checkpoint: import, parity with the reference output, other lengths, CLI."""
import numpy as np
import pytest

from conftest import SEED_CHECKPOINT, SEED_REFERENCE, require_seed, run_cli


def snr_db(reference, estimate):
    return 10 * np.log10(np.sum(reference ** 2) / np.sum((reference - estimate) ** 2))


@pytest.fixture(scope="module")
def seed_model():
    require_seed()
    from dprnn.seed import import_seed
    return import_seed(SEED_CHECKPOINT)


def test_parameter_count_matches_the_checkpoint(seed_model):
    assert seed_model.count_params() == 882_432


def test_reproduces_the_reference_output(seed_model):
    ref = np.load(SEED_REFERENCE)
    out = np.asarray(seed_model.predict_on_batch(ref["mixture"][None]))[0]
    assert out.shape == (2, 32000)
    for s in range(2):
        assert snr_db(ref["separated"][s], out[s]) >= 30.0


@pytest.mark.parametrize("chunks", [2, 9])
def test_other_multiples_of_k_match_an_independent_numpy_implementation(seed_model, chunks):
    """Lengths the reference pair does not cover: a float64 NumPy re-implementation of ARCHITECTURE.md
    (tests/numpy_reference.py, which itself reproduces the reference pair at 40 dB) is the yardstick."""
    import numpy_reference

    ref = np.load(SEED_REFERENCE)["mixture"]
    mixture = ref[4000:4000 + 256 * chunks]
    expected = numpy_reference.separate(SEED_CHECKPOINT, mixture)
    out = np.asarray(seed_model.predict_on_batch(mixture[None]))[0]
    for s in range(2):
        assert snr_db(expected[s], out[s]) >= 30.0


def test_import_seed_cli_writes_a_loadable_model(tmp_path):
    require_seed()
    out = tmp_path / "seed.keras"
    result = run_cli("dprnn", "import-seed", SEED_CHECKPOINT, "--out", str(out))
    assert result.returncode == 0, result.stderr
    import keras
    import dprnn  # noqa: F401  (registers the layers)
    model = keras.models.load_model(out, safe_mode=True)
    ref = np.load(SEED_REFERENCE)
    separated = np.asarray(model.predict_on_batch(ref["mixture"][None]))[0]
    assert min(snr_db(ref["separated"][s], separated[s]) for s in range(2)) >= 30.0
    from dprnn import model_info
    assert model_info(model)["dprnn"]["chunk_size"] == 256
    assert model_info(model)["sample_rate"] == 8000


def test_import_seed_refuses_a_file_that_is_not_the_checkpoint(tmp_path):
    bogus = tmp_path / "not_a_checkpoint.h5"
    bogus.write_bytes(b"hello")
    result = run_cli("dprnn", "import-seed", str(bogus), "--out", str(tmp_path / "x.keras"))
    assert result.returncode == 1
    assert "not_a_checkpoint.h5" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.keras").exists()
    import h5py
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_group("dense")
    result = run_cli("dprnn", "import-seed", str(other), "--out", str(tmp_path / "y.keras"))
    assert result.returncode == 1 and "conv1d" in result.stderr
