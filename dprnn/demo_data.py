"""A small synthetic two-speaker corpus in the exact WHAM! layout, for running without WSJ0.

Sources are speech-like: syllables at a per-speaker rate, voiced nuclei with gliding pitch and
three formants that move between vowels, unvoiced fricative bursts, word pauses, and per-speaker
pitch range, vocal-tract length (formant scale) and spectral tilt. Mixtures follow WSJ0-2mix (two
sources at a relative level of 0 to 5 dB, "min": cut to the shorter) and WHAM! (noise at -6 to +3 dB
against the louder speaker for mix_both/mix_single). Everything derives from one seed, and each
utterance from (seed, split, index), so changing the sizes keeps the other files identical.
"""
from __future__ import annotations

import dataclasses
import os

import numpy as np

from .audio import write_audio
from .corpus import rate_folder

DEFAULT_SIZES = {"tr": 600, "cv": 100, "tt": 100}
FOLDERS = ("mix_clean", "mix_both", "mix_single", "s1", "s2", "noise")
# (F1, F2, F3) in Hz of an average adult male vowel set (Peterson & Barney).
VOWELS = np.array([[730, 1090, 2440], [270, 2290, 3010], [300, 870, 2240], [530, 1840, 2480],
                   [570, 840, 2410], [660, 1720, 2410], [440, 1020, 2240], [390, 1990, 2550]], float)
BANDWIDTHS = np.array([90.0, 110.0, 170.0])
SPLIT_SEEDS = {"tr": 1, "cv": 2, "tt": 3}


@dataclasses.dataclass(frozen=True)
class Speaker:
    name: str
    f0: float            # median pitch, Hz
    f0_range: float      # octave span of intonation
    formant_scale: float # shorter vocal tract -> higher formants
    tilt: float          # dB per octave of harmonic roll-off
    rate: float          # syllables per second
    fricative_hz: float  # centre of the unvoiced bursts


def make_speakers(rng: np.random.Generator, count: int, prefix: str) -> list[Speaker]:
    speakers = []
    for i in range(count):
        female = rng.random() < 0.5
        speakers.append(Speaker(
            name=f"{prefix}{i:02d}",
            f0=float(rng.uniform(175, 260) if female else rng.uniform(85, 150)),
            f0_range=float(rng.uniform(0.3, 0.8)),
            formant_scale=float(rng.uniform(1.08, 1.22) if female else rng.uniform(0.9, 1.05)),
            tilt=float(rng.uniform(-14, -8)),
            rate=float(rng.uniform(3.5, 6.0)),
            fricative_hz=float(rng.uniform(2200, 3600)),
        ))
    return speakers


def _band_noise(rng, n, sr, low, high):
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / sr)
    spectrum[(freqs < low) | (freqs > high)] = 0
    noise = np.fft.irfft(spectrum, n)
    return noise / (np.std(noise) + 1e-9)


def synth_utterance(rng: np.random.Generator, speaker: Speaker, seconds: float, sr: int) -> np.ndarray:
    """One speech-like utterance of about `seconds` seconds."""
    n = int(seconds * sr)
    voiced = np.zeros(n)
    unvoiced = np.zeros(n)
    f0 = np.full(n, speaker.f0)
    formants = np.tile(VOWELS[0] * speaker.formant_scale, (n, 1))
    pos = int(rng.uniform(0.05, 0.25) * sr)                 # leading silence
    prev_vowel = VOWELS[rng.integers(len(VOWELS))]
    while pos < n - int(0.15 * sr):
        for _ in range(rng.integers(1, 4)):                 # syllables in a word
            dur = int(sr / speaker.rate * rng.uniform(0.7, 1.3))
            if pos + dur >= n:
                break
            onset = int(rng.uniform(0.03, 0.08) * sr) if rng.random() < 0.45 else 0
            if onset:
                env = np.hanning(2 * onset)[:onset] ** 0.5
                unvoiced[pos:pos + onset] = np.maximum(unvoiced[pos:pos + onset], env * rng.uniform(0.15, 0.4))
            v0, v1 = pos + onset, pos + dur
            length = v1 - v0
            env = np.sin(np.linspace(0, np.pi, length)) ** rng.uniform(0.5, 1.5)
            voiced[v0:v1] = np.maximum(voiced[v0:v1], env)
            # pitch: declination over the utterance plus a glide within the syllable
            start = speaker.f0 * 2 ** (speaker.f0_range * rng.uniform(-0.5, 0.5) - 0.15 * pos / n)
            glide = 2 ** (speaker.f0_range * rng.uniform(-0.4, 0.4))
            f0[v0:v1] = start * glide ** np.linspace(0, 1, length)
            vowel = VOWELS[rng.integers(len(VOWELS))] * rng.uniform(0.95, 1.05, 3)
            ramp = np.clip(np.linspace(0, 3, length), 0, 1)[:, None]   # coarticulation from the last vowel
            formants[v0:v1] = speaker.formant_scale * (prev_vowel * (1 - ramp) + vowel * ramp)
            prev_vowel = vowel
            pos = v1
        pos += int(rng.uniform(0.05, 0.3) * sr)             # pause between words
    # Keep pitch and formants continuous through silences so the phase has no jumps.
    phase = np.mod(2 * np.pi * np.cumsum(f0) / sr, 2 * np.pi)   # wrapped: exact in float32 below
    # Harmonics only where the voicing envelope is on, in float32: this is most of the corpus time.
    on = np.flatnonzero(voiced > 1e-3)
    harmonics = np.arange(1, int(0.95 * sr / 2 / f0[on].min()) + 1 if on.size else 2, dtype=np.float32)
    freqs = f0[on, None].astype(np.float32) * harmonics[None, :]                 # (voiced, H)
    gain = np.zeros_like(freqs)
    for i, bandwidth in enumerate(BANDWIDTHS):
        gain += np.float32(0.6 ** i) / (1 + np.square((freqs - formants[on, i:i + 1].astype(np.float32))
                                                       * np.float32(2 / bandwidth)))
    gain *= (10 ** (speaker.tilt * np.log2(harmonics) / 20)).astype(np.float32)[None, :]
    gain[freqs > 0.95 * sr / 2] = 0
    wave = np.zeros(n)
    wave[on] = np.sum(gain * np.sin(phase[on, None].astype(np.float32) * harmonics[None, :]), axis=1)
    wave *= 1 + 0.05 * rng.standard_normal(n)                              # slight breathiness
    fric = _band_noise(rng, n, sr, speaker.fricative_hz - 600, min(speaker.fricative_hz + 900, sr / 2 - 50))
    signal = voiced * wave / (np.std(wave) + 1e-9) + unvoiced * fric
    return signal / (np.sqrt(np.mean(signal ** 2)) + 1e-9)


def synth_noise(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Cafe-like background: pink noise with a slow level drift, a hum, and occasional clatter."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / sr)
    spectrum /= np.sqrt(np.maximum(freqs, 20.0))
    noise = np.fft.irfft(spectrum, n)
    noise /= np.std(noise) + 1e-9
    drift = 1 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * np.arange(n) / sr + rng.uniform(0, 6.3))
    noise *= drift
    noise += 0.2 * np.sin(2 * np.pi * rng.choice([50.0, 60.0]) * np.arange(n) / sr)
    for _ in range(rng.poisson(n / sr)):
        at = rng.integers(0, max(1, n - sr // 20))
        length = int(sr * rng.uniform(0.01, 0.05))
        noise[at:at + length] += rng.uniform(1, 3) * rng.standard_normal(length) * np.exp(-np.arange(length) / (length / 4))
    return noise / (np.sqrt(np.mean(noise ** 2)) + 1e-9)


def make_mixture(rng, speakers, sr, min_seconds, max_seconds):
    """(name, {folder: signal}) of one WHAM!-style mixture."""
    first, second = rng.choice(len(speakers), 2, replace=False)
    sources = []
    for k in (first, second):
        sources.append(synth_utterance(rng, speakers[k], rng.uniform(min_seconds, max_seconds), sr))
    length = min(len(s) for s in sources)                    # "min" mode
    sources = [s[:length] for s in sources]
    snr = rng.uniform(0, 2.5)                                # WSJ0-2mix: +x dB and -x dB, x in [0, 2.5]
    s1, s2 = sources[0] * 10 ** (snr / 20), sources[1] * 10 ** (-snr / 20)
    noise = synth_noise(rng, length, sr)
    loudest = max(np.sqrt(np.mean(s1 ** 2)), np.sqrt(np.mean(s2 ** 2)))
    noise *= loudest * 10 ** (-rng.uniform(-6, 3) / 20)      # WHAM!: noise at -6..+3 dB SNR
    parts = {"s1": s1, "s2": s2, "noise": noise}
    peak = np.max(np.abs(s1 + s2 + noise))
    scale = rng.uniform(0.3, 0.9) / peak                     # no clipping, varied levels
    parts = {k: v * scale for k, v in parts.items()}
    parts["mix_clean"] = parts["s1"] + parts["s2"]
    parts["mix_both"] = parts["mix_clean"] + parts["noise"]
    parts["mix_single"] = parts["s1"] + parts["noise"]
    name = (f"{speakers[first].name}c{rng.integers(1000):03d}_{snr:.4f}_"
            f"{speakers[second].name}c{rng.integers(1000):03d}_{-snr:.4f}.wav")
    return name, parts


def parse_sizes(text: str) -> dict:
    """'tr=600,cv=100,tt=100' -> {'tr': 600, ...}."""
    sizes = dict(DEFAULT_SIZES)
    if not text:
        return sizes
    for item in text.split(","):
        key, _, value = item.partition("=")
        key = key.strip()
        if key not in DEFAULT_SIZES or not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"--sizes: expected tr=N,cv=N,tt=N with N >= 1, got {item!r}")
        sizes[key] = int(value)
    return sizes


def make_demo_corpus(root: str, seed: int = 0, sizes: dict | None = None, sample_rate: int = 8000,
                     min_seconds: float = 2.0, max_seconds: float = 4.0, progress=None) -> dict:
    """Writes ROOT/wav8k/min/{tr,cv,tt}/{mix_clean,mix_both,mix_single,s1,s2,noise}/NAME.wav.

    Training and validation share a speaker pool (as WSJ0-2mix); test speakers are unseen.
    Written into a temporary folder that is renamed into place at the end, so an interrupted run
    leaves no half corpus behind. Returns {split: count}.
    """
    sizes = dict(sizes or DEFAULT_SIZES)
    seen = make_speakers(np.random.default_rng([seed, 0]), 40, "s")
    unseen = make_speakers(np.random.default_rng([seed, 9]), 16, "u")
    final = os.path.abspath(root)
    staging = final.rstrip("/") + ".partial"
    if os.path.exists(staging):
        import shutil
        shutil.rmtree(staging)
    base = os.path.join(staging, rate_folder(sample_rate), "min")
    for split, count in sizes.items():
        speakers = unseen if split == "tt" else seen
        for index in range(count):
            rng = np.random.default_rng([seed, SPLIT_SEEDS[split], index])
            name, parts = make_mixture(rng, speakers, sample_rate, min_seconds, max_seconds)
            for folder in FOLDERS:
                write_audio(os.path.join(base, split, folder, name), parts[folder], sample_rate, "PCM_16")
        if progress:
            progress(f"{split}: {count} mixtures")
    if os.path.exists(final):
        os.rmdir(final)          # only an empty folder can stand in the way here
    os.replace(staging, final)
    return sizes
