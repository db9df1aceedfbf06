"""Training-step throughput of the original architecture, settings side by side in one run.

N=64, L=2, K=256, 200 units, 3 blocks, no norm scaling, batch 2, 4096-sample segments, Adam with
clipnorm 5 and PIT negative SI-SNR: the setting the original implementation trains at about 0.9
audio-seconds per second on this machine kind. Every variant runs `python -m dprnn bench` in a fresh
process (thread settings only take effect before TensorFlow starts); variants alternate, repeated
`--rounds` times, and the median per variant is compared with TensorFlow's own thread default.

    .venv/bin/python benchmarks/training_step.py [--rounds 3] [--steps 5] [--xla]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, environment, extra flags). TF_NUM_INTRAOP_THREADS=0 is TensorFlow's default: every core per op.
VARIANTS = [
    ("every core per op (TF default)", {"TF_NUM_INTRAOP_THREADS": "0"}, []),
    ("half the cores per op (default)", {}, []),
]
XLA = ("XLA jit_compile, default threads", {}, ["--jit-compile"])


def run_bench(env_extra, flags, args):
    env = {k: v for k, v in os.environ.items() if k != "TF_NUM_INTRAOP_THREADS"}
    env.update(env_extra)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.json")
        subprocess.run([sys.executable, "-m", "dprnn", "bench", "--steps", str(args.steps),
                        "--batch-size", str(args.batch_size), "--segment-samples", str(args.segment_samples),
                        "--json", out, *flags], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            return json.load(f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--segment-samples", type=int, default=4096)
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--xla", action="store_true", help="also time XLA (slow on CPUs: 0.4x)")
    args = parser.parse_args()
    variants = VARIANTS + ([XLA] if args.xla else [])
    steps = {name: [] for name, _, _ in variants}
    last = {}
    for _ in range(args.rounds):
        for name, env, flags in variants:
            result = run_bench(env, flags, args)
            steps[name].append(result["step_seconds"])
            last[name] = result
    base = statistics.median(steps[variants[0][0]])
    print(f"{'variant':34} {'threads':>7} {'s/step':>8} {'audio s/s':>10} {'speed-up':>9} {'peak MiB':>9}")
    for name, _, _ in variants:
        step = statistics.median(steps[name])
        r = last[name]
        audio = r["batch_size"] * r["segment_samples"] / r["config"]["sample_rate"]
        peak = r["peak_bytes"] / 2**20 if r["peak_bytes"] else float("nan")
        print(f"{name:34} {r['intra_op_threads']:>7} {step:8.3f} {audio / step:10.2f} {base / step:8.2f}x {peak:9.1f}")


if __name__ == "__main__":
    main()
