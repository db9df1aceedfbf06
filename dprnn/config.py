"""`DPRNNConfig`: the one description of a DPRNN network, shared by model, estimator and tuner."""
from __future__ import annotations

import dataclasses

from .errors import ConfigError

NORM_SCALINGS = ("none", "channel")
MASK_ACTIVATIONS = ("linear", "relu", "sigmoid")


@dataclasses.dataclass(frozen=True)
class DPRNNConfig:
    """Hyperparameters of a DPRNN separator.

    Defaults are the original checkpoint's (ARCHITECTURE.md): N=64, L=2, K=256, 200 units, 3 blocks,
    global layer norm without learnt weights, two speakers, no mask nonlinearity.
    """

    sample_rate: int = 8000
    encoder_filters: int = 64      # N
    encoder_kernel: int = 2        # L; the encoder's stride is L/2
    chunk_size: int = 256          # K; the chunk hop is K/2
    hidden_units: int = 200        # per bidirectional LSTM layer, both directions together
    blocks: int = 3
    norm_scaling: str = "none"     # "none": gLN without weights; "channel": gLN with per-channel gain/bias
    num_speakers: int = 2
    mask_activation: str = "linear"

    def __post_init__(self):
        positive = ("sample_rate", "encoder_filters", "encoder_kernel", "chunk_size",
                    "hidden_units", "blocks")
        for name in positive:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name}: expected a positive integer, got {value!r}")
        if self.encoder_kernel % 2 and self.encoder_kernel != 1:
            raise ConfigError(f"encoder_kernel: must be 1 or even (stride is L/2), got {self.encoder_kernel}")
        if self.chunk_size < 2 or self.chunk_size % 2:
            raise ConfigError(f"chunk_size: must be even and >= 2 (hop is K/2), got {self.chunk_size}")
        if self.hidden_units % 2:
            raise ConfigError(f"hidden_units: must be even (split over two directions), got {self.hidden_units}")
        if self.norm_scaling not in NORM_SCALINGS:
            raise ConfigError(f"norm_scaling: expected one of {NORM_SCALINGS}, got {self.norm_scaling!r}")
        if self.mask_activation not in MASK_ACTIVATIONS:
            raise ConfigError(f"mask_activation: expected one of {MASK_ACTIVATIONS}, got {self.mask_activation!r}")
        if isinstance(self.num_speakers, bool) or not isinstance(self.num_speakers, int) or self.num_speakers < 1:
            raise ConfigError(f"num_speakers: expected a positive integer, got {self.num_speakers!r}")

    @property
    def encoder_stride(self) -> int:
        return max(1, self.encoder_kernel // 2)

    @property
    def chunk_hop(self) -> int:
        return self.chunk_size // 2

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_dict(cls, values: dict, where: str = "model") -> "DPRNNConfig":
        unknown = sorted(set(values) - set(cls.field_names()))
        if unknown:
            raise ConfigError(f"{where}.{unknown[0]}: unknown key (known: {', '.join(cls.field_names())})")
        try:
            return cls(**values)
        except ConfigError as err:
            raise ConfigError(f"{where}.{err}") from None
