"""Configuration files: every shipped config loads; bad ones are refused with the key named."""
import os

import pytest

from conftest import ROOT, run_cli
from dprnn.errors import ConfigError
from search.config import config_from_dict, load_config


@pytest.mark.parametrize("name", ["demo", "smoke", "wham"])
def test_shipped_configs_load(name, monkeypatch):
    monkeypatch.setenv("WHAM_ROOT", "/somewhere/wham")
    cfg = load_config(os.path.join(ROOT, "configs", f"{name}.yaml"))
    assert cfg.space
    assert set(cfg.space) <= set(cfg.model.field_names()) | {"learning_rate", "batch_size"}


def test_wham_config_is_the_original_setting(monkeypatch):
    monkeypatch.delenv("WHAM_ROOT", raising=False)
    with pytest.raises(ConfigError, match="WHAM_ROOT is not set"):
        load_config(os.path.join(ROOT, "configs", "wham.yaml"))
    cfg = load_config(os.path.join(ROOT, "configs", "wham.yaml"), data_root="/data/wham")
    assert cfg.data.root == "/data/wham" and cfg.data.task == "sep_clean" and cfg.data.mode == "min"
    assert cfg.data.segment_seconds == 4.0 and cfg.train.batch_size == 2 and cfg.budget.memory_gb == 11
    assert 6 in cfg.space["blocks"]


@pytest.mark.parametrize("raw, key", [
    ({"data": {"rooot": "x"}}, "data.rooot"),
    ({"train": {"batch_size": "two"}}, "train.batch_size"),
    ({"train": {"batch_size": 0}}, "train.batch_size"),
    ({"search": {"factor": 1}}, "search.factor"),
    ({"model": {"blocks": 0}}, "model.blocks"),
    ({"model": {"norm_scaling": "value"}}, "model.norm_scaling"),
    ({"space": {"blocks": []}}, "space.blocks"),
    ({"space": {"chunk_size": [64, 7]}}, "space.chunk_size"),
    ({"space": {"dropout": [0.1]}}, "space.dropout"),
    ({"space": {"learning_rate": {"min": 1e-2, "max": 1e-3}}}, "space.learning_rate"),
    ({"budget": {"memory_gb": -1}}, "budget.memory_gb"),
    ({"extra": {}}, "extra"),
    ({"data": {"sample_rate": 16000}}, "data.sample_rate"),
])
def test_bad_values_name_the_key(raw, key):
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw)
    assert str(err.value).startswith(key) and "\n" not in str(err.value)


def test_scientific_notation_learning_rate_is_a_float():
    cfg = config_from_dict({"train": {"learning_rate": "1e-3"}})
    assert cfg.train.learning_rate == pytest.approx(1e-3)


@pytest.mark.parametrize("content, message", [
    ("data: [unclosed", "not valid YAML"),
    ("data:\n  root: x\n  bogus: 1\n", "data.bogus: unknown key"),
    ("train:\n  epochs: many\n", "train.epochs: expected int"),
])
def test_broken_config_files_through_the_cli(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    result = run_cli("search", "launch", "--config", str(path), "--trials-dir", str(tmp_path / "trials"))
    assert result.returncode == 1
    assert message in result.stderr and "bad.yaml" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "trials").exists()


def test_missing_unreadable_and_binary_config_files(tmp_path):
    result = run_cli("search", "estimate", "--config", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and "nope.yaml: config file does not exist" in result.stderr
    (tmp_path / "folder.yaml").mkdir()
    result = run_cli("search", "launch", "--config", str(tmp_path / "folder.yaml"), "--trials-dir", str(tmp_path / "t"))
    assert result.returncode == 1 and "folder.yaml: a folder, not a config file" in result.stderr
    (tmp_path / "binary.yaml").write_bytes(bytes(range(128, 256)) * 3)
    result = run_cli("search", "launch", "--config", str(tmp_path / "binary.yaml"), "--trials-dir", str(tmp_path / "t"))
    assert result.returncode == 1 and "binary.yaml: not valid YAML" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "t").exists()
