"""The main job: a search on a config, its best trial retrained and evaluated, and a summary."""
from __future__ import annotations

import os
import time

from .inspection import format_table, load_project, plot_project
from .launch import launch
from .retrain import retrain


def run_demo(config_path: str, trials_dir: str = "trials", overwrite: bool = False) -> dict:
    start = time.time()
    project = os.path.splitext(os.path.basename(config_path))[0]
    project_dir = os.path.join(trials_dir, project)
    launch(config_path, trials_dir=trials_dir, project=project, overwrite=overwrite)
    summary = load_project(project_dir)
    print(format_table(summary, top=10))
    plot = os.path.join(project_dir, "search.png")
    plot_project(summary, plot)
    result = retrain(project_dir)
    test = result["test"]
    hp = ", ".join(f"{k}={v}" for k, v in result["hyperparameters"].items())
    print("\n=== dprnn-search demo summary ===")
    print(f"best trial:          {result['trial_id']} ({hp})")
    print(f"model:               {result['model']}")
    print(f"parameters:          {result['parameters']:,}")
    print(f"estimated peak:      {result['estimated_peak_gb']:.2f} GB on profile {result['profile']} "
          f"(training step, batch and segment of the config)")
    print(f"training:            {result['epochs_trained']} epochs, {result['training_seconds'] or 0:.0f} s; "
          f"best validation SI-SNRi {result['best_val_si_snri']:.2f} dB at epoch {result['best_epoch']}")
    print(f"test ({test['count']} mixtures): SI-SNRi {test['mean_si_snri']:.2f} dB, SI-SNR {test['mean_si_snr']:.2f} dB, "
          f"SDRi {test['mean_sdri']:.2f} dB")
    print(f"search plot:         {plot}")
    print(f"model:               {result['model_path']}")
    print(f"reports:             {os.path.join(result['out_dir'], 'report.json')}, per_utterance.csv, examples/")
    print(f"total time:          {(time.time() - start) / 60:.1f} min")
    return result
