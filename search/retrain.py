"""`retrain`: the chosen trial's configuration trained on the full training split, then evaluated."""
from __future__ import annotations

import dataclasses
import json
import os
import time

import keras
import numpy as np
import tensorflow as tf
import yaml

from dprnn.atomic import remove_stale_temporaries, write_json, write_text
from dprnn.audio import read_audio, write_audio
from dprnn.checkpoints import AtomicModelCheckpoint, ResumableEarlyStopping, read_history
from dprnn.errors import DPRNNError
from dprnn.evaluate import evaluate_split, format_result, write_reports
from dprnn.model import build_model
from dprnn.modelio import save_model
from dprnn.pipeline import AudioCache, evaluation_examples, training_dataset
from dprnn.separate import separate_array
from dprnn.training import (DivergedError, EpochHistory, FailOnNaN, ValidationMetrics, compile_separator,
                            configure_precision, distribution_strategy, oom_reason, step_decay,
                            strategy_scope)

from .config import ProjectConfig
from .data import GB, corpus_of, data_info
from .inspection import load_project
from .memory import estimate_peak_bytes, load_profile
from .project import read_config


class RetrainError(DPRNNError):
    pass


def choose_trial(project_dir: str, trial_id: str | None) -> dict:
    summary = load_project(project_dir)
    if trial_id is not None:
        wanted = str(trial_id).zfill(4) if str(trial_id).isdigit() else str(trial_id)
        for t in summary["trials"]:
            if t["trial_id"] in (str(trial_id), wanted):
                return t
        raise RetrainError(f"{project_dir}: no trial {trial_id!r}")
    if summary["best"] is None:
        raise RetrainError(f"{project_dir}: no completed trial to retrain")
    return summary["best"]


def _audio_logger(log_dir: str, sample_rate: int, count: int):
    """Writes the first `count` separated validation examples to TensorBoard as audio every epoch."""
    import tensorflow as tf

    writer = tf.summary.create_file_writer(os.path.join(log_dir, "audio"))

    def log(epoch, outputs, mean):
        with writer.as_default(step=epoch):
            for name, mixture, _sources, estimate in outputs[:count]:
                clip = np.concatenate([mixture[None], estimate]) / max(1e-6, float(np.max(np.abs(estimate))))
                tf.summary.audio(name, clip[:, :, None].astype(np.float32), sample_rate, step=epoch,
                                 max_outputs=clip.shape[0])
        writer.flush()
    return log


def retrain(project_dir: str, trial_id: str | None = None, epochs: int | None = None,
            data_root: str | None = None, out_dir: str | None = None, steps_per_epoch: int | None = None,
            verbose: int = 2, eval_limit: int = 0) -> dict:
    """Trains (or resumes training) and evaluates; returns the report dictionary."""
    cfg: ProjectConfig = read_config(project_dir).with_data_root(data_root)
    trial = choose_trial(project_dir, trial_id)
    values = trial["hyperparameters"]
    model_cfg, train = cfg.resolve(values)
    t = cfg.train
    examples = t.audio_examples
    epochs = epochs or t.epochs
    steps = steps_per_epoch or t.steps_per_epoch
    out_dir = out_dir or os.path.join(project_dir, f"retrain_trial_{trial['trial_id']}")
    os.makedirs(out_dir, exist_ok=True)
    remove_stale_temporaries(out_dir)   # what a killed run was half-way through saving
    resolved = {**cfg.to_dict(), "trial": {"trial_id": trial["trial_id"], "hyperparameters": values},
                "resolved_model": model_cfg.to_dict(), "resolved_train": {**dataclasses.asdict(t), **train,
                                                                          "epochs": epochs, "steps_per_epoch": steps}}
    write_text(os.path.join(out_dir, "config.yaml"), yaml.safe_dump(resolved, sort_keys=False))

    corpus = corpus_of(cfg, root_named_by_user=bool(data_root))
    train_split, valid_split = corpus.open_split("train"), corpus.open_split("valid")
    cache = AudioCache(cfg.data.cache_gb * GB)
    crop = int(cfg.data.valid_crop_seconds * cfg.data.sample_rate) or None
    valid_examples = evaluation_examples(valid_split, cache, crop)
    segment = int(round(cfg.data.segment_seconds * cfg.data.sample_rate))

    history_path = os.path.join(out_dir, "history.json")
    done_path = os.path.join(out_dir, "training_done.json")
    weights_path = os.path.join(out_dir, "best.weights.h5")
    keras.utils.set_random_seed(t.seed)
    configure_precision(t.mixed_precision)
    with strategy_scope(distribution_strategy(t.distribute)):
        model = build_model(model_cfg, info={**data_info(cfg), "trial": trial["trial_id"]}, recompute=t.recompute)
        compile_separator(model, train["learning_rate"], t.clipnorm, jit_compile=t.jit_compile,
                          mixed_precision=t.mixed_precision)
    start = time.time()
    if not os.path.isfile(done_path):
        print(f"retraining trial {trial['trial_id']} ({', '.join(f'{k}={v}' for k, v in values.items())}) on "
              f"{len(train_split)} mixtures, {epochs} epochs of {steps} steps, validating on "
              f"{len(valid_split)} mixtures -> {out_dir}", flush=True)
        log_dir = os.path.join(out_dir, "logs")
        callbacks = [
            ValidationMetrics(valid_examples, on_scores=_audio_logger(log_dir, cfg.data.sample_rate, examples)),
            FailOnNaN(),
            step_decay(train["learning_rate"], t.lr_decay, t.lr_decay_every),
            keras.callbacks.BackupAndRestore(os.path.join(out_dir, "backup"), double_checkpoint=True,
                                             delete_checkpoint=False),
            AtomicModelCheckpoint(weights_path, history_path, monitor="val_loss"),
            ResumableEarlyStopping(history_path, monitor="val_loss", patience=t.early_stopping_patience),
            EpochHistory(history_path),
            keras.callbacks.TensorBoard(log_dir, write_graph=False, profile_batch=0),
        ]
        dataset = training_dataset(train_split, segment, train["batch_size"], t.seed, cache, model_cfg.num_speakers)
        try:
            model.fit(dataset, steps_per_epoch=steps, epochs=epochs, callbacks=callbacks, verbose=verbose,
                      shuffle=False)
        except DivergedError as err:
            raise RetrainError(f"{out_dir}: training diverged ({err})") from None
        except tf.errors.ResourceExhaustedError as err:
            raise RetrainError(f"{out_dir}: out of memory ({oom_reason(err)}); lower train.batch_size or "
                               f"data.segment_seconds, or set train.recompute: true") from None
        write_json(done_path, {"epochs": len(read_history(history_path)), "seconds": time.time() - start})
    trained = read_history(history_path)
    if not os.path.isfile(weights_path):
        raise RetrainError(f"{weights_path}: no best weights were saved (no validation epoch finished)")
    model.load_weights(weights_path)
    save_model(model, os.path.join(out_dir, "model.keras"))

    print("evaluating on the test split ...", flush=True)
    result = evaluate_split(model, corpus, "test", limit=eval_limit, progress=lambda m: print("  " + m, flush=True))
    write_reports(result, os.path.join(out_dir, "report.json"), os.path.join(out_dir, "per_utterance.csv"))
    _write_examples(model, corpus, out_dir, examples)
    best_epoch = min(trained, key=lambda e: e.get("val_loss", np.inf)) if trained else {}
    profile = load_profile(cfg.budget.profile)
    summary = {
        "trial_id": trial["trial_id"], "hyperparameters": values, "model": model_cfg.to_dict(),
        "parameters": int(model.count_params()),
        "estimated_peak_gb": estimate_peak_bytes(model_cfg, train["batch_size"], segment, profile,
                                                 t.recompute, t.mixed_precision) / GB,
        "profile": profile.name, "epochs_trained": len(trained), "best_epoch": best_epoch.get("epoch"),
        "best_val_si_snri": best_epoch.get("val_si_snri"),
        "training_seconds": _training_seconds(done_path),
        "test": {k: v for k, v in result.items() if k != "utterances"},
        "model_path": os.path.join(out_dir, "model.keras"), "out_dir": out_dir,
    }
    write_json(os.path.join(out_dir, "summary.json"), summary)
    print(format_result(result), flush=True)
    return summary


def _training_seconds(done_path):
    with open(done_path) as f:
        return json.load(f).get("seconds")


def _write_examples(model, corpus, out_dir: str, count: int) -> None:
    split = corpus.open_split("test", check=False)
    for utt in split.utterances[:count]:
        mixture = read_audio(utt.mixture)
        estimate = separate_array(model, mixture)
        write_audio(os.path.join(out_dir, "examples", "mixture", utt.name), mixture, corpus.sample_rate)
        for k, source in enumerate(estimate):
            write_audio(os.path.join(out_dir, "examples", f"s{k + 1}", utt.name), source, corpus.sample_rate)
