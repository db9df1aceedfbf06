"""`validate-data`: a whole-corpus check before days of training."""
from __future__ import annotations

import os

import numpy as np

from .audio import read_audio
from .corpus import SPLITS, Corpus
from .errors import DataError

# A mixture must equal the sum of its sources to this SNR (dB). 16-bit files give about 80 dB; a
# wrongly paired source or a resampled copy gives well under 20.
SUM_TOLERANCE_DB = 30.0


def validate_corpus(corpus: Corpus, splits=SPLITS, progress=None) -> dict:
    """Checks every split; returns {"splits": {...}, "problems": [...]}.

    Per split: file counts per folder, duration statistics and the worst mixture-vs-sum SNR.
    """
    report = {"root": corpus.root, "layout": corpus.layout, "task": corpus.task, "mode": corpus.mode,
              "sample_rate": corpus.sample_rate, "splits": {}, "problems": []}
    for split in splits:
        folder = corpus.split_folder(split)
        if not os.path.isdir(folder):
            report["problems"].append(f"{folder}: split folder does not exist")
            continue
        counts = {d: len([n for n in os.listdir(os.path.join(folder, d)) if n.endswith(".wav")])
                  for d in sorted(os.listdir(folder)) if os.path.isdir(os.path.join(folder, d))}
        try:
            opened = corpus.open_split(split)
        except DataError as err:
            report["problems"].append(str(err))
            report["splits"][split] = {"folder": folder, "counts": counts}
            continue
        worst, worst_name = np.inf, None
        for utt in opened.utterances:
            mix = read_audio(utt.mixture).astype(np.float64)
            total = sum(read_audio(p).astype(np.float64) for p in utt.sources)
            if utt.noise is not None:
                total = total + read_audio(utt.noise)
            err = np.sum((mix - total) ** 2)
            snr = 10 * np.log10((np.sum(mix ** 2) + 1e-12) / (err + 1e-20))
            if snr < worst:
                worst, worst_name = snr, utt.mixture
            if snr < SUM_TOLERANCE_DB:
                report["problems"].append(f"{utt.mixture}: mixture is not the sum of its sources "
                                          f"({snr:.1f} dB < {SUM_TOLERANCE_DB} dB)")
        durations = opened.durations()
        report["splits"][split] = {
            "folder": folder, "counts": counts, "mixtures": len(opened),
            "hours": float(durations.sum() / 3600), "min_s": float(durations.min()),
            "mean_s": float(durations.mean()), "max_s": float(durations.max()),
            "worst_sum_snr_db": float(worst), "worst_sum_file": worst_name}
        if progress:
            progress(f"{split}: {len(opened)} mixtures checked")
    return report


def format_report(report: dict) -> str:
    lines = [f"{report['root']}  layout={report['layout']}  task={report['task']}  "
             f"mode={report['mode']}  rate={report['sample_rate']}",
             f"{'split':6} {'mixtures':>8} {'hours':>7} {'min s':>6} {'mean s':>6} {'max s':>6} "
             f"{'sum dB':>7}  folders"]
    for split, s in report["splits"].items():
        folders = " ".join(f"{k}={v}" for k, v in s["counts"].items())
        if "mixtures" in s:
            lines.append(f"{split:6} {s['mixtures']:8d} {s['hours']:7.2f} {s['min_s']:6.2f} {s['mean_s']:6.2f} "
                         f"{s['max_s']:6.2f} {s['worst_sum_snr_db']:7.1f}  {folders}")
        else:
            lines.append(f"{split:6} {'-':>8} {'':7} {'':6} {'':6} {'':6} {'':7}  {folders}")
    lines.append(f"{len(report['problems'])} problem(s)")
    lines += [f"  {p}" for p in report["problems"][:20]]
    if len(report["problems"]) > 20:
        lines.append(f"  ... and {len(report['problems']) - 20} more")
    return "\n".join(lines)
