"""Training-step throughput of the original architecture, implementations side by side in one run.

N=64, L=2, K=256, 200 units, 3 blocks, no norm scaling, batch 2, 4096-sample segments, Adam with
clipnorm 5 and PIT negative SI-SNR: the setting the original implementation trains at about 0.9
audio-seconds per second on this machine kind. Variants alternate, repeated `--rounds` times, and
the median per variant is compared with the default graph-mode step. (A fused bidirectional LSTM,
input projections outside the recurrence and both directions in one loop, was measured here too
and dropped: see benchmarks/README.md.)

    .venv/bin/python benchmarks/training_step.py [--rounds 3] [--steps 5]
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dprnn import DPRNNConfig  # noqa: E402  (importing dprnn keeps TensorFlow quiet)
from dprnn.bench import bench_training_step  # noqa: E402

VARIANTS = [("graph mode (default)", False), ("XLA jit_compile", True)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--segment-samples", type=int, default=4096)
    parser.add_argument("--batch-size", type=int, default=2)
    args = parser.parse_args()
    config = DPRNNConfig()
    results = {name: [] for name, _ in VARIANTS}
    peaks = {}
    for _ in range(args.rounds):
        for name, jit in VARIANTS:
            r = bench_training_step(config, args.batch_size, args.segment_samples, steps=args.steps, warmup=2,
                                    jit_compile=jit)
            results[name].append(r["step_seconds"])
            peaks[name] = r["peak_bytes"]
    base = statistics.median(results[VARIANTS[0][0]])
    audio = args.batch_size * args.segment_samples / config.sample_rate
    print(f"{'variant':24} {'s/step':>8} {'audio s/s':>10} {'speed-up':>9} {'peak MiB':>9}")
    for name, _ in VARIANTS:
        step = statistics.median(results[name])
        print(f"{name:24} {step:8.3f} {audio / step:10.2f} {base / step:8.2f}x {peaks[name] / 2**20:9.1f}")


if __name__ == "__main__":
    main()
