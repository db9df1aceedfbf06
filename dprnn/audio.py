"""Reading and writing audio with soundfile: checked reads, atomic writes."""
from __future__ import annotations

import os

import numpy as np
import soundfile as sf

from .atomic import atomic_path
from .errors import DataError


def audio_info(path: str, sample_rate: int | None = None):
    """soundfile.info with the project's checks: readable, mono, at `sample_rate`."""
    if not os.path.isfile(path):
        raise DataError(f"{path}: file does not exist")
    try:
        info = sf.info(path)
    except Exception as err:  # soundfile raises LibsndfileError / RuntimeError for non-audio files
        raise DataError(f"{path}: not a readable audio file ({str(err).splitlines()[0][:100]})") from None
    if info.channels != 1:
        raise DataError(f"{path}: expected mono audio, got {info.channels} channels")
    if sample_rate is not None and info.samplerate != sample_rate:
        raise DataError(f"{path}: sample rate {info.samplerate} Hz, expected {sample_rate} Hz")
    return info


def read_audio(path: str, sample_rate: int | None = None) -> np.ndarray:
    """Mono float32 samples of `path`, checked as `audio_info` does."""
    audio_info(path, sample_rate)
    try:
        data, _ = sf.read(path, dtype="float32", always_2d=False)
    except Exception as err:
        raise DataError(f"{path}: cannot decode audio ({str(err).splitlines()[0][:100]})") from None
    return data


def write_audio(path: str, data: np.ndarray, sample_rate: int, subtype: str = "FLOAT") -> None:
    """Writes a wav atomically."""
    with atomic_path(path, suffix=".wav") as tmp:
        sf.write(tmp, np.asarray(data, dtype=np.float32), sample_rate, subtype=subtype, format="WAV")
