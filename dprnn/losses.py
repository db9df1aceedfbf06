"""SI-SNR and its permutation-invariant training loss.

The pairwise metric ([batch, n_est, n_src]) is kept apart from the permutation search, as asteroid's
PITLossWrapper does, so both can be tested on their own.
"""
from __future__ import annotations

import itertools

import keras
import numpy as np
import tensorflow as tf

EPS = 1e-8


def si_snr(reference, estimate, eps: float = EPS):
    """Scale-invariant SNR in dB over the last axis, means removed first (Le Roux et al., 2019).

    si_snr = 10 log10(|a s|^2 / |a s - s_hat|^2), a = <s_hat, s> / |s|^2, on zero-mean s and s_hat.
    Computed in float32 whatever the inputs (mixed precision keeps the loss stable).
    """
    reference = tf.cast(reference, tf.float32)
    estimate = tf.cast(estimate, tf.float32)
    reference = reference - tf.reduce_mean(reference, axis=-1, keepdims=True)
    estimate = estimate - tf.reduce_mean(estimate, axis=-1, keepdims=True)
    dot = tf.reduce_sum(reference * estimate, axis=-1, keepdims=True)
    energy = tf.reduce_sum(reference * reference, axis=-1, keepdims=True) + eps
    target = dot / energy * reference
    noise = estimate - target
    ratio = (tf.reduce_sum(target * target, axis=-1) + eps) / (tf.reduce_sum(noise * noise, axis=-1) + eps)
    return 10.0 * tf.math.log(ratio) / tf.math.log(10.0)


def pairwise_si_snr(references, estimates):
    """(B, spk, T), (B, spk, T) -> (B, n_est, n_src): SI-SNR of every estimate against every source."""
    return si_snr(references[:, None, :, :], estimates[:, :, None, :])


def permutations(num_speakers: int) -> np.ndarray:
    """(P, spk) array of every assignment estimate -> source."""
    return np.array(list(itertools.permutations(range(num_speakers))), dtype=np.int32)


def best_permutation_si_snr(references, estimates):
    """Mean SI-SNR per example under the best permutation, and that permutation's index per source.

    Returns (score (B,), perm (B, spk)) where estimate `perm[b, j]` goes with source j.
    """
    pair = pairwise_si_snr(references, estimates)                 # (B, n_est, n_src)
    num = references.shape[1] if references.shape[1] is not None else tf.shape(references)[1]
    perms = permutations(int(num))                                 # (P, spk)
    src = np.tile(np.arange(perms.shape[1]), (perms.shape[0], 1))
    # score[b, p] = mean_j pair[b, perms[p, j], j]
    index = np.stack([perms, src], axis=-1)                       # (P, spk, 2)
    gathered = tf.gather_nd(tf.transpose(pair, [1, 2, 0]), index)  # (P, spk, B)
    scores = tf.reduce_mean(gathered, axis=1)                      # (P, B)
    best = tf.argmax(scores, axis=0)                               # (B,)
    return tf.reduce_max(scores, axis=0), tf.gather(tf.constant(perms), best)


@keras.saving.register_keras_serializable(package="dprnn")
def pit_neg_si_snr(y_true, y_pred):
    """Keras loss: negative SI-SNR (dB) under the best speaker permutation, one value per example."""
    score, _ = best_permutation_si_snr(y_true, y_pred)
    return -score


def reorder(estimates, perm):
    """Estimates (B, spk, T) put in source order by `perm` (B, spk) from best_permutation_si_snr."""
    return tf.gather(estimates, perm, axis=1, batch_dims=1)
