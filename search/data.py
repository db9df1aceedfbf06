"""From a ProjectConfig to checked splits, search subsets and validation examples."""
from __future__ import annotations

import dataclasses
import os
import warnings

from dprnn.corpus import Corpus, Split
from dprnn.errors import ConfigError
from dprnn.pipeline import AudioCache, evaluation_examples
from dprnn.subsets import choose_subset, read_subset, write_subset

from .config import ProjectConfig

GB = 2**30
SUBSET_FILES = {"train": "subset_train.txt", "valid": "subset_valid.txt"}


@dataclasses.dataclass
class PreparedData:
    corpus: Corpus
    train: Split
    valid: Split
    cache: AudioCache
    valid_examples: list
    notes: list


def corpus_of(cfg: ProjectConfig, root_named_by_user: bool = False) -> Corpus:
    """The config's corpus; with `data.demo`, generates it first when the folder does not exist.

    A config file alone may only have the corpus generated inside the working directory; a root
    given on the command line (--data-root) may be anywhere the user chose.
    """
    d = cfg.data
    if d.demo and not os.path.exists(d.root):
        inside = os.path.realpath(d.root).startswith(os.path.realpath(os.getcwd()) + os.sep)
        if not (inside or root_named_by_user):
            raise ConfigError(f"data.root: {d.root} is outside the working directory; pass it with "
                              f"--data-root to generate the demo corpus there")
        from dprnn.demo_data import make_demo_corpus
        print(f"generating the demo corpus at {d.root} (seed {d.demo_seed}) ...", flush=True)
        make_demo_corpus(d.root, seed=d.demo_seed, sizes=d.demo_sizes, sample_rate=d.sample_rate)
    return Corpus(d.root, sample_rate=d.sample_rate, mode=d.mode, task=d.task,
                  num_speakers=cfg.model.num_speakers, split_dirs=tuple(sorted(d.splits.items())))


def _subset(split: Split, count: int, seed: int, path: str | None, resume: bool, notes: list) -> Split:
    if resume and path and os.path.isfile(path):   # a resumed search keeps exactly what it saw
        return split.subset(read_subset(path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        names = choose_subset([u.name for u in split.utterances], count, seed)
    notes += [f"warning: {split.name}: {w.message}" for w in caught]
    if path:
        write_subset(path, names)
    return split.subset(names)


def open_data(cfg: ProjectConfig, root_named_by_user: bool = False) -> tuple[Corpus, Split, Split]:
    """The corpus and its checked train and valid splits; writes nothing (but a missing demo corpus)."""
    corpus = corpus_of(cfg, root_named_by_user)
    return corpus, corpus.open_split("train"), corpus.open_split("valid")


def prepare_data(cfg: ProjectConfig, project_dir: str | None = None, subsets: bool = True,
                 resume: bool = False, opened=None, valid_limit: int = 0) -> PreparedData:
    """Splits (opened here unless `opened` is given), search subsets recorded in `project_dir`
    (re-read when `resume`), the audio cache and the validation examples."""
    corpus, train, valid = opened or open_data(cfg)
    notes: list = []
    if subsets:
        d = cfg.data
        path = (lambda split: os.path.join(project_dir, SUBSET_FILES[split])) if project_dir else (lambda s: None)
        train = _subset(train, d.subset_train, d.subset_seed, path("train"), resume, notes)
        valid = _subset(valid, d.subset_valid, d.subset_seed + 1, path("valid"), resume, notes)
    if valid_limit:
        valid = valid.subset([u.name for u in valid.utterances[:valid_limit]])
    cache = AudioCache(cfg.data.cache_gb * GB)
    crop = int(cfg.data.valid_crop_seconds * cfg.data.sample_rate) or None
    examples = evaluation_examples(valid, cache, crop)
    return PreparedData(corpus, train, valid, cache, examples, notes)


def data_info(cfg: ProjectConfig) -> dict:
    """What a trained model records about its data."""
    return {"sample_rate": cfg.data.sample_rate, "mode": cfg.data.mode, "task": cfg.data.task,
            "data_root": os.path.abspath(cfg.data.root)}
