"""WHAM!, WSJ0-2mix and LibriMix corpora as distributed: layouts, splits and checked file lists.

WHAM!:     ROOT/wav8k|wav16k/min|max/tr|cv|tt/{mix_clean,mix_both,mix_single,s1,s2,noise}/NAME.wav
WSJ0-2mix: ROOT/wav8k|wav16k/min|max/tr|cv|tt/{mix,s1,s2}/NAME.wav
LibriMix:  ROOT/Libri2Mix/wav8k|wav16k/min|max/train-100|train-360|dev|test/{...same as WHAM!...}
"""
from __future__ import annotations

import dataclasses
import os

import numpy as np

from .audio import audio_info
from .errors import DataError

TASKS = ("sep_clean", "sep_noisy")
MODES = ("min", "max")
SPLITS = ("train", "valid", "test")
DEFAULT_SPLIT_DIRS = {
    "wham": {"train": "tr", "valid": "cv", "test": "tt"},
    "wsj0-2mix": {"train": "tr", "valid": "cv", "test": "tt"},
    "librimix": {"train": "train-360", "valid": "dev", "test": "test"},
}


@dataclasses.dataclass(frozen=True)
class Utterance:
    name: str
    mixture: str            # path of the mixture file
    sources: tuple          # paths of s1, s2, ...
    noise: str | None       # path of the noise file (sep_noisy on WHAM!/LibriMix), else None
    samples: int


@dataclasses.dataclass
class Split:
    """The checked list of one split's mixtures."""
    name: str               # train / valid / test
    folder: str
    utterances: list
    sample_rate: int

    def __len__(self):
        return len(self.utterances)

    def subset(self, names) -> "Split":
        by_name = {u.name: u for u in self.utterances}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise DataError(f"{self.folder}: subset names {missing[0]!r} which is not in the split"
                            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
        return Split(self.name, self.folder, [by_name[n] for n in names], self.sample_rate)

    def durations(self) -> np.ndarray:
        return np.array([u.samples for u in self.utterances], dtype=np.float64) / self.sample_rate


def rate_folder(sample_rate: int) -> str:
    if sample_rate % 1000:
        raise DataError(f"sample_rate: {sample_rate} Hz has no wav<k>k folder in these corpora")
    return f"wav{sample_rate // 1000}k"


@dataclasses.dataclass(frozen=True)
class Corpus:
    """A corpus root plus the choices that select its files."""
    root: str
    sample_rate: int = 8000
    mode: str = "min"
    task: str = "sep_clean"
    num_speakers: int = 2
    split_dirs: tuple = ()   # ((split, folder), ...) overriding the layout's defaults

    def __post_init__(self):
        if self.task not in TASKS:
            raise DataError(f"task: expected one of {TASKS}, got {self.task!r}")
        if self.mode not in MODES:
            raise DataError(f"mode: expected one of {MODES}, got {self.mode!r}")

    @property
    def layout(self) -> str:
        return detect_layout(self.root, self.num_speakers)

    def base(self) -> str:
        root = self.root
        if self.layout == "librimix" and os.path.isdir(os.path.join(root, f"Libri{self.num_speakers}Mix")):
            root = os.path.join(root, f"Libri{self.num_speakers}Mix")
        return os.path.join(root, rate_folder(self.sample_rate), self.mode)

    def split_folder(self, split: str) -> str:
        if split not in SPLITS:
            raise DataError(f"split: expected one of {SPLITS}, got {split!r}")
        dirs = {**DEFAULT_SPLIT_DIRS[self.layout], **dict(self.split_dirs)}
        return os.path.join(self.base(), dirs[split])

    def folders(self, split_folder: str) -> tuple[str, list[str], str | None]:
        """(mixture folder, source folders, noise folder or None) for this task."""
        sources = [f"s{k + 1}" for k in range(self.num_speakers)]
        if self.task == "sep_clean":
            mix = "mix_clean" if os.path.isdir(os.path.join(split_folder, "mix_clean")) else "mix"
            return mix, sources, None
        noise = "noise" if os.path.isdir(os.path.join(split_folder, "noise")) else None
        return "mix_both", sources, noise

    def open_split(self, split: str, check: bool = True, names: list | None = None) -> Split:
        """Lists a split and checks every file once (exists, mono, sample rate, same length).

        With `names`, only those mixtures are listed and checked (a recorded subset), in that order.
        """
        folder = self.split_folder(split)
        if not os.path.isdir(folder):
            raise DataError(f"{folder}: split folder does not exist (data root {self.root}, "
                            f"{rate_folder(self.sample_rate)}/{self.mode}, split {split})")
        mix_dir, source_dirs, noise_dir = self.folders(folder)
        mix_path = os.path.join(folder, mix_dir)
        if not os.path.isdir(mix_path):
            raise DataError(f"{mix_path}: mixture folder for task {self.task} does not exist")
        if names is None:
            names = sorted(n for n in os.listdir(mix_path) if n.lower().endswith(".wav") and not n.startswith("."))
        if not names:
            raise DataError(f"{mix_path}: no .wav files")
        problems, utterances = [], []
        for name in names:
            paths = [os.path.join(folder, d, name) for d in [mix_dir, *source_dirs]]
            noise = os.path.join(folder, noise_dir, name) if noise_dir else None
            try:
                lengths = [audio_info(p, self.sample_rate).frames if check else -1 for p in paths]
                if noise is not None and check:
                    lengths.append(audio_info(noise, self.sample_rate).frames)
            except DataError as err:
                problems.append(str(err))
                continue
            if len(set(lengths)) > 1:
                # Name the odd one out (the file whose length the others do not share).
                checked = paths + ([noise] if noise is not None else [])
                odd = min(range(len(lengths)), key=lambda i: (lengths.count(lengths[i]), i))
                folders = ", ".join(f"{os.path.basename(os.path.dirname(p))} {n}" for p, n in zip(checked, lengths))
                problems.append(f"{checked[odd]}: lengths differ across "
                                f"folders ({folders} samples)")
                continue
            utterances.append(Utterance(name, paths[0], tuple(paths[1:]), noise, lengths[0]))
        if problems:
            more = f" (and {len(problems) - 1} more problems in {folder})" if len(problems) > 1 else ""
            raise DataError(problems[0] + more)
        return Split(split, folder, utterances, self.sample_rate)


def detect_layout(root: str, num_speakers: int = 2) -> str:
    """'wham', 'wsj0-2mix' or 'librimix', from the folders under `root`."""
    if not os.path.exists(root):
        raise DataError(f"{root}: data root does not exist")
    if not os.path.isdir(root):
        raise DataError(f"{root}: data root is not a folder")
    if os.path.isdir(os.path.join(root, f"Libri{num_speakers}Mix")):
        return "librimix"
    rates = [d for d in os.listdir(root) if d.startswith("wav") and d.endswith("k")]
    if not rates:
        raise DataError(f"{root}: no wav8k/wav16k folder (nor Libri{num_speakers}Mix): not a WHAM!, "
                        f"WSJ0-2mix or LibriMix root")
    for rate in rates:
        for mode in MODES:
            base = os.path.join(root, rate, mode)
            if not os.path.isdir(base):
                continue
            subdirs = set(os.listdir(base))
            if subdirs & {"train-100", "train-360", "dev", "test"}:
                return "librimix"
            for split in ("tr", "cv", "tt"):
                if os.path.isdir(os.path.join(base, split, "mix_clean")) or \
                        os.path.isdir(os.path.join(base, split, "mix_both")):
                    return "wham"
                if os.path.isdir(os.path.join(base, split, "mix")):
                    return "wsj0-2mix"
    raise DataError(f"{root}: found {rates[0]} but no min|max/tr|cv|tt/mix* folders: an empty or "
                    f"unknown corpus layout")
