import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED_DIR = os.path.join(os.path.dirname(ROOT), "shared", "seed")
SEED_CHECKPOINT = os.path.join(SEED_DIR, "state_epoch_92.h5")
SEED_REFERENCE = os.path.join(SEED_DIR, "reference_io_4s.npz")
SMOKE = os.path.join(ROOT, "configs", "smoke.yaml")

sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.hookimpl(tryfirst=True)      # before pytest-xdist reads the groups from the markers
def pytest_collection_modifyitems(config, items):
    # `make test` runs two pytest-xdist workers (--dist loadgroup): every test that needs the smoke
    # search goes to one worker, so the two-minute search is built once.
    for item in items:
        if "smoke_search" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("smoke_search"))


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


def completed_scores(project_dir):
    scores = {}
    for name in sorted(os.listdir(project_dir)):
        path = os.path.join(project_dir, name, "trial.json")
        if name.startswith("trial_") and os.path.isfile(path):
            with open(path) as f:
                trial = json.load(f)
            if trial["status"] == "COMPLETED":
                scores[trial["trial_id"]] = trial["score"]
    return scores


@pytest.fixture(scope="session")
def smoke_search(tmp_path_factory):
    """The smoke search with every trial in a child process, SIGKILLed after two completed trials,
    then finished by the same command."""
    import yaml
    base = tmp_path_factory.mktemp("search")
    raw = yaml.safe_load(open(SMOKE))
    raw["search"]["subprocess_trials"] = True
    config = base / "smoke.yaml"
    config.write_text(yaml.safe_dump(raw))
    args = [sys.executable, "-m", "search", "launch", "--config", str(config), "--data-root", str(base / "data"),
            "--trials-dir", str(base / "trials"), "--project", "smoke"]
    project = base / "trials" / "smoke"
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 300
    while len(completed_scores(project) if project.exists() else {}) < 2:
        assert first.poll() is None, first.stdout.read()
        assert time.time() < deadline, "no trial completed in 5 minutes"
        time.sleep(0.5)
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = completed_scores(project)
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return {"project": str(project), "before": before, "result": second, "args": args, "base": base}
