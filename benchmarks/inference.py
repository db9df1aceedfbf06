"""Real-time factor (processing seconds per audio second; below 1 is faster than real time) of
`separate` and `evaluate` for the original architecture on the CPU, thread settings side by side.

The model is the original checkpoint imported from ../shared/seed when it is there (random weights
otherwise: the speed is the same). `separate`: whole mixtures of 2, 4, 8 and 16 s. `evaluate`: the
first `--utterances` test mixtures of the synthetic corpus (generated into a temporary folder),
separation plus SI-SNR and BSS-eval SDR. Every variant runs in a fresh process (thread settings only
apply before TensorFlow starts); variants alternate, repeated `--rounds` times; medians.

    .venv/bin/python benchmarks/inference.py [--rounds 2] [--utterances 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
SEED_CHECKPOINT = os.path.join(os.path.dirname(ROOT), "shared", "seed", "state_epoch_92.h5")
LENGTHS = (2, 4, 8, 16)
VARIANTS = [("every core per op (TF default)", {"TF_NUM_INTRAOP_THREADS": "0"}),
            ("half the cores per op (default)", {})]


def child(data, utterances):
    import numpy as np

    import dprnn
    from dprnn.corpus import Corpus
    from dprnn.evaluate import evaluate_split
    from dprnn.separate import separate_array

    if os.path.isfile(SEED_CHECKPOINT):
        from dprnn.seed import import_seed
        model = import_seed(SEED_CHECKPOINT)
    else:
        model = dprnn.build_model(dprnn.DPRNNConfig())
    rng = np.random.default_rng(0)
    rtf = {}
    for seconds in LENGTHS:
        mixture = rng.standard_normal(seconds * 8000).astype(np.float32) * 0.1
        separate_array(model, mixture)                    # trace and warm up this length
        times = []
        for _ in range(3):
            start = time.perf_counter()
            separate_array(model, mixture)
            times.append(time.perf_counter() - start)
        rtf[f"separate_{seconds}s"] = statistics.median(times) / seconds
    corpus = Corpus(data)
    evaluate_split(model, corpus, "test", limit=2)        # warm-up: traces the first lengths
    result = evaluate_split(model, corpus, "test", limit=utterances)
    rtf["evaluate"] = result["real_time_factor"]
    rtf["seed_weights"] = os.path.isfile(SEED_CHECKPOINT)
    return rtf


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--utterances", type=int, default=20)
    parser.add_argument("--child", metavar="DATA")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.utterances)))
        return

    from dprnn.demo_data import make_demo_corpus

    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "demo")
        make_demo_corpus(data, seed=0, sizes={"tr": 2, "cv": 2, "tt": args.utterances})
        results = {name: [] for name, _ in VARIANTS}
        for _ in range(args.rounds):
            for name, extra in VARIANTS:
                env = {k: v for k, v in os.environ.items() if k != "TF_NUM_INTRAOP_THREADS"}
                env.update(extra)
                out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", data,
                                      "--utterances", str(args.utterances)], cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout
                results[name].append(json.loads(out.strip().splitlines()[-1]))
    keys = [f"separate_{s}s" for s in LENGTHS] + ["evaluate"]
    weights = "original checkpoint" if results[VARIANTS[0][0]][0]["seed_weights"] else "random weights"
    print(f"real-time factor, original architecture ({weights}), lower is faster")
    print(f"{'variant':34} " + " ".join(f"{k.replace('separate_', 'sep '):>9}" for k in keys))
    for name, _ in VARIANTS:
        print(f"{name:34} " + " ".join(f"{statistics.median(r[k] for r in results[name]):9.3f}" for k in keys))


if __name__ == "__main__":
    main()
