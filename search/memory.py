"""Peak-memory model of a DPRNN training step and of a forward pass, from the model's structure.

Every term is a count of float values that the step keeps alive, derived from the same length
arithmetic the layers use (`dprnn.chunking`); a device profile (configs/devices/*.yaml) holds the few
coefficients that turn counts into bytes on that device: how much of the LSTMs' per-step state its
kernels keep, how much the other activations cost, the weight-related copies, and a constant.
No TensorFlow is imported: an estimate takes microseconds.
"""
from __future__ import annotations

import dataclasses
import os

import yaml

from dprnn import chunking
from dprnn.config import DPRNNConfig
from dprnn.errors import ConfigError

GB = 2**30
MEMORY_KEY = "memory/peak_gb"   # the estimate each trial records among its hyperparameter values
PROFILE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs", "devices")


@dataclasses.dataclass(frozen=True)
class Profile:
    """Bytes per counted value on one device (fitted by `python -m search calibrate`, or from evidence)."""
    name: str
    lstm: float = 4.0             # per LSTM-state value kept for the backward pass (gates, cells, per step)
    paths: float = 4.0            # per value of the N-wide tensors of a block's intra and inter paths
    norm: float = 0.0             # extra per path value when the norm has learnt scales (channel)
    masks: float = 4.0            # per value of the speakers' frame-domain tensors (masks, masked, decoded)
    inference: float = 4.0        # per value alive in a forward pass
    constant_bytes: float = 0.0   # runtime, kernels' fixed workspace
    description: str = ""

    def to_dict(self):
        return dataclasses.asdict(self)


def load_profile(name_or_path: str) -> Profile:
    """`gpu`/`cpu` (configs/devices/NAME.yaml) or a path to a profile YAML."""
    path = name_or_path if name_or_path.endswith((".yaml", ".yml")) else os.path.join(PROFILE_DIR, f"{name_or_path}.yaml")
    if not os.path.isfile(path):
        raise ConfigError(f"budget.profile: no device profile {name_or_path!r} ({path} does not exist)")
    try:
        with open(path) as f:
            raw = yaml.safe_load(f)
        fields = {f.name for f in dataclasses.fields(Profile)}
        unknown = set(raw) - fields
        if unknown:
            raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r}")
        return Profile(**{k: (v if k in ("name", "description") else float(v)) for k, v in raw.items()})
    except (yaml.YAMLError, TypeError, ValueError, AttributeError) as err:
        raise ConfigError(f"{path}: not a device profile ({str(err).splitlines()[0]})") from None


def parameter_count(config: DPRNNConfig) -> int:
    n, h, spk, L = config.encoder_filters, config.hidden_units, config.num_speakers, config.encoder_kernel
    per_dir = h // 2
    lstm = 2 * 4 * per_dir * (n + per_dir + 1)      # two directions, four gates, input n
    total = L * n + spk * n * L                      # encoder + decoder, no biases
    for i in range(config.blocks):
        out = spk * n if i == config.blocks - 1 else n
        total += 2 * lstm + (h * n + n) + (h * out + out)
        if config.norm_scaling == "channel":
            total += 2 * n + 2 * out
    return total


# Weights, gradients and Adam's two slots: four float32 copies of every parameter.
WEIGHT_COPIES = 4


@dataclasses.dataclass(frozen=True)
class Counts:
    """Values (not bytes) of one step, by kind; a profile turns each kind into bytes."""
    parameters: int
    lstm: int          # per position, LSTM and block: H values (both directions) of kept recurrent state
    paths: int         # per position, path and block: N values (LSTM inputs, dense, norm, residual sums)
    norm: int          # the same count again when the norm is scaled per channel, else 0
    masks: int         # per frame: speakers x N values (last block's output, masks, masked features)
    inference: int     # values alive at once in a forward pass


def counts(config: DPRNNConfig, batch_size: int, samples: int, recompute: bool = False) -> Counts:
    n, h, spk, K, L = (config.encoder_filters, config.hidden_units, config.num_speakers,
                       config.chunk_size, config.encoder_kernel)
    frames = chunking.encoder_frames(samples, L, K)
    chunks = chunking.num_chunks(frames, K)
    positions = batch_size * chunks * K              # one LSTM time step per chunked frame
    padded = frames * config.encoder_stride
    # With recompute only one block's internals are alive at a time (rebuilt in its backward pass);
    # the block inputs it keeps instead are N values per position, small next to that.
    kept_blocks = 1 if recompute else config.blocks
    lstm = kept_blocks * 2 * positions * h           # intra and inter bidirectional LSTM
    paths = kept_blocks * 2 * positions * n
    norm = paths if config.norm_scaling == "channel" else 0
    masks = batch_size * frames * spk * n
    inference = positions * (n + spk * n + 6 * h) + batch_size * (padded + frames * (n + 3 * spk * n) + spk * samples)
    return Counts(parameter_count(config), lstm, paths, norm, masks, inference)


def estimate_peak_bytes(config: DPRNNConfig, batch_size: int, segment_samples: int, profile: Profile,
                        recompute: bool = False, mixed_precision: bool = False) -> int:
    """Predicted allocator peak of one training step (Adam, PIT SI-SNR) in bytes."""
    c = counts(config, batch_size, segment_samples, recompute)
    half = 0.5 if mixed_precision else 1.0            # float16 activations; weights and loss stay float32
    weights = 4 * (WEIGHT_COPIES + (0.5 if mixed_precision else 0.0)) * c.parameters
    return int(weights + half * (profile.lstm * c.lstm + profile.paths * c.paths + profile.norm * c.norm
                                 + profile.masks * c.masks) + profile.constant_bytes)


def estimate_inference_peak_bytes(config: DPRNNConfig, samples: int, profile: Profile,
                                  mixed_precision: bool = False) -> int:
    """Predicted peak of separating one utterance of `samples` samples (batch 1, no gradients)."""
    c = counts(config, 1, samples)
    half = 0.5 if mixed_precision else 1.0
    return int(4 * c.parameters + half * profile.inference * c.inference + profile.constant_bytes)
def longest_fitting_samples(config: DPRNNConfig, profile: Profile, budget_bytes: float) -> int:
    """The longest input a forward pass can take within the budget (binary search on samples)."""
    lo, hi = 1, 1
    while estimate_inference_peak_bytes(config, hi, profile) <= budget_bytes and hi < 2**34:
        lo, hi = hi, hi * 2
    if estimate_inference_peak_bytes(config, lo, profile) > budget_bytes:
        return 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if estimate_inference_peak_bytes(config, mid, profile) <= budget_bytes:
            lo = mid
        else:
            hi = mid
    return lo
