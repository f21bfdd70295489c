#!/usr/bin/env python3
"""Convert the MobileNetV1 family to Paddle Lite `.nb` models.

Exports each model from Paddle (PaddleClas weights with --weights, else deterministic synthetic
weights), converts it with paddle_lite_opt for each target and variant, checks every `.nb`
(x86 ones must reproduce Paddle's logits in the real runtime), and writes results/models.csv
and results/models.md. Work that is up to date is skipped.

int8_full (full int8: weights and activations, Paddle Lite's int8 kernels) is made by post-training
quantization on calibration images: --calib-data DIR (PaddleClas list file or class folders, as
eval_accuracy.py reads them; never the evaluation set) or, without it, synthetic images (and the tables
say so). It runs on ARM only: paddlelite 2.13rc0's x86 runtime returns NaN for such models.

With --verify-arm --lite-dir DIR, every ARM model of the selection also runs on Paddle Lite's real ARM
kernels under qemu-aarch64 and is compared with Paddle (results/arm_check.csv and .md).
Example: python lite/opt_models.py --all --verify-arm --lite-dir inference_lite_lib.armlinux.armv8
"""
import argparse
import os
import sys
import time

from lite.cli.args import OneLineParser, add_old_spelling, comma_list, counting
from lite.cli.verify_arm import add_verify_arguments, check_verify_arguments, verify_arm
from lite.convert.pipeline import check_warnings, convert_all, converted_manifests
from lite.errors import ToolkitError
from lite.models.registry import (
    default_target_names,
    family,
    get_model,
    model_names,
    select_models,
    target_names,
    variant_names,
)
from lite.models.store import ModelStore
from lite.report.sensitivity import read_ranking
from lite.report.sizes import size_row, sort_rows, write_size_report
from lite.util.edge import run_edge


def parse_args(argv, prog="python lite/opt_models.py"):
    parser = OneLineParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="convert every model of the family")
    which.add_argument("--models", type=comma_list(model_names(), "model"),
                       help=f"comma-separated model names: {', '.join(model_names())}")
    parser.add_argument("--targets", type=comma_list(target_names(), "target"), default=list(default_target_names()),
                        help="comma-separated: arm (phones, .nb), x86 (this host, .nb) and/or onnx (Paddle2ONNX, "
                             "for ONNX Runtime; FP32) (default: arm,x86)")
    parser.add_argument("--variants", type=comma_list(variant_names(), "variant"), default=["fp32"],
                        help="comma-separated; " + "; ".join(f"{v.name}: {v.about}" for v in family().variants)
                             + " (default: fp32)")
    parser.add_argument("--weights", metavar="DIR",
                        help="folder of PaddleClas <Name>_pretrained.pdparams files "
                             "(default: synthetic weights, seeded per model)")
    parser.add_argument("--models-dir", metavar="DIR", default="models",
                        help="where models go: DIR/arm, DIR/x86, DIR/paddle (default: models)")
    add_old_spelling(parser, "--out", "--models-dir")
    parser.add_argument("--results", metavar="DIR", default="results",
                        help="where models.csv and models.md go (default: results)")
    parser.add_argument("--force", action="store_true", help="redo work that is up to date")
    add_calibration_arguments(parser)
    add_verify_arguments(parser)
    args = parser.parse_args(argv)
    check_verify_arguments(args, parser)
    return args


def add_calibration_arguments(parser):
    from lite.convert.ptq import ALGOS, WEIGHT_QUANT, Calibration
    default = Calibration()
    group = parser.add_argument_group("post-training quantization (--variants int8_full)")
    group.add_argument("--calib-data", metavar="DIR", help="calibration images: DIR/val_list.txt (or --calib-list) "
                                                           "or one subfolder per class (default: synthetic images)")
    group.add_argument("--calib-list", metavar="FILE", help="PaddleClas list file of the calibration images")
    group.add_argument("--calib-samples", type=counting(100000), default=default.samples, metavar="N",
                       help=f"calibration images to use (default: {default.samples})")
    group.add_argument("--calib-algo", choices=ALGOS, default=default.algo,
                       help=f"how activation ranges are chosen (default: {default.algo})")
    group.add_argument("--weight-quant", choices=WEIGHT_QUANT, default=default.weight_quant,
                       help=f"weight scales per output channel or per tensor (default: {default.weight_quant})")
    group.add_argument("--skip-quant-layers", type=lambda text: tuple(n for n in text.split(",") if n),
                       default=default.skip_layers, metavar="NAMES",
                       help="weight tensors to keep in FP32, comma-separated (conv2d_0.w_0, ...; depthwise: every "
                            "depthwise conv; none: no layer; bench_scripts/quant_sensitivity.py says which cost most), "
                            "or auto: keep the most sensitive ones until the held-back check passes (default: "
                            f"{','.join(default.skip_layers)})")
    group.add_argument("--calib-check-samples", type=counting(100000, allow_zero=True), default=default.check_samples,
                       metavar="N", help="images after the calibration ones that check the result, never calibrated "
                                         f"on (default: {default.check_samples}; 0: no check)")
    group.add_argument("--max-top1-loss", type=float, default=default.max_top1_loss, metavar="POINTS",
                       help="Top-1 points the held-back check may lose before convert warns and auto keeps "
                            f"layers in FP32 (default: {default.max_top1_loss:g})")
    group.add_argument("--max-fp32-flops", type=float, default=100 * default.max_fp32_flops_share, metavar="PCT",
                       help="auto keeps no layer that would take more than this share of the FLOPs out of int8 "
                            f"(default: {100 * default.max_fp32_flops_share:g})")


def calibration_of(args):
    from lite.convert.ptq import Calibration
    if args.calib_data and not os.path.isdir(args.calib_data):
        raise ToolkitError(f"--calib-data {args.calib_data} is not a folder")
    auto = "auto" in args.skip_quant_layers
    if auto and not args.calib_data:
        raise ToolkitError("--skip-quant-layers auto needs --calib-data (real images to check the result on)")
    if auto and args.calib_check_samples == 0:
        raise ToolkitError("--skip-quant-layers auto needs --calib-check-samples above 0")
    if not 0 <= args.max_fp32_flops <= 100:
        raise ToolkitError(f"--max-fp32-flops {args.max_fp32_flops:g} is no percentage (0 to 100)")
    return Calibration(args.calib_data, args.calib_list, args.calib_samples, args.calib_algo, args.weight_quant,
                       tuple(n for n in args.skip_quant_layers if n not in ("auto", "none")), auto_skip=auto,
                       check_samples=args.calib_check_samples, max_top1_loss=args.max_top1_loss,
                       max_fp32_flops_share=args.max_fp32_flops / 100)


def main(argv=None, prog=None):
    args = parse_args(argv, **({"prog": prog} if prog else {}))
    return run_edge(lambda: convert_and_report(args))


def convert_and_report(args):
    started = time.monotonic()
    if args.weights and not os.path.isdir(args.weights):
        raise ToolkitError(f"--weights {args.weights} is not a folder")
    specs = select_models(None if args.all else args.models)
    store = ModelStore(args.models_dir)
    calibration = calibration_of(args)
    done = convert_all(specs, args.targets, args.variants, store, args.weights, args.force, calibration=calibration,
                       ranking_of=lambda name: read_ranking(args.results, name))
    rows = sort_rows([size_row(get_model(m["model"]), m) for m in converted_manifests(store)])
    csv_path, md_path = write_size_report(rows, args.results)
    print(f"wrote {csv_path} and {md_path} in {time.monotonic() - started:.1f} s")
    for line in check_warnings(done, calibration.max_top1_loss):
        print(line, file=sys.stderr)
    if args.verify_arm:
        failed = verify_arm(args, specs, store)
        print(f"ARM check: {failed} of {len(specs) * len(args.variants)} models failed "
              f"({time.monotonic() - started:.1f} s in all)")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
