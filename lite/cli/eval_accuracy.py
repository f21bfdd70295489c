"""Top-1 / Top-5 of the converted models and variants on a labelled image set.

DIR holds PaddleClas's list file (DIR/val_list.txt, or --list FILE: lines `relative/path.JPEG label`) or one
subfolder of images per class (the sorted folder names give the labels). Every image is preprocessed once
with the registry's preprocessing (resize 256, crop 224, ImageNet mean/std) and cached (--cache) for the
other models; worker threads read the next images while the runtime infers.

Where each variant runs (--runtime auto): FP32 on this host's Paddle Lite x86 runtime; int8, int16 and fp16
on Paddle Lite's real ARM kernels under qemu-aarch64 (slow: use --limit; progress shows an ETA).
--runtime arm runs FP32 there too; --runtime device runs everything on a phone (the preprocessed inputs are
pushed once and one mnv1_classify process classifies them all).

Writes RESULTS/<name>/accuracy.csv and accuracy.md (name: host, or the device's folder), and rebuilds the
latency and size tables under RESULTS so that they show the measured Top-1 beside the published one.
Synthetic weights (the default conversion) have no accuracy: the command still runs, and every table says so.

Exit status: 0 every evaluation ran, 1 some failed, 2 bad input (one line).
Example: python bench_scripts/eval_accuracy.py --data ~/ILSVRC2012/val --limit 1000 --variants fp32,int8
"""
import argparse
import sys
from pathlib import Path

from lite.accuracy.inputs import DEFAULT_CACHE
from lite.cli.args import OneLineParser, add_device_arguments, comma_list, counting, device_folder
from lite.jobs.evaluation import RUNTIMES, EvalOptions, evaluate_models
from lite.jobs.options import Connection
from lite.models.engines import ENGINES
from lite.models.registry import model_names, variant_names
from lite.runtime.arm_library import FP16_CPU
from lite.util.edge import EXIT_FAILED_CELLS, run_edge
from lite.util.progress import progress


def parse_args(argv, prog="python bench_scripts/eval_accuracy.py"):
    parser = OneLineParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, metavar="DIR", help="the labelled images (see above)")
    parser.add_argument("--list", metavar="FILE", help="PaddleClas list file (default: DIR/val_list.txt if there)")
    parser.add_argument("--allow-outside", action="store_true",
                        help="let the list name images outside --data (refused by default: a list is untrusted text)")
    parser.add_argument("--labels", metavar="FILE",
                        help="class names, PaddleClas's label file (imagenet1k_label_list.txt), for the report")
    parser.add_argument("--models", type=comma_list(model_names(), "model"), default=None,
                        help=f"comma-separated models (default: all of {', '.join(model_names())})")
    parser.add_argument("--variants", type=comma_list(variant_names(), "variant"), default=["fp32"],
                        help="comma-separated variants; FP32 is always evaluated too, as the reference (default: fp32)")
    parser.add_argument("--limit", type=counting(10 ** 7), default=None, metavar="N", help="the first N images only")
    parser.add_argument("--runtime", choices=RUNTIMES, default="auto", help="where to run (see above; default: auto)")
    parser.add_argument("--engines", type=comma_list(ENGINES, "engine"), default=None,
                        help="FP32 on each of these engines of this host, each a row of its own, agreement against "
                             f"paddle-lite's: {', '.join(ENGINES)} (default: the --runtime's choice)")
    parser.add_argument("--models-dir", default="models", help="where opt_models.py wrote the models (default: models)")
    parser.add_argument("--results", default="results", help="results root (default: results)")
    parser.add_argument("--name", help="results subfolder (default: host, or the device's name)")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), metavar="DIR",
                        help=f"preprocessed images are kept here between runs (default: {DEFAULT_CACHE})")
    parser.add_argument("--no-cache", action="store_true", help="preprocess again, keep nothing")
    parser.add_argument("--workers", type=counting(64), default=2, help="threads reading images (default: 2)")
    parser.add_argument("--threads", type=counting(64), default=1,
                        help="inference threads on host or phone (default: 1)")
    arm = parser.add_argument_group("ARM kernels under qemu (--runtime auto for int8/int16/fp16, or arm)")
    arm.add_argument("--lite-dir", help="Paddle Lite ARM Linux library (default: $PADDLE_LITE_ARM_ROOT or "
                                        "../shared/paddle_lite's inference_lite_lib.armlinux.armv8)")
    arm.add_argument("--fp16-lite-dir", help="the same with FP16 kernels (default: its fp16/ build beside it)")
    arm.add_argument("--arm-cpu", default=FP16_CPU, help=f"qemu CPU model (default: {FP16_CPU})")
    arm.add_argument("--batch-files", type=counting(4096), default=16, metavar="N",
                     help="inputs per qemu process (default: 16)")
    arm.add_argument("--jobs", type=counting(64), default=2, help="qemu processes at once (default: 2)")
    device = parser.add_argument_group("a phone (--runtime device)")
    add_device_arguments(device)
    device.add_argument("--build-dir", help="cxx_demo build with mnv1_classify for the device's ABI "
                                            "(default: build/cxx_demo/<target for the ABI>)")
    device.add_argument("--device-dir", default=None, type=device_folder, help="folder on the device "
                                                                               "(default: /data/local/tmp/mnv1)")
    return parser.parse_args(argv)


def eval_options(args):
    return EvalOptions(
        data=Path(args.data), list_file=args.list, allow_outside=args.allow_outside, labels=args.labels,
        models=tuple(args.models) if args.models else None, variants=tuple(args.variants), limit=args.limit,
        runtime=args.runtime, models_dir=Path(args.models_dir), results_root=Path(args.results), name=args.name,
        cache=None if args.no_cache else Path(args.cache), workers=args.workers, threads=args.threads,
        lite_dir=args.lite_dir, fp16_lite_dir=args.fp16_lite_dir, arm_cpu=args.arm_cpu,
        batch_files=args.batch_files, jobs=args.jobs, build_dir=args.build_dir, device_dir=args.device_dir,
        connection=Connection(transport=args.transport, serial=args.serial, tcp=(args.tcp,) if args.tcp else (),
                              adb_server=args.adb_server, command_timeout_s=args.command_timeout),
        engines=tuple(args.engines) if args.engines else None)


def main(argv=None, prog=None):
    args = parse_args(argv, **({"prog": prog} if prog else {}))
    options = eval_options(args)
    def job():
        with progress("image") as shown:
            return EXIT_FAILED_CELLS if evaluate_models(options, say=shown.say, on_progress=shown.update).failed else 0
    return run_edge(job)


if __name__ == "__main__":
    sys.exit(main())
