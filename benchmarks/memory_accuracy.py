"""Estimated against measured training-step peaks on this CPU, on 40 seeded random configurations
the `cpu` profile was not fitted on (every hyperparameter, speakers, batch 1-4, 0.5-2 s; each step
measured twice, each time in a fresh process; REPEATS=N to change); prints each ratio and the worst
error. About 25 minutes.

    .venv/bin/python benchmarks/memory_accuracy.py
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dprnn.config import DPRNNConfig  # noqa: E402
from search.calibration import CALIBRATION_GRID, measure_isolated  # noqa: E402
from search.memory import estimate_peak_bytes, load_profile  # noqa: E402


def grid(count: int = 40, seed: int = 0):
    """`count` seeded random steps over every hyperparameter, batch and length, none calibrated on."""
    fitted = {(c, b, t) for c, b, t in CALIBRATION_GRID}
    rng = random.Random(seed)
    points = []
    while len(points) < count:
        config = DPRNNConfig(encoder_filters=rng.choice([16, 24, 32, 48, 64, 96]),
                             encoder_kernel=rng.choice([2, 4, 8, 16]),
                             chunk_size=rng.choice([32, 50, 64, 100, 128, 200, 256]),
                             hidden_units=rng.choice([32, 48, 64, 96, 128, 160, 200]), blocks=rng.randint(1, 4),
                             norm_scaling=rng.choice(["none", "channel"]), num_speakers=rng.choice([2, 2, 3]))
        point = (config, rng.randint(1, 4), rng.choice([4000, 6000, 8000, 12000, 16000]))
        if point not in fitted:
            points.append(point)
    return points


REPEATS = int(os.environ.get("REPEATS", "2"))


def main():
    profile = load_profile("cpu")
    errors = []
    print(f"{'N':>4} {'L':>3} {'K':>4} {'H':>4} {'blk':>3} {'norm':>7} {'B':>2} {'T':>6} "
          f"{'measured MiB':>13} {'estimate MiB':>13} {'ratio':>6}")
    for config, batch, samples in grid():
        # Fresh-process measurements of one step still vary by 2-4%: take the mean of REPEATS.
        measured = sum(measure_isolated(config, batch, samples, inference=False)["training"]
                       for _ in range(REPEATS)) / REPEATS
        estimate = estimate_peak_bytes(config, batch, samples, profile)
        errors.append(estimate / measured - 1)
        print(f"{config.encoder_filters:4d} {config.encoder_kernel:3d} {config.chunk_size:4d} "
              f"{config.hidden_units:4d} {config.blocks:3d} {config.norm_scaling:>7} {batch:2d} {samples:6d} "
              f"{measured / 2**20:13.1f} {estimate / 2**20:13.1f} {estimate / measured:6.2f}", flush=True)
    worst = max(errors, key=abs)
    within = sum(abs(e) <= 0.10 for e in errors)
    print(f"worst error {worst:+.1%}; {within} of {len(errors)} within 10%; "
          f"mean absolute error {sum(abs(e) for e in errors) / len(errors):.1%}")


if __name__ == "__main__":
    main()
