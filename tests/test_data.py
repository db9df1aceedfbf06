"""Corpora as distributed (WHAM!, WSJ0-2mix, LibriMix), their errors, subsets, the pipeline and the
demo corpus."""
import hashlib
import os

import numpy as np
import pytest
import soundfile as sf

from conftest import run_cli
from dprnn.corpus import Corpus, detect_layout
from dprnn.errors import DataError

WHAM_FOLDERS = ("mix_clean", "mix_both", "mix_single", "s1", "s2", "noise")


def write(path, data, rate=8000, subtype="FLOAT"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    sf.write(path, data, rate, subtype=subtype)


def make_corpus(root, layout="wham", count=3, rate=8000, splits=None, seed=0):
    """A tiny valid corpus in `layout`; returns the folder of its training split."""
    rng = np.random.default_rng(seed)
    if layout == "librimix":
        base = os.path.join(root, "Libri2Mix", f"wav{rate // 1000}k", "min")
        splits = splits or ("train-360", "dev", "test")
        folders = WHAM_FOLDERS
    else:
        base = os.path.join(root, f"wav{rate // 1000}k", "min")
        splits = splits or ("tr", "cv", "tt")
        folders = WHAM_FOLDERS if layout == "wham" else ("mix", "s1", "s2")
    for split in splits:
        for i in range(count):
            n = int(rng.integers(800, 1600))
            s1, s2, noise = (rng.standard_normal(n) * 0.1 for _ in range(3))
            parts = {"s1": s1, "s2": s2, "noise": noise, "mix_clean": s1 + s2, "mix": s1 + s2,
                     "mix_both": s1 + s2 + noise, "mix_single": s1 + noise}
            for folder in folders:
                write(os.path.join(base, split, folder, f"utt{i}.wav"), parts[folder], rate)
    return os.path.join(base, splits[0])


@pytest.mark.parametrize("layout", ["wham", "wsj0-2mix", "librimix"])
def test_layouts_open_every_split(tmp_path, layout):
    make_corpus(str(tmp_path), layout)
    assert detect_layout(str(tmp_path)) == layout
    for task in (("sep_clean", "sep_noisy") if layout != "wsj0-2mix" else ("sep_clean",)):
        corpus = Corpus(str(tmp_path), task=task)
        for split in ("train", "valid", "test"):
            opened = corpus.open_split(split)
            assert len(opened) == 3
            utt = opened.utterances[0]
            assert os.path.basename(os.path.dirname(utt.mixture)) == \
                {"sep_clean": "mix" if layout == "wsj0-2mix" else "mix_clean", "sep_noisy": "mix_both"}[task]
            assert [os.path.basename(os.path.dirname(p)) for p in utt.sources] == ["s1", "s2"]


def test_librimix_train_split_is_configurable(tmp_path):
    make_corpus(str(tmp_path), "librimix", splits=("train-100", "dev", "test"))
    with pytest.raises(DataError, match="train-360"):
        Corpus(str(tmp_path)).open_split("train")
    assert len(Corpus(str(tmp_path), split_dirs=(("train", "train-100"),)).open_split("train")) == 3


def broken(tmp_path, how):
    train = make_corpus(str(tmp_path))
    target = os.path.join(train, "s2", "utt1.wav")
    if how == "missing":
        os.remove(target)
    elif how == "corrupt":
        with open(target, "wb") as f:
            f.write(b"RIFF....not audio at all")
    elif how == "rate":
        write(target, np.zeros(sf.info(target).frames), rate=16000)
    elif how == "stereo":
        write(target, np.zeros((sf.info(target).frames, 2)))
    elif how == "length":
        write(target, np.zeros(sf.info(target).frames + 7))
    return target


@pytest.mark.parametrize("how, message", [
    ("missing", "file does not exist"), ("corrupt", "not a readable audio file"),
    ("rate", "sample rate 16000 Hz, expected 8000 Hz"), ("stereo", "expected mono audio, got 2 channels"),
    ("length", "lengths differ"),
])
def test_every_bad_file_is_named_in_one_line(tmp_path, how, message):
    target = broken(tmp_path, how)
    with pytest.raises(DataError) as err:
        Corpus(str(tmp_path)).open_split("train")
    text = str(err.value)
    assert message in text and "\n" not in text
    assert os.path.basename(target) in text


def test_many_problems_are_counted(tmp_path):
    train = make_corpus(str(tmp_path), count=4)
    for i in range(3):
        os.remove(os.path.join(train, "s1", f"utt{i}.wav"))
    with pytest.raises(DataError, match=r"and 2 more problems"):
        Corpus(str(tmp_path)).open_split("train")


@pytest.mark.parametrize("setup, message", [
    ("absent", "data root does not exist"), ("empty", "no wav8k/wav16k folder"),
])
def test_bad_roots(tmp_path, setup, message):
    root = tmp_path / "root"
    if setup == "empty":
        root.mkdir()
    with pytest.raises(DataError, match=message):
        Corpus(str(root)).open_split("train")


def test_validate_data_cli_reports_and_catches_wrong_pairing(tmp_path):
    make_corpus(str(tmp_path), count=3)
    ok = run_cli("dprnn", "validate-data", "--data", str(tmp_path), "--task", "sep_noisy")
    assert ok.returncode == 0, ok.stderr
    assert "train" in ok.stdout and "0 problem(s)" in ok.stdout and "mix_both=3" in ok.stdout
    # swap one source for another mixture's: every file is valid audio but the pairing is wrong
    train = os.path.join(str(tmp_path), "wav8k", "min", "tr")
    other, _ = sf.read(os.path.join(train, "s1", "utt2.wav"))
    n = sf.info(os.path.join(train, "s1", "utt0.wav")).frames
    write(os.path.join(train, "s1", "utt0.wav"), np.resize(other, n))
    bad = run_cli("dprnn", "validate-data", "--data", str(tmp_path))
    assert bad.returncode == 1
    assert "utt0.wav: mixture is not the sum of its sources" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_subsets_are_seeded_recorded_and_warn_when_too_large(tmp_path):
    from dprnn.subsets import choose_subset, read_subset, write_subset
    names = [f"u{i}" for i in range(10)]
    first = choose_subset(names, 4, seed=1)
    assert first == choose_subset(list(reversed(names)), 4, seed=1)
    assert first != choose_subset(names, 4, seed=2)
    path = str(tmp_path / "subset.txt")
    write_subset(path, first)
    assert read_subset(path) == first
    with pytest.warns(UserWarning, match="using all"):
        assert sorted(choose_subset(names, 50, seed=1)) == sorted(names)


def test_pipeline_decodes_once_crops_and_pads(demo_corpus):
    from dprnn.pipeline import AudioCache, training_dataset
    split = Corpus(demo_corpus).open_split("train")
    cache = AudioCache(2**30)
    dataset = training_dataset(split, 8000, 2, seed=0, cache=cache)
    batches = list(dataset.take(len(split)))      # two passes over the split
    assert batches[0][0].shape == (2, 8000) and batches[0][1].shape == (2, 2, 8000)
    assert cache.decoded == len(split)            # every file decoded exactly once
    long_crop = training_dataset(split, 40000, 1, seed=0, cache=cache)
    mixture, sources = next(iter(long_crop))
    assert mixture.shape == (1, 40000) and np.all(np.asarray(mixture)[0, -8000:] == 0)   # zero-padded
    np.testing.assert_allclose(np.asarray(sources).sum(axis=1), np.asarray(mixture), atol=1e-3)


def test_validation_examples_are_identical_run_to_run(demo_corpus):
    from dprnn.pipeline import AudioCache, evaluation_examples
    split = Corpus(demo_corpus).open_split("valid")
    a = evaluation_examples(split, AudioCache(0))
    b = evaluation_examples(split, AudioCache(2**30), crop_samples=None)
    assert [x[0] for x in a] == [u.name for u in split.utterances]
    for (_, ma, sa), (_, mb, sb) in zip(a, b):
        np.testing.assert_array_equal(ma, mb)
        np.testing.assert_array_equal(sa, sb)
    cropped = evaluation_examples(split, AudioCache(0), crop_samples=8000)
    assert all(m.shape == (8000,) and s.shape == (2, 8000) for _, m, s in cropped)


def _digest(root):
    h = hashlib.sha256()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            h.update(name.encode())
            with open(os.path.join(folder, name), "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def test_demo_corpus_layout_and_determinism(tmp_path):
    a, b, c = (str(tmp_path / n) for n in "abc")
    for root, seed in ((a, 0), (b, 0), (c, 1)):
        result = run_cli("dprnn", "make-demo-data", "--out", root, "--seed", str(seed), "--sizes", "tr=4,cv=2,tt=2")
        assert result.returncode == 0, result.stderr
    for split, count in (("tr", 4), ("cv", 2), ("tt", 2)):
        for folder in WHAM_FOLDERS:
            assert len(os.listdir(os.path.join(a, "wav8k", "min", split, folder))) == count
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)
    check = run_cli("dprnn", "validate-data", "--data", a, "--task", "sep_noisy")
    assert check.returncode == 0, check.stdout + check.stderr


def test_demo_sources_are_speech_like(demo_corpus):
    """Pauses, voiced harmonics in the speech band and level differences of 0 to 5 dB."""
    split = Corpus(demo_corpus).open_split("train")
    for utt in split.utterances[:6]:
        s1, _ = sf.read(utt.sources[0])
        s2, _ = sf.read(utt.sources[1])
        frames = s1[: len(s1) // 160 * 160].reshape(-1, 160)
        energy = (frames ** 2).mean(axis=1)
        assert np.mean(energy < 1e-3 * energy.max()) > 0.05          # pauses
        spectrum = np.abs(np.fft.rfft(s1)) ** 2
        freqs = np.fft.rfftfreq(len(s1), 1 / 8000)
        assert spectrum[(freqs > 80) & (freqs < 1000)].sum() > 0.3 * spectrum.sum()
        level = 10 * np.log10(np.sum(s1 ** 2) / np.sum(s2 ** 2))
        assert abs(level) <= 5.01


def test_demo_config_generates_the_corpus_when_missing(tmp_path):
    from search.config import config_from_dict
    from search.data import corpus_of
    root = str(tmp_path / "gen")
    cfg = config_from_dict({"data": {"root": root, "demo": True, "demo_sizes": {"tr": 2, "cv": 1, "tt": 1}}})
    with pytest.raises(Exception, match="outside the working directory"):
        corpus_of(cfg)                               # a config file alone may not write just anywhere
    assert not os.path.exists(root)
    corpus = corpus_of(cfg, root_named_by_user=True)
    assert len(corpus.open_split("train")) == 2
    marker = os.path.join(root, "keep.txt")
    open(marker, "w").close()
    corpus_of(cfg)                                   # an existing folder is used as it is
    assert os.path.exists(marker)
