"""The project configuration: one YAML file -> one `ProjectConfig` for data, model, space, budget,
search and training. Unknown keys, wrong types and impossible values raise a ConfigError naming the key.
"""
from __future__ import annotations

import copy
import dataclasses
import os

import yaml

from dprnn.config import DPRNNConfig
from dprnn.errors import ConfigError

TRAINING_HYPERPARAMETERS = ("learning_rate", "batch_size")


@dataclasses.dataclass
class DataSection:
    root: str = "data/demo"
    demo: bool = False              # generate the synthetic corpus at `root` if it does not exist
    demo_seed: int = 0
    demo_sizes: dict = dataclasses.field(default_factory=lambda: {"tr": 600, "cv": 100, "tt": 100})
    sample_rate: int = 8000
    mode: str = "min"
    task: str = "sep_clean"
    splits: dict = dataclasses.field(default_factory=dict)   # override split folder names
    segment_seconds: float = 4.0    # training crops
    valid_crop_seconds: float = 0.0 # 0: whole utterances for validation and test
    cache_gb: float = 4.0           # decoded audio kept in memory
    subset_train: int = 0           # search subsets; 0: the whole split
    subset_valid: int = 0
    subset_seed: int = 0


@dataclasses.dataclass
class BudgetSection:
    memory_gb: float = 11.0
    profile: str = "gpu"            # configs/devices/NAME.yaml, or a path to a profile file


@dataclasses.dataclass
class SearchSection:
    max_epochs: int = 9
    factor: int = 3
    hyperband_iterations: int = 1
    steps_per_epoch: int = 100
    seed: int = 0
    max_consecutive_failed_trials: int = 3
    max_retries_per_trial: int = 0
    subprocess_trials: bool = True   # every trial in a fresh child process (no memory creep)


@dataclasses.dataclass
class TrainSection:
    batch_size: int = 2
    learning_rate: float = 1e-3
    clipnorm: float = 5.0
    lr_decay: float = 0.98
    lr_decay_every: int = 2
    epochs: int = 100
    steps_per_epoch: int = 10000
    early_stopping_patience: int = 10
    audio_examples: int = 3         # separated validation examples written to TensorBoard
    mixed_precision: bool = False
    recompute: bool = False         # gradient checkpointing of every DPRNN block
    jit_compile: bool = False
    distribute: bool = False        # tf.distribute.MirroredStrategy over all visible GPUs
    seed: int = 0


@dataclasses.dataclass
class ProjectConfig:
    data: DataSection
    model: DPRNNConfig
    space: dict
    budget: BudgetSection
    search: SearchSection
    train: TrainSection
    source: str = ""

    def to_dict(self) -> dict:
        return {"data": dataclasses.asdict(self.data), "model": self.model.to_dict(),
                "space": copy.deepcopy(self.space), "budget": dataclasses.asdict(self.budget),
                "search": dataclasses.asdict(self.search), "train": dataclasses.asdict(self.train)}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def with_data_root(self, root: str | None) -> "ProjectConfig":
        if not root:
            return self
        return dataclasses.replace(self, data=dataclasses.replace(self.data, root=root))

    def resolve(self, values: dict) -> tuple[DPRNNConfig, dict]:
        """A DPRNNConfig and training values for one point of the space (hyperparameter values)."""
        model_fields = set(DPRNNConfig.field_names())
        model = {**self.model.to_dict(), **{k: v for k, v in values.items() if k in model_fields}}
        train = {k: values.get(k, getattr(self.train, k)) for k in TRAINING_HYPERPARAMETERS}
        return DPRNNConfig.from_dict(model, where="space"), train


def _check_type(key: str, value, annotation):
    kinds = {"int": int, "float": (int, float), "bool": bool, "str": str, "dict": dict}
    name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    expected = kinds.get(name)
    if expected is None:
        return value
    if name in ("int", "float") and isinstance(value, bool):
        raise ConfigError(f"{key}: expected {name}, got {value!r}")
    if name == "float" and isinstance(value, str):
        try:
            return float(value)     # YAML 1.1 reads 1e-3 as a string
        except ValueError:
            pass
    if not isinstance(value, expected):
        raise ConfigError(f"{key}: expected {name}, got {type(value).__name__} {value!r}")
    return float(value) if name == "float" else value


def _section(cls, values, name):
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ConfigError(f"{name}: expected a mapping, got {type(values).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"{name}.{key}: unknown key (known: {', '.join(fields)})")
        out[key] = _check_type(f"{name}.{key}", value, fields[key].type)
    return cls(**out)


def _check_space(space: dict, model: DPRNNConfig) -> dict:
    if space is None:
        return {}
    if not isinstance(space, dict):
        raise ConfigError(f"space: expected a mapping, got {type(space).__name__}")
    allowed = set(DPRNNConfig.field_names()) | set(TRAINING_HYPERPARAMETERS)
    for key, spec in space.items():
        where = f"space.{key}"
        if key not in allowed:
            raise ConfigError(f"{where}: unknown hyperparameter (searchable: {', '.join(sorted(allowed))})")
        if isinstance(spec, list):
            if not spec:
                raise ConfigError(f"{where}: empty list of choices")
            kinds = {type(v) for v in spec}
            if len(kinds) > 1 and kinds != {int, float}:
                raise ConfigError(f"{where}: choices mix types {sorted(k.__name__ for k in kinds)}")
            for value in spec:       # every choice must make a valid model
                DPRNNConfig.from_dict({**model.to_dict(), key: value}, where="space") \
                    if key in DPRNNConfig.field_names() else _check_training_value(where, key, value)
        elif isinstance(spec, dict):
            unknown = set(spec) - {"min", "max", "sampling", "step"}
            if unknown or "min" not in spec or "max" not in spec:
                raise ConfigError(f"{where}: a range needs min and max (and optionally sampling, step)")
            lo, hi = (_check_type(f"{where}.{k}", spec[k], "float") for k in ("min", "max"))
            if not lo < hi:
                raise ConfigError(f"{where}: min must be below max, got {lo} and {hi}")
            if spec.get("sampling", "linear") not in ("linear", "log"):
                raise ConfigError(f"{where}.sampling: expected linear or log, got {spec['sampling']!r}")
            if key not in ("learning_rate",):
                raise ConfigError(f"{where}: ranges are for learning_rate; list the choices for {key}")
            spec["min"], spec["max"] = lo, hi
        else:
            raise ConfigError(f"{where}: expected a list of choices or a {{min, max}} range")
    return space


def _check_training_value(where, key, value):
    if key == "batch_size" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ConfigError(f"{where}: expected positive integers, got {value!r}")
    if key == "learning_rate" and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
        raise ConfigError(f"{where}: expected positive numbers, got {value!r}")


def _check_values(cfg: ProjectConfig):
    d, b, s, t = cfg.data, cfg.budget, cfg.search, cfg.train
    checks = [
        ("data.mode", d.mode in ("min", "max"), "expected min or max"),
        ("data.task", d.task in ("sep_clean", "sep_noisy"), "expected sep_clean or sep_noisy"),
        ("data.sample_rate", d.sample_rate == cfg.model.sample_rate,
         f"must equal model.sample_rate ({cfg.model.sample_rate})"),
        ("data.segment_seconds", d.segment_seconds > 0, "must be positive"),
        ("data.valid_crop_seconds", d.valid_crop_seconds >= 0, "must be >= 0"),
        ("data.cache_gb", d.cache_gb >= 0, "must be >= 0"),
        ("data.subset_train", d.subset_train >= 0, "must be >= 0"),
        ("data.subset_valid", d.subset_valid >= 0, "must be >= 0"),
        ("data.root", bool(d.root), "must not be empty"),
        ("budget.memory_gb", b.memory_gb > 0, "must be positive"),
        ("search.max_epochs", s.max_epochs >= 1, "must be >= 1"),
        ("search.factor", s.factor >= 2, "must be >= 2"),
        ("search.hyperband_iterations", s.hyperband_iterations >= 1, "must be >= 1"),
        ("search.steps_per_epoch", s.steps_per_epoch >= 1, "must be >= 1"),
        ("search.max_consecutive_failed_trials", s.max_consecutive_failed_trials >= 1, "must be >= 1"),
        ("search.max_retries_per_trial", s.max_retries_per_trial >= 0, "must be >= 0"),
        ("train.batch_size", t.batch_size >= 1, "must be >= 1"),
        ("train.learning_rate", t.learning_rate > 0, "must be positive"),
        ("train.clipnorm", t.clipnorm > 0, "must be positive"),
        ("train.lr_decay", 0 < t.lr_decay <= 1, "must be in (0, 1]"),
        ("train.lr_decay_every", t.lr_decay_every >= 1, "must be >= 1"),
        ("train.epochs", t.epochs >= 1, "must be >= 1"),
        ("train.steps_per_epoch", t.steps_per_epoch >= 1, "must be >= 1"),
        ("train.early_stopping_patience", t.early_stopping_patience >= 1, "must be >= 1"),
        ("train.audio_examples", t.audio_examples >= 0, "must be >= 0"),
    ]
    for key, ok, what in checks:
        if not ok:
            raise ConfigError(f"{key}: {what}")
    for split, folder in d.splits.items():
        if split not in ("train", "valid", "test") or not isinstance(folder, str):
            raise ConfigError(f"data.splits.{split}: expected train|valid|test: FOLDER")
    for split, count in d.demo_sizes.items():
        if split not in ("tr", "cv", "tt") or isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ConfigError(f"data.demo_sizes.{split}: expected tr|cv|tt: positive integer")


SECTIONS = ("data", "model", "space", "budget", "search", "train")


def config_from_dict(raw: dict, source: str = "<dict>") -> ProjectConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a YAML mapping with sections {', '.join(SECTIONS)}")
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown section (known: {', '.join(SECTIONS)})")
    model_raw = raw.get("model") or {}
    if not isinstance(model_raw, dict):
        raise ConfigError("model: expected a mapping")
    model = DPRNNConfig.from_dict(model_raw)
    cfg = ProjectConfig(
        data=_section(DataSection, raw.get("data"), "data"),
        model=model,
        space=_check_space(copy.deepcopy(raw.get("space")), model),
        budget=_section(BudgetSection, raw.get("budget"), "budget"),
        search=_section(SearchSection, raw.get("search"), "search"),
        train=_section(TrainSection, raw.get("train"), "train"),
        source=source)
    _check_values(cfg)
    return cfg


def load_config(path: str, data_root: str | None = None) -> ProjectConfig:
    """Reads a YAML config (safe_load); `data_root` (or $WHAM_ROOT for a root of `$WHAM_ROOT`) overrides."""
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: " + ("a folder, not a config file" if os.path.isdir(path)
                                         else "config file does not exist"))
    try:
        with open(path) as f:
            raw = yaml.safe_load(f)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config file ({err.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"{path}: not valid YAML ({first})") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from None
    try:
        cfg = config_from_dict(raw, source=path)
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None
    root = data_root or cfg.data.root
    if root.startswith("$"):
        value = os.environ.get(root[1:])
        if not value:
            raise ConfigError(f"{path}: data.root is {root} but {root[1:]} is not set (or pass --data-root)")
        root = value
    return cfg.with_data_root(root)

