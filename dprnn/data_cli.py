"""Data commands of `python -m dprnn`: make-demo-data, validate-data."""
from __future__ import annotations

import sys

from .errors import DataError


def _cmd_make_demo(args):
    from .demo_data import make_demo_corpus, parse_sizes
    import os

    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as err:
        raise DataError(str(err)) from None
    if os.path.exists(args.out) and os.listdir(args.out):
        raise DataError(f"{args.out}: output folder exists and is not empty")
    make_demo_corpus(args.out, seed=args.seed, sizes=sizes, progress=print)
    print(f"wrote the demo corpus to {args.out}")


def _cmd_validate(args):
    from .corpus import Corpus
    from .validation import format_report, validate_corpus

    corpus = Corpus(args.data, sample_rate=args.sample_rate, mode=args.mode, task=args.task)
    report = validate_corpus(corpus, progress=lambda m: print(m, file=sys.stderr))
    print(format_report(report))
    if args.json:
        from .atomic import write_json
        write_json(args.json, report)
    if report["problems"]:
        print(f"error: {report['problems'][0]}" + (f" (and {len(report['problems']) - 1} more)"
                                                   if len(report["problems"]) > 1 else ""), file=sys.stderr)
        return 1
    return 0


def add_commands(sub):
    p = sub.add_parser("make-demo-data", help="write the synthetic two-speaker corpus (WHAM! layout)")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sizes", default="", help="tr=N,cv=N,tt=N (default tr=600,cv=100,tt=100)")
    p.set_defaults(func=_cmd_make_demo)

    p = sub.add_parser("validate-data", help="check a whole corpus: counts, rates, lengths, sums")
    p.add_argument("--data", required=True)
    p.add_argument("--task", default="sep_clean", choices=["sep_clean", "sep_noisy"])
    p.add_argument("--mode", default="min", choices=["min", "max"])
    p.add_argument("--sample-rate", type=int, default=8000)
    p.add_argument("--json")
    p.set_defaults(func=_cmd_validate)
