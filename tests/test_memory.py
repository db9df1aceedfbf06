"""The peak-memory estimator: the GPU facts of the original, structure, speed, CPU accuracy."""
import os
import time

import pytest

from conftest import ROOT
from dprnn.config import DPRNNConfig
from search.memory import GB, estimate_inference_peak_bytes, estimate_peak_bytes, load_profile, parameter_count

ORIGINAL = DPRNNConfig()          # N=64, L=2, K=256, 200 units, 3 blocks, no norm scaling
FOUR_SECONDS = 32000


def fits(config, batch, **kw):
    return estimate_peak_bytes(config, batch, FOUR_SECONDS, load_profile("gpu"), **kw) <= 11 * GB


def test_gpu_profile_agrees_with_the_original_11gb_card():
    six = DPRNNConfig(blocks=6)
    assert fits(ORIGINAL, 2)
    assert fits(six, 1)
    assert not fits(six, 2)


def test_memory_savers_make_the_papers_setting_fit():
    paper = DPRNNConfig(blocks=6, norm_scaling="channel")
    assert not fits(paper, 2)
    assert fits(paper, 2, recompute=True)
    assert fits(paper, 2, recompute=True, mixed_precision=True)
    profile = load_profile("gpu")
    plain = estimate_peak_bytes(paper, 2, FOUR_SECONDS, profile)
    assert estimate_peak_bytes(paper, 2, FOUR_SECONDS, profile, mixed_precision=True) < plain


def test_parameter_count_matches_keras():
    from dprnn import build_model
    for cfg in (ORIGINAL, DPRNNConfig(encoder_filters=16, encoder_kernel=8, chunk_size=32, hidden_units=24,
                                      blocks=2, norm_scaling="channel", num_speakers=3)):
        assert parameter_count(cfg) == build_model(cfg).count_params()


def test_estimates_grow_with_every_size_and_are_fast():
    profile = load_profile("gpu")
    base = estimate_peak_bytes(ORIGINAL, 2, FOUR_SECONDS, profile)
    import dataclasses
    for change in ({"blocks": 4}, {"hidden_units": 256}, {"encoder_filters": 128}):
        assert estimate_peak_bytes(dataclasses.replace(ORIGINAL, **change), 2, FOUR_SECONDS, profile) > base
    assert estimate_peak_bytes(ORIGINAL, 3, FOUR_SECONDS, profile) > base
    assert estimate_peak_bytes(ORIGINAL, 2, 2 * FOUR_SECONDS, profile) > base
    assert estimate_inference_peak_bytes(ORIGINAL, 10 * FOUR_SECONDS, profile) > \
        estimate_inference_peak_bytes(ORIGINAL, FOUR_SECONDS, profile)
    start = time.perf_counter()
    for _ in range(1000):
        estimate_peak_bytes(ORIGINAL, 2, FOUR_SECONDS, profile)
    assert (time.perf_counter() - start) / 1000 < 1e-3


def test_estimator_builds_no_tensorflow_graph():
    """search/memory.py is arithmetic on the structure: it imports neither TensorFlow nor Keras."""
    import ast
    tree = ast.parse(open(os.path.join(ROOT, "search", "memory.py")).read())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names} | {node.module.split(".")[0] for node in ast.walk(tree)
                                            if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"tensorflow", "keras", "keras_tuner"}


def test_unknown_profile_is_named():
    from dprnn.errors import ConfigError
    with pytest.raises(ConfigError, match="budget.profile: no device profile 'tpu'"):
        load_profile("tpu")


# Configurations the CPU profile was not fitted on (search/calibration.py lists the fitted ones).
HELD_OUT = [
    (DPRNNConfig(encoder_filters=40, chunk_size=80, hidden_units=80, blocks=2), 2, 10000),
    (DPRNNConfig(encoder_filters=64, chunk_size=128, hidden_units=128, blocks=3, norm_scaling="channel"), 1, 12000),
    (DPRNNConfig(encoder_filters=32, chunk_size=64, hidden_units=64, blocks=2, num_speakers=3), 2, 8000),
]


@pytest.mark.parametrize("config, batch, samples", HELD_OUT)
def test_cpu_estimate_against_a_measured_training_step(config, batch, samples):
    from search.calibration import measure_isolated
    measured = measure_isolated(config, batch, samples, inference=False)["training"]
    estimate = estimate_peak_bytes(config, batch, samples, load_profile("cpu"))
    assert abs(estimate / measured - 1) < CPU_TOLERANCE, (estimate, measured)


def test_recompute_lowers_the_measured_cpu_peak_as_predicted():
    from search.calibration import measure_isolated
    config = DPRNNConfig(encoder_filters=32, chunk_size=64, hidden_units=64, blocks=4)
    saved = measure_isolated(config, 2, 8000, recompute=True, inference=False)["training"]
    profile = load_profile("cpu")
    # Without recompute this step measures 752 MiB (the held-out tests check such estimates).
    assert saved < 0.5 * estimate_peak_bytes(config, 2, 8000, profile)
    estimate = estimate_peak_bytes(config, 2, 8000, profile, recompute=True)
    assert abs(estimate / saved - 1) < CPU_TOLERANCE, (estimate, saved)


CPU_TOLERANCE = float(os.environ.get("DPRNN_CPU_TOLERANCE", "0.1"))


def test_calibrate_writes_a_profile_that_loads(tmp_path):
    from search.calibrate_cli import calibrate
    grid = [(DPRNNConfig(encoder_filters=16, chunk_size=32, hidden_units=16, blocks=1), 1, 4000),
            (DPRNNConfig(encoder_filters=32, chunk_size=64, hidden_units=32, blocks=2), 2, 4000),
            (DPRNNConfig(encoder_filters=24, encoder_kernel=4, chunk_size=32, hidden_units=64, blocks=1), 2, 6000)]
    out = tmp_path / "mine.yaml"
    result = calibrate("CPU:0", str(out), grid=grid, progress=lambda m: None)
    profile = load_profile(str(out))
    assert profile.name == "mine" and profile.lstm + profile.paths > 0
    for (config, batch, samples), measured in zip(grid, result["measured"]):
        assert estimate_peak_bytes(config, batch, samples, profile) == pytest.approx(measured, rel=0.1)
