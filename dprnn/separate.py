"""Separating mixtures with a trained model: arrays and files."""
from __future__ import annotations

import os

import numpy as np

from .audio import audio_info, read_audio, write_audio
from .errors import DataError


def separate_array(model, mixture: np.ndarray, max_samples: int = 0) -> np.ndarray:
    """(T,) float mixture -> (spk, T) separated signals, at full length.

    With `max_samples` > 0 and a longer mixture, separates overlapping windows of `max_samples`
    (half overlap), aligns each window's speakers with the previous one on the overlap (SI-SNR
    permutation) and cross-fades them: memory stays bounded for audio of any length.
    """
    mixture = np.asarray(mixture, dtype=np.float32)
    if not max_samples or mixture.shape[0] <= max_samples:
        return np.asarray(model.predict_on_batch(mixture[None, :]))[0]
    return _separate_windows(model, mixture, max_samples)


def _separate_windows(model, mixture, window):
    from .metrics import best_permutation

    hop = window // 2
    starts = list(range(0, max(1, mixture.shape[0] - window) + hop, hop))
    starts = sorted({min(s, mixture.shape[0] - window) for s in starts})
    fade = np.hanning(2 * (window - hop) + 2)[1:-1]
    fade_in, fade_out = fade[: window - hop], fade[window - hop:]
    output = weight = None
    previous = None
    for start in starts:
        piece = np.asarray(model.predict_on_batch(mixture[None, start:start + window]))[0]
        if output is None:
            output = np.zeros((piece.shape[0], mixture.shape[0]))
            weight = np.zeros(mixture.shape[0])
        if previous is not None:
            prev_start, prev_piece = previous
            overlap = prev_start + window - start
            if overlap > 0:
                perm = best_permutation(prev_piece[:, -overlap:], piece[:, :overlap])
                piece = piece[list(perm)]
        ramp = np.ones(window)
        if start > 0:
            ramp[: window - hop] = fade_in[: window - hop]
        if start + window < mixture.shape[0]:
            ramp[hop:] = np.minimum(ramp[hop:], fade_out[: window - hop])
        output[:, start:start + window] += piece * ramp
        weight[start:start + window] += ramp
        previous = (start, piece)
    return (output / np.maximum(weight, 1e-8)).astype(np.float32)


def separate_files(model, paths: list[str], out_dir: str, sample_rate: int) -> list[str]:
    """Writes OUT/s1/NAME.wav, OUT/s2/NAME.wav, ... for every input; returns the written paths.

    Every input is checked first (mono, `sample_rate`) so a bad file writes nothing.
    """
    for path in paths:
        audio_info(path, sample_rate)
    names = [os.path.basename(p) for p in paths]
    if len(set(names)) != len(names):
        raise DataError("separate: two inputs share a file name; their outputs would overwrite each other")
    written = []
    for path, name in zip(paths, names):
        sources = separate_array(model, read_audio(path, sample_rate))
        for k, source in enumerate(sources):
            out = os.path.join(out_dir, f"s{k + 1}", os.path.splitext(name)[0] + ".wav")
            write_audio(out, source, sample_rate)
            written.append(out)
    return written
