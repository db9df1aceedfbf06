"""`python -m dprnn COMMAND`: import-seed, separate, evaluate, bench, validate-data, make-demo-data."""
from __future__ import annotations

import argparse
import json
import sys


from .config import DPRNNConfig


def _cmd_import_seed(args):
    from .modelio import save_model
    from .seed import import_seed

    model = import_seed(args.checkpoint)
    save_model(model, args.out)
    print(f"wrote {args.out} ({model.count_params():,} parameters)")


def _cmd_separate(args):
    from .model import model_info
    from .modelio import load_separator
    from .separate import separate_files

    model = load_separator(args.model)
    rate = model_info(model)["dprnn"]["sample_rate"]
    written = separate_files(model, args.inputs, args.out_dir, rate)
    print(f"wrote {len(written)} files under {args.out_dir}")


def _cmd_evaluate(args):
    from .corpus import Corpus
    from .evaluate import evaluate_split, format_result, write_reports
    from .model import model_info
    from .modelio import load_separator

    model = load_separator(args.model)
    info = model_info(model)
    corpus = Corpus(args.data, sample_rate=info["dprnn"]["sample_rate"], mode=args.mode or info.get("mode", "min"),
                    task=args.task or info.get("task", "sep_clean"), num_speakers=info["dprnn"]["num_speakers"])
    result = evaluate_split(model, corpus, args.split, limit=args.limit,
                            progress=lambda m: print(m, file=sys.stderr, flush=True))
    write_reports(result, args.json, args.csv)
    print(format_result(result))


def _cmd_bench(args):
    from .bench import bench_training_step

    config = DPRNNConfig(encoder_filters=args.encoder_filters, encoder_kernel=args.encoder_kernel,
                         chunk_size=args.chunk_size, hidden_units=args.hidden_units, blocks=args.blocks,
                         norm_scaling=args.norm_scaling, sample_rate=args.sample_rate)
    result = bench_training_step(config, args.batch_size, args.segment_samples, args.steps, args.warmup,
                                 jit_compile=args.jit_compile)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        from .atomic import write_json
        write_json(args.json, result)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dprnn", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import-seed", help="convert the original Keras 2 checkpoint into a .keras model")
    p.add_argument("checkpoint")
    p.add_argument("--out", required=True)
    p.set_defaults(func=_cmd_import_seed)

    p = sub.add_parser("separate", help="separate wav files with a trained model")
    p.add_argument("--model", required=True)
    p.add_argument("inputs", nargs="+")
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=_cmd_separate)

    p = sub.add_parser("evaluate", help="SI-SNR, SI-SNRi and SDRi of a model on a corpus split")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--split", default="tt", help="tr|cv|tt (or train|valid|test)")
    p.add_argument("--task", choices=["sep_clean", "sep_noisy"], help="default: the model's task")
    p.add_argument("--mode", choices=["min", "max"], help="default: the model's mode")
    p.add_argument("--limit", type=int, default=0, help="only the first N mixtures")
    p.add_argument("--json")
    p.add_argument("--csv")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("bench", help="time the training step")
    d = DPRNNConfig()
    p.add_argument("--sample-rate", type=int, default=d.sample_rate)
    p.add_argument("--encoder-filters", type=int, default=d.encoder_filters)
    p.add_argument("--encoder-kernel", type=int, default=d.encoder_kernel)
    p.add_argument("--chunk-size", type=int, default=d.chunk_size)
    p.add_argument("--hidden-units", type=int, default=d.hidden_units)
    p.add_argument("--blocks", type=int, default=d.blocks)
    p.add_argument("--norm-scaling", default=d.norm_scaling)
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--segment-samples", type=int, default=4096)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--jit-compile", action="store_true", help="XLA-compile the training step")
    p.add_argument("--json", help="also write the result to this file")
    p.set_defaults(func=_cmd_bench)

    from . import data_cli
    data_cli.add_commands(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


