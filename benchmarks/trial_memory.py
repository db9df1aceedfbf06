"""Does the process's memory creep from trial to trial? (a known keras-tuner complaint)

Runs a search of N one-epoch smoke trials (the smoke space has 16 points) and prints the search
process's resident set size after each trial, then the growth per trial over the second half. In
process, the tuner frees each trial's graph with keras.backend.clear_session; with
--subprocess-trials every trial runs in a child process instead (search.subprocess_trials).

    .venv/bin/python benchmarks/trial_memory.py [--trials 16] [--subprocess-trials]
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import yaml  # noqa: E402

import dprnn  # noqa: E402,F401  (keeps TensorFlow's start-up quiet)
from search import tuner as tuner_module  # noqa: E402
from search.launch import launch  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--subprocess-trials", action="store_true", help="run each trial in a child process")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "configs", "smoke.yaml")) as f:
        raw = yaml.safe_load(f)
    raw["search"].update({"max_epochs": 1, "factor": 3, "hyperband_iterations": args.trials, "steps_per_epoch": 2,
                          "subprocess_trials": args.subprocess_trials})
    samples = []
    original = tuner_module.DPRNNHyperband.on_trial_end

    def on_trial_end(self, trial):
        original(self, trial)
        samples.append(rss_mib())
        print(f"trial {len(samples):3d}: RSS {samples[-1]:8.1f} MiB", flush=True)

    tuner_module.DPRNNHyperband.on_trial_end = on_trial_end
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "creep.yaml")
        with open(config, "w") as f:
            yaml.safe_dump(raw, f)
        launch(config, data_root=os.path.join(tmp, "data"), trials_dir=os.path.join(tmp, "trials"), timing=False)
    half = samples[len(samples) // 2:]
    slope = (half[-1] - half[0]) / max(1, len(half) - 1)
    print(f"{len(samples)} trials: first {samples[0]:.1f} MiB, last {samples[-1]:.1f} MiB, "
          f"{slope:+.2f} MiB per trial over the second half")


if __name__ == "__main__":
    main()
