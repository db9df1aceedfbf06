"""`calibrate`: measure real training-step peaks on a device and write a fitted profile."""
from __future__ import annotations

import os

import yaml

from dprnn.atomic import write_text

from .calibration import CALIBRATION_GRID, fit_profile, measure_inference_peak, measure_training_peak


def calibrate(device: str, out: str, name: str | None = None, grid=None, progress=print) -> dict:
    grid = grid or CALIBRATION_GRID
    training, inference = [], []
    for config, batch, samples in grid:
        peak = measure_training_peak(config, batch, samples, device)
        if peak is None:
            from dprnn.errors import DPRNNError
            raise DPRNNError(f"--device {device}: TensorFlow reports no memory statistics for this device")
        training.append((config, batch, samples, peak))
        inference.append((config, samples, measure_inference_peak(config, samples, device)))
        progress(f"  {config.blocks} blocks N={config.encoder_filters} H={config.hidden_units} "
                 f"K={config.chunk_size} L={config.encoder_kernel} batch {batch} x {samples}: {peak / 2**20:.1f} MiB")
    name = name or os.path.splitext(os.path.basename(out))[0]
    profile = fit_profile(name, training, inference, description=f"fitted on {device} by python -m search calibrate")
    header = f"# Fitted by `python -m search calibrate --device {device}` from {len(training)} measured steps.\n"
    write_text(out, header + yaml.safe_dump(profile.to_dict(), sort_keys=False))
    progress(f"wrote {out}")
    return profile.to_dict()
