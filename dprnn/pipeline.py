"""Input pipeline: decode each file once, cache in memory up to a limit, random training crops.

Training: an endless `tf.data` stream of random `segment` crops (shorter mixtures zero-padded),
shuffled per pass with a seeded generator, batched and prefetched. Validation and test: whole
utterances (or fixed centre crops), in file order, identical run to run.
"""
from __future__ import annotations

import collections

import numpy as np

from .audio import read_audio
from .corpus import Split


class AudioCache:
    """Decoded (mixture (T,), sources (spk, T)) per utterance, kept while under `limit_bytes`.

    When a split does not fit, the least recently used utterances are dropped and re-read later.
    """

    def __init__(self, limit_bytes: float = 4 * 2**30):
        self.limit = limit_bytes
        self.bytes = 0
        self.items: collections.OrderedDict = collections.OrderedDict()
        self.decoded = 0   # files decoded, so tests and benchmarks can see "once"

    def get(self, utt):
        key = utt.mixture
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        mixture = read_audio(utt.mixture)
        sources = np.stack([read_audio(p) for p in utt.sources])
        self.decoded += 1
        item = (mixture, sources)
        size = mixture.nbytes + sources.nbytes
        while self.items and self.bytes + size > self.limit:
            _, old = self.items.popitem(last=False)
            self.bytes -= old[0].nbytes + old[1].nbytes
        if size <= self.limit:
            self.items[key] = item
            self.bytes += size
        return item


def crop(mixture, sources, length: int, start: int):
    """A `length`-sample window at `start`; zero-padded at the end when the utterance is shorter."""
    if mixture.shape[0] < length:
        pad = length - mixture.shape[0]
        return np.pad(mixture, (0, pad)), np.pad(sources, ((0, 0), (0, pad)))
    return mixture[start:start + length], sources[:, start:start + length]


def training_examples(split: Split, segment: int, seed: int, cache: AudioCache):
    """Endless generator of random crops; pass p shuffles with the seed (seed, p)."""
    passes = 0
    while True:
        rng = np.random.default_rng([seed, passes])
        for index in rng.permutation(len(split.utterances)):
            mixture, sources = cache.get(split.utterances[index])
            start = int(rng.integers(0, max(1, mixture.shape[0] - segment + 1)))
            yield crop(mixture, sources, segment, start)
        passes += 1


def training_dataset(split: Split, segment: int, batch_size: int, seed: int, cache: AudioCache,
                     num_speakers: int = 2):
    import tensorflow as tf

    signature = (tf.TensorSpec((segment,), tf.float32), tf.TensorSpec((num_speakers, segment), tf.float32))
    dataset = tf.data.Dataset.from_generator(lambda: training_examples(split, segment, seed, cache),
                                             output_signature=signature)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def evaluation_examples(split: Split, cache: AudioCache, crop_samples: int | None = None):
    """[(name, mixture, sources)] in file order: whole utterances, or centre crops of `crop_samples`."""
    examples = []
    for utt in split.utterances:
        mixture, sources = cache.get(utt)
        if crop_samples:
            start = max(0, (mixture.shape[0] - crop_samples) // 2)
            mixture, sources = crop(mixture, sources, crop_samples, start)
        examples.append((utt.name, mixture, sources))
    return examples
