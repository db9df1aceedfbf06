"""Estimated against measured training-step peaks on this CPU, over a grid the `cpu` profile was not
fitted on; prints each ratio and the worst error.

    .venv/bin/python benchmarks/memory_accuracy.py
"""
import itertools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dprnn.config import DPRNNConfig  # noqa: E402
from search.calibration import CALIBRATION_GRID, measure_training_peak  # noqa: E402
from search.memory import estimate_peak_bytes, load_profile  # noqa: E402


def grid():
    fitted = {(c, b, t) for c, b, t in CALIBRATION_GRID}
    for n, h, blocks, (k, L), norm, batch, samples in itertools.product(
            (24, 64), (32, 128), (1, 3), ((64, 2), (100, 4)), ("none", "channel"), (1, 2), (8000,)):
        config = DPRNNConfig(encoder_filters=n, encoder_kernel=L, chunk_size=k, hidden_units=h, blocks=blocks,
                             norm_scaling=norm)
        if (config, batch, samples) not in fitted:
            yield config, batch, samples


def main():
    profile = load_profile("cpu")
    errors = []
    print(f"{'N':>4} {'L':>3} {'K':>4} {'H':>4} {'blk':>3} {'norm':>7} {'B':>2} {'T':>6} "
          f"{'measured MiB':>13} {'estimate MiB':>13} {'ratio':>6}")
    for config, batch, samples in grid():
        measured = measure_training_peak(config, batch, samples)
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
