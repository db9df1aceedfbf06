"""Length arithmetic of the encoder and the chunking.

Written once with plain arithmetic so it runs on Python ints (the memory estimator) and on scalar
tensors (the padding layer, with `maximum=tf.maximum`): the two cannot drift apart.
"""
from __future__ import annotations


def encoder_frames(samples, encoder_kernel: int, chunk_size: int, maximum=max):
    """Encoder frames for `samples` input samples once the model has padded them.

    The frame count is rounded up to a multiple of the chunk hop K/2 and to at least K, so that
    chunking needs no padding of its own and there is at least one chunk.
    """
    stride = max(1, encoder_kernel // 2)
    hop = chunk_size // 2
    frames = -(-samples // stride)                 # ceil(T / stride)
    return maximum(chunk_size, -(-frames // hop) * hop)


def padded_samples(samples, encoder_kernel: int, chunk_size: int, maximum=max):
    """Length the model pads its input to (the encoder adds its own L - L/2 zero tail after that)."""
    return encoder_frames(samples, encoder_kernel, chunk_size, maximum) * max(1, encoder_kernel // 2)


def num_chunks(frames, chunk_size: int):
    """S = 2F/K - 1 chunks of K frames with hop K/2 (F a multiple of K/2, F >= K)."""
    return (frames - chunk_size) // (chunk_size // 2) + 1
