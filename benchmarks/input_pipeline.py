"""Input throughput against the model's consumption, side by side in one run.

For the demo configuration and the original architecture: examples per second the tf.data
pipeline delivers (decoding included on the first pass, from the cache after), and examples per
second one training step consumes. Training never waits on data when the ratio is well above 1.

    .venv/bin/python benchmarks/input_pipeline.py [--data data/demo]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dprnn import DPRNNConfig  # noqa: E402  (importing dprnn keeps TensorFlow quiet)
from dprnn.bench import bench_training_step  # noqa: E402
from dprnn.corpus import Corpus  # noqa: E402
from dprnn.pipeline import AudioCache, training_dataset  # noqa: E402


def pipeline_rate(split, segment, batch, batches, cache):
    dataset = training_dataset(split, segment, batch, seed=0, cache=cache)
    start = time.perf_counter()
    for _ in dataset.take(batches):
        pass
    return batches * batch / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/demo")
    args = parser.parse_args()
    if not os.path.isdir(args.data):
        from dprnn.demo_data import make_demo_corpus
        make_demo_corpus(args.data)
    split = Corpus(args.data).open_split("train")
    settings = [
        ("demo (N=32, L=4, K=64, H=64, 2 blocks), batch 4 x 1 s",
         DPRNNConfig(encoder_filters=32, encoder_kernel=4, chunk_size=64, hidden_units=64, blocks=2,
                     mask_activation="relu"), 4, 8000),
        ("original (N=64, L=2, K=256, H=200, 3 blocks), batch 2 x 4 s", DPRNNConfig(), 2, 32000),
    ]
    print(f"{'setting':62} {'cold ex/s':>10} {'cached ex/s':>12} {'model ex/s':>11} {'ratio':>8}")
    for name, config, batch, segment in settings:
        cache = AudioCache(4 * 2**30)
        cold = pipeline_rate(split, segment, batch, len(split) // batch, cache)   # first pass decodes
        warm = pipeline_rate(split, segment, batch, 200, cache)
        step = bench_training_step(config, batch, segment, steps=3, warmup=1)
        model_rate = batch / step["step_seconds"]
        print(f"{name:62} {cold:10.0f} {warm:12.0f} {model_rate:11.2f} {min(cold, warm) / model_rate:8.0f}x")


if __name__ == "__main__":
    main()
