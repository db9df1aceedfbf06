"""`python -m search COMMAND`: launch, inspect, retrain, estimate, calibrate."""
from __future__ import annotations

import argparse
import json
import os


def _cmd_launch(args):
    from .launch import launch
    from .inspection import format_table, load_project

    launch(args.config, args.data_root, args.trials_dir, args.project, args.overwrite,
           verbose=args.verbose, timing=not args.no_timing)
    project = args.project or os.path.splitext(os.path.basename(args.config))[0]
    print(format_table(load_project(os.path.join(args.trials_dir, project)), top=5))


def _cmd_inspect(args):
    from .inspection import format_table, load_project, to_csv, plot_project

    summary = load_project(args.project_dir)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_table(summary, top=args.top))
    if args.csv:
        to_csv(summary, args.csv)
    if args.plot:
        plot_project(summary, args.plot)


def _cmd_retrain(args):
    from .retrain import retrain

    retrain(args.project_dir, trial_id=args.trial, epochs=args.epochs, data_root=args.data_root,
            out_dir=args.out, steps_per_epoch=args.steps_per_epoch, verbose=args.verbose)


def _cmd_demo(args):
    from .demo import run_demo

    run_demo(args.config, args.trials_dir, overwrite=args.overwrite)


def _cmd_estimate(args):
    from .config import load_config
    from .estimate_report import format_estimate

    print(format_estimate(load_config(args.config, args.data_root)))


def _cmd_calibrate(args):
    from .calibrate_cli import calibrate

    calibrate(args.device, args.out, name=args.name)


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m search", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("launch", help="start or resume a Hyperband search")
    p.add_argument("--config", default="configs/demo.yaml")
    p.add_argument("--data-root")
    p.add_argument("--trials-dir", default="trials")
    p.add_argument("--project", help="project folder name under --trials-dir (default: the config's name)")
    p.add_argument("--overwrite", action="store_true", help="start over, deleting the project folder")
    p.add_argument("--no-timing", action="store_true", help="skip the warm-up step used for the time estimate")
    p.add_argument("--verbose", type=int, default=0, help="Keras fit verbosity inside trials")
    p.set_defaults(func=_cmd_launch)

    p = sub.add_parser("inspect", help="show the trials of a search")
    p.add_argument("project_dir")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv")
    p.add_argument("--plot")
    p.set_defaults(func=_cmd_inspect)

    p = sub.add_parser("retrain", help="train the best trial on the full data and evaluate it")
    p.add_argument("project_dir")
    p.add_argument("--trial")
    p.add_argument("--epochs", type=int)
    p.add_argument("--steps-per-epoch", type=int)
    p.add_argument("--data-root")
    p.add_argument("--out")
    p.add_argument("--verbose", type=int, default=2)
    p.set_defaults(func=_cmd_retrain)

    p = sub.add_parser("demo", help="the main job: launch, retrain the best trial, evaluate, summarise")
    p.add_argument("--config", default="configs/demo.yaml")
    p.add_argument("--trials-dir", default="trials")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("estimate", help="memory estimates of a config's space against its budget")
    p.add_argument("--config", required=True)
    p.add_argument("--data-root")
    p.set_defaults(func=_cmd_estimate)

    p = sub.add_parser("calibrate", help="measure training-step peaks and fit a device profile")
    p.add_argument("--device", default="CPU:0")
    p.add_argument("--out", required=True)
    p.add_argument("--name")
    p.set_defaults(func=_cmd_calibrate)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)
