"""Which layers cost most when quantized to int8: one post-training quantization per layer kept in FP32.

For a converted model (its export must exist: python lite/opt_models.py --models NAME), quantizes the whole
network once (the baseline), then once per quantizable layer with that layer kept in FP32, converts each for
ARM and runs it on Paddle Lite's real ARM kernels under qemu-aarch64 on the export's reference inputs; the
cosine of its logits with Paddle's FP32 logits, against the baseline's, says what keeping that layer in FP32
buys. The layers that buy most are the ones to pass to `opt_models.py --variants int8_full
--skip-quant-layers`. Writes RESULTS/quant_sensitivity_<model>.csv and .md.

Slow: each layer is a quantization, a conversion and two emulated runs (MobileNetV1_x0_25: 7-9 s each here).
`--runtime host` ranks in Paddle's fake-quant simulation on this host instead, on the held-back images
after the calibration ones in --calib-data (about 6 s a layer for MobileNetV1_x0_75 with 8 + 16 images);
`opt_models.py --skip-quant-layers auto` starts from this report when it exists.
Examples:
  python bench_scripts/quant_sensitivity.py --model MobileNetV1_x0_25 --lite-dir inference_lite_lib.armlinux.armv8
  python bench_scripts/quant_sensitivity.py --model MobileNetV1_x0_75 --runtime host --calib-data ~/calib_images
"""
import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from lite.cli.args import OneLineParser, one_of
from lite.cli.opt_models import add_calibration_arguments, calibration_of
from lite.convert.conversion import post_train
from lite.convert.export import load_reference_io, up_to_date_export
from lite.convert.logits import agreement, mean_cosine
from lite.convert.opt import opt_command, run_opt
from lite.convert.ptq import quantizable_layers
from lite.errors import ToolkitError
from lite.models.registry import get_model, model_names
from lite.models.store import ModelStore
from lite.models.weights import weights_source
from lite.report.sensitivity import write_sensitivity
from lite.runtime.arm_check import arm_kernels, int8_share, prepare_library, run_on_arm
from lite.runtime.arm_library import FP16_CPU, default_lite_root
from lite.util.edge import run_edge


def parse_args(argv, prog="python bench_scripts/quant_sensitivity.py"):
    parser = OneLineParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, type=one_of(model_names(), "model"), metavar="NAME",
                        help=f"the model ({', '.join(model_names())})")
    parser.add_argument("--layers", help="only these layers, comma-separated (default: every quantizable one)")
    parser.add_argument("--weights", metavar="DIR", help="the trained weights the export was made from, as given to "
                                                         "opt_models.py (default: synthetic weights)")
    parser.add_argument("--models-dir", default="models", help="where opt_models.py wrote the export (default: models)")
    parser.add_argument("--results", default="results", help="where the report goes (default: results)")
    parser.add_argument("--lite-dir", help="Paddle Lite ARM Linux library (default: ../shared/paddle_lite's)")
    parser.add_argument("--arm-cpu", default=FP16_CPU, help=f"qemu CPU model (default: {FP16_CPU})")
    parser.add_argument("--runtime", choices=("arm", "host"), default="arm",
                        help="arm: Paddle Lite's ARM kernels under qemu on the export's reference inputs; host: "
                             "Paddle's fake-quant simulation on --calib-data's held-back images (default: arm)")
    add_calibration_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None, prog=None):
    args = parse_args(argv, **({"prog": prog} if prog else {}))
    return run_edge(lambda: run(args))


def run(args):
    spec, store = get_model(args.model), ModelStore(args.models_dir)
    exported = up_to_date_export(spec, weights_source(spec, args.weights).origin, store)
    if exported is None:
        weights = f" --weights {args.weights}" if args.weights else ""
        raise ToolkitError(f"no export of {args.model}{weights} in {args.models_dir}: run python lite/opt_models.py "
                           f"--models {args.model}{weights} --models-dir {args.models_dir}")
    base = calibration_of(args)
    if base.auto_skip:
        raise ToolkitError("--skip-quant-layers auto belongs to opt_models.py; here name the layers to keep")
    if args.runtime == "host" and not (base.data and base.check_samples):
        raise ToolkitError("--runtime host needs --calib-data (and --calib-check-samples above 0): its held-back "
                           "images are what the layers are ranked on")
    library = None
    if args.runtime == "arm":
        root = default_lite_root()
        lite_dir = args.lite_dir or (root / "inference_lite_lib.armlinux.armv8" if root else None)
        if not lite_dir:
            raise ToolkitError("pass --lite-dir (Paddle Lite's ARM Linux library, inference_lite_lib.armlinux.armv8)")
        library = prepare_library(lite_dir)
    layers = quantizable_layers(exported.model_file, exported.params_file)
    wanted = args.layers.split(",") if args.layers else layers
    unknown = [name for name in wanted if name not in layers]
    if unknown:
        raise ToolkitError(f"--layers names {unknown[0]}, which is no quantizable layer "
                           f"(they are: {', '.join(layers)})")
    inputs, reference = load_reference_io(exported.reference_io_file) if library else (None, None)
    rows, baseline = [], None
    plan = [()] + [(name,) for name in wanted]
    for index, kept in enumerate(plan, 1):
        started = time.monotonic()
        calibration = replace(base, skip_layers=tuple(base.skip_layers) + kept)
        with tempfile.TemporaryDirectory(prefix="sensitivity-") as scratch:
            scratch = Path(scratch)
            model_file, params_file, facts = post_train(exported, calibration, scratch, say=lambda text: None)
            if library is None:
                check = facts["check"]
                cosine, top1, kernels = check["cosine"], check["agreement"], ("", "")
            else:
                cosine, top1, kernels = on_arm(args, library, model_file, params_file, scratch, inputs, reference, kept)
        baseline = cosine if baseline is None else baseline
        row = {"model": args.model, "kept_fp32": kept[0] if kept else "(none: every layer int8)",
               "cosine_mean": round(cosine, 6), "cosine_gain": round(cosine - baseline, 6),
               "top1_agreement": top1, "int8_kernels": f"{kernels[0]}/{kernels[1]}" if library else "",
               "seconds": round(time.monotonic() - started, 1)}
        rows.append(row)
        kernels_text = f", int8 kernels {row['int8_kernels']}" if library else ""
        print(f"[{index}/{len(plan)}] {row['kept_fp32']}: cosine {cosine:.5f} ({row['cosine_gain']:+.5f})"
              f"{kernels_text} ({row['seconds']} s)", flush=True)
    ranked = [rows[0]] + sorted(rows[1:], key=lambda r: -r["cosine_gain"])
    paths = write_sensitivity(Path(args.results), args.model, ranked, base, args.runtime)
    print("wrote " + ", ".join(map(str, paths)))
    return 0


def on_arm(args, library, model_file, params_file, scratch, inputs, reference, kept):
    """(cosine, top-1 agreement, int8 kernels) of the quantized export on Paddle Lite's ARM kernels."""
    nb = scratch / "model"
    run_opt(opt_command(model_file, params_file, "arm", "int8_full", nb), args.model)
    if not nb.with_suffix(".nb").is_file():
        raise ToolkitError(f"paddle_lite_opt wrote nothing for {args.model} with {kept or 'every layer'} in int8")
    logits = run_on_arm(library, nb.with_suffix(".nb"), inputs, args.arm_cpu)
    kernels = int8_share(arm_kernels(library, nb.with_suffix(".nb"), args.arm_cpu))
    return mean_cosine(reference, logits), agreement(reference, logits)["top1"], kernels


if __name__ == "__main__":
    sys.exit(main())
