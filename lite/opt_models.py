#!/usr/bin/env python3
"""Convert the MobileNetV1 family to Paddle Lite `.nb` models.

Exports each model from Paddle (PaddleClas weights with --weights, else deterministic synthetic
weights), converts it with paddle_lite_opt for each target and variant, checks every `.nb`
(x86 ones must reproduce Paddle's logits in the real runtime), and writes results/models.csv
and results/models.md. Work that is up to date is skipped.
"""
import argparse
import os
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repo root importable, not this folder
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from lite.cli_edge import run_edge  # noqa: E402
from lite.convert import TARGETS, VARIANTS  # noqa: E402
from lite.errors import ToolkitError  # noqa: E402
from lite.family import FAMILY, MODEL_NAMES, select_models  # noqa: E402
from lite.pipeline import convert_all, converted_manifests  # noqa: E402
from lite.size_report import size_row, sort_rows, write_size_report  # noqa: E402


def comma_list(allowed, what):
    def parse(text):
        items = [item for item in text.replace(" ", ",").split(",") if item]
        bad = [item for item in items if item not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"unknown {what} '{','.join(bad) or text}'; "
                                             f"valid: {', '.join(allowed)}")
        return items
    return parse


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python lite/opt_models.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="convert every model of the family")
    which.add_argument("--models", type=comma_list(MODEL_NAMES, "model"),
                       help=f"comma-separated model names: {', '.join(MODEL_NAMES)}")
    parser.add_argument("--targets", type=comma_list(TARGETS, "target"), default=list(TARGETS),
                        help="comma-separated: arm (phones) and/or x86 (this host) (default: arm,x86)")
    parser.add_argument("--variants", type=comma_list(VARIANTS, "variant"), default=["fp32"],
                        help="comma-separated: fp32, fp16 (ARMv8.2 phones), int8, int16 "
                             "(weight-only quantization) (default: fp32)")
    parser.add_argument("--weights", metavar="DIR",
                        help="folder of PaddleClas <Name>_pretrained.pdparams files "
                             "(default: synthetic weights, seeded per model)")
    parser.add_argument("--out", metavar="DIR", default="models",
                        help="where models go: DIR/arm, DIR/x86, DIR/paddle (default: models)")
    parser.add_argument("--results", metavar="DIR", default="results",
                        help="where models.csv and models.md go (default: results)")
    parser.add_argument("--force", action="store_true", help="redo work that is up to date")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_edge(lambda: convert_and_report(args))


def convert_and_report(args):
    started = time.monotonic()
    if args.weights and not os.path.isdir(args.weights):
        raise ToolkitError(f"--weights {args.weights} is not a folder")
    specs = FAMILY if args.all else select_models(args.models)
    models_dir = Path(args.out)
    convert_all(specs, args.targets, args.variants, models_dir, args.weights, args.force)
    by_name = {spec.name: spec for spec in FAMILY}
    rows = sort_rows([size_row(by_name[m["model"]], m) for m in converted_manifests(models_dir)],
                     list(MODEL_NAMES))
    csv_path, md_path = write_size_report(rows, args.results)
    print(f"wrote {csv_path} and {md_path} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
