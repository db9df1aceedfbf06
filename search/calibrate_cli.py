"""`calibrate`: measure real training-step peaks on a device and write a fitted profile."""
from __future__ import annotations

import os

import yaml

from dprnn.atomic import write_text
from dprnn.errors import DPRNNError
from dprnn.tf_import import CPU_BFC_ENV, cpu_counts_every_tensor

from .calibration import CALIBRATION_GRID, fit_profile, measure_isolated


def calibrate(device: str, out: str, name: str | None = None, grid=None, progress=print) -> dict:
    grid = grid or CALIBRATION_GRID
    if device.upper().startswith("CPU") and not cpu_counts_every_tensor():
        # Without TensorFlow's BFC allocator the CPU statistics miss most tensors (dprnn/tf_import.py).
        raise DPRNNError(f"{CPU_BFC_ENV}: must be 1 (or unset) to calibrate on the CPU")
    training, inference = [], []
    for config, batch, samples in grid:
        peaks = measure_isolated(config, batch, samples, device)
        training.append((config, batch, samples, peaks["training"]))
        inference.append((config, batch * samples, peaks["inference"]))
        progress(f"  {config.blocks} blocks N={config.encoder_filters} H={config.hidden_units} K={config.chunk_size} "
                 f"L={config.encoder_kernel} batch {batch} x {samples}: {peaks['training'] / 2**20:.1f} MiB")
    name = name or os.path.splitext(os.path.basename(out))[0]
    profile = fit_profile(name, training, inference, description=f"fitted on {device} by python -m search calibrate")
    header = f"# Fitted by `python -m search calibrate --device {device}` from {len(training)} measured steps.\n"
    write_text(out, header + yaml.safe_dump(profile.to_dict(), sort_keys=False))
    progress(f"wrote {out}")
    return {"profile": profile.to_dict(), "measured": [peak for *_, peak in training]}
