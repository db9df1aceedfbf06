import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED_DIR = os.path.join(os.path.dirname(ROOT), "shared", "seed")
SEED_CHECKPOINT = os.path.join(SEED_DIR, "state_epoch_92.h5")
SEED_REFERENCE = os.path.join(SEED_DIR, "reference_io_4s.npz")

sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def require_seed():
    """The original checkpoint lives beside the checkout (../shared/seed), never in the repo."""
    missing = [p for p in (SEED_CHECKPOINT, SEED_REFERENCE) if not os.path.isfile(p)]
    if missing:
        pytest.fail(f"ground truth missing: {', '.join(missing)} (expected ../shared/seed beside the checkout)")


def run_cli(*args, timeout=600, env=None, cwd=ROOT):
    """Runs `python -m ...` as a user would; returns the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory):
    """A small synthetic WHAM!-layout corpus shared by the data, learning and search tests."""
    from dprnn.demo_data import make_demo_corpus

    root = str(tmp_path_factory.mktemp("corpus") / "demo")
    make_demo_corpus(root, seed=3, sizes={"tr": 24, "cv": 5, "tt": 5})
    return root


@pytest.fixture
def rng():
    return np.random.default_rng(0)
