"""Evaluation metrics in NumPy (float64): SI-SNR, BSS-eval SDR, and their improvements."""
from __future__ import annotations

import itertools

import numpy as np

SDR_FILTER = 512   # distortion filter taps allowed by BSS-eval v3 (mir_eval's default)


def si_snr(reference: np.ndarray, estimate: np.ndarray, eps: float = 1e-8) -> float:
    reference = reference - reference.mean()
    estimate = estimate - estimate.mean()
    target = np.dot(estimate, reference) / (np.dot(reference, reference) + eps) * reference
    noise = estimate - target
    return float(10 * np.log10((np.dot(target, target) + eps) / (np.dot(noise, noise) + eps)))


def sdr(reference: np.ndarray, estimate: np.ndarray, taps: int = SDR_FILTER) -> float:
    """BSS-eval SDR: the part of `estimate` reachable by a `taps`-tap filter of `reference` is target.

    Same definition as mir_eval.separation.bss_eval_sources(...)[0] for one source (up to the
    numerical solver): solve the Toeplitz normal equations of the delayed references.
    """
    n = reference.shape[0]
    size = 1 << int(np.ceil(np.log2(n + taps - 1)))
    ref_f = np.fft.rfft(reference, size)
    auto = np.fft.irfft(np.abs(ref_f) ** 2, size)[:taps]
    cross = np.fft.irfft(np.conj(ref_f) * np.fft.rfft(estimate, size), size)[:taps]
    gram = auto[np.abs(np.arange(taps)[:, None] - np.arange(taps)[None, :])]
    coeffs = np.linalg.lstsq(gram + 1e-10 * np.eye(taps) * max(auto[0], 1e-20), cross, rcond=None)[0]
    target = np.convolve(reference, coeffs)                  # n + taps - 1: the filter's tail counts
    error = np.concatenate([estimate, np.zeros(taps - 1)]) - target
    return float(10 * np.log10((np.dot(target, target) + 1e-20) / (np.dot(error, error) + 1e-20)))


def best_permutation(references: np.ndarray, estimates: np.ndarray) -> tuple[int, ...]:
    """perm with estimate perm[j] for source j, maximising the mean SI-SNR."""
    spk = references.shape[0]
    pair = np.array([[si_snr(references[j], estimates[i]) for j in range(spk)] for i in range(spk)])
    return max(itertools.permutations(range(spk)), key=lambda p: np.mean([pair[p[j], j] for j in range(spk)]))


def utterance_scores(mixture: np.ndarray, references: np.ndarray, estimates: np.ndarray,
                     with_sdr: bool = True) -> dict:
    """Mean over speakers of SI-SNR, SI-SNRi (over the mixture) and SDRi, best permutation."""
    mixture, references, estimates = (np.asarray(a, np.float64) for a in (mixture, references, estimates))
    perm = best_permutation(references, estimates)
    scores = {"si_snr": [], "si_snri": [], "sdr": [], "sdri": []}
    for j, i in enumerate(perm):
        est = si_snr(references[j], estimates[i])
        scores["si_snr"].append(est)
        scores["si_snri"].append(est - si_snr(references[j], mixture))
        if with_sdr:
            value = sdr(references[j], estimates[i])
            scores["sdr"].append(value)
            scores["sdri"].append(value - sdr(references[j], mixture))
    result = {k: float(np.mean(v)) for k, v in scores.items() if v}
    result["permutation"] = list(perm)
    return result
