"""Evaluating a separator on a split: SI-SNR, SI-SNRi and SDRi per utterance and on average."""
from __future__ import annotations

import csv
import io
import time

import numpy as np

from .corpus import Corpus
from .atomic import write_json, write_text
from .metrics import utterance_scores
from .separate import separate_array

SPLIT_ALIASES = {"tr": "train", "cv": "valid", "tt": "test", "train": "train", "valid": "valid",
                 "test": "test", "dev": "valid"}


def evaluate_split(model, corpus: Corpus, split: str = "test", limit: int = 0, progress=None,
                   max_samples: int = 0) -> dict:
    """Separates every mixture of `split` at full length and scores it against its sources.

    `max_samples` > 0 separates longer mixtures in overlapping windows (memory budget).
    """
    from .pipeline import AudioCache

    opened = corpus.open_split(SPLIT_ALIASES.get(split, split))
    utterances = opened.utterances[:limit] if limit else opened.utterances
    cache = AudioCache(0)           # evaluation reads each file once; nothing to keep
    rows, start = [], time.time()
    audio_seconds = 0.0
    for i, utt in enumerate(utterances):
        mixture, sources = cache.get(utt)
        estimate = separate_array(model, mixture, max_samples=max_samples)
        scores = utterance_scores(mixture, sources, estimate)
        rows.append({"utterance": utt.name, "seconds": len(mixture) / opened.sample_rate, **scores})
        audio_seconds += len(mixture) / opened.sample_rate
        if progress and ((i + 1) % 25 == 0 or i + 1 == len(utterances)):
            elapsed = time.time() - start
            progress(f"{i + 1}/{len(utterances)} mixtures, mean SI-SNRi "
                     f"{np.mean([r['si_snri'] for r in rows]):.2f} dB, {elapsed:.0f} s")
    elapsed = time.time() - start
    means = {f"mean_{k}": float(np.mean([r[k] for r in rows])) for k in ("si_snr", "si_snri", "sdr", "sdri")}
    return {"split": opened.name, "folder": opened.folder, "task": corpus.task, "count": len(rows), **means,
            "seconds": elapsed, "real_time_factor": elapsed / max(audio_seconds, 1e-9), "utterances": rows}


def write_reports(result: dict, json_path: str | None = None, csv_path: str | None = None) -> None:
    if json_path:
        write_json(json_path, {k: v for k, v in result.items() if k != "utterances"}
                   | {"utterances": [{k: v for k, v in r.items() if k != "permutation"} for r in result["utterances"]]})
    if csv_path:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["utterance", "seconds", "si_snr", "si_snri", "sdr", "sdri"])
        for r in result["utterances"]:
            writer.writerow([r["utterance"], f"{r['seconds']:.3f}", *(f"{r[k]:.4f}" for k in ("si_snr", "si_snri", "sdr", "sdri"))])
        write_text(csv_path, buffer.getvalue())


def format_result(result: dict) -> str:
    return (f"{result['split']} ({result['count']} mixtures, {result['task']}): SI-SNR {result['mean_si_snr']:.2f} dB, "
            f"SI-SNRi {result['mean_si_snri']:.2f} dB, SDRi {result['mean_sdri']:.2f} dB "
            f"(real-time factor {result['real_time_factor']:.3f})")
