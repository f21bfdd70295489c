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
import time
from pathlib import Path

from lite.models.image_sets import read_dataset
from lite.accuracy.evaluate import Job, evaluate
from lite.accuracy.inputs import DEFAULT_CACHE, InputCache, Settings
from lite.convert.ptq import calibration_text
from lite.cli.args import OneLineParser, add_device_arguments, comma_list, counting, device_folder
from lite.errors import ToolkitError
from lite.models.labels import parse_labels
from lite.models.registry import family, get_variant, model_names, select_models, variant_names
from lite.models.store import ModelStore
from lite.runtime.arm_library import FP16_CPU, default_lite_root
from lite.util.edge import EXIT_FAILED_CELLS, run_edge
from lite.util.files import read_json, sha256_file

RUNTIMES = ("auto", "host", "arm", "device")


def parse_args(argv):
    parser = OneLineParser(prog="python bench_scripts/eval_accuracy.py", description=__doc__,
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
    parser.add_argument("--models-dir", default="models", help="where opt_models.py wrote the models (default: models)")
    parser.add_argument("--results", default="results", help="results root (default: results)")
    parser.add_argument("--name", help="results subfolder (default: host, or the device's name)")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), metavar="DIR",
                        help=f"preprocessed images are kept here between runs (default: {DEFAULT_CACHE})")
    parser.add_argument("--no-cache", action="store_true", help="preprocess again, keep nothing")
    parser.add_argument("--workers", type=counting(64), default=2, help="threads reading images (default: 2)")
    parser.add_argument("--threads", type=counting(64), default=1, help="inference threads on host or phone (default: 1)")
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


def main(argv=None):
    args = parse_args(argv)
    return run_edge(lambda: run(args))


def arm_runtime(args):
    from lite.accuracy.runtimes import ArmQemuRuntime
    from lite.runtime.arm_check import prepare_library
    from lite.runtime.arm_library import qemu_command
    root = default_lite_root()
    lite_dir = args.lite_dir or (root / "inference_lite_lib.armlinux.armv8" if root else None)
    if not lite_dir:
        raise ToolkitError("int8, int16 and fp16 run on Paddle Lite's ARM kernels under qemu: pass --lite-dir "
                           "(the unpacked inference_lite_lib.armlinux.armv8 folder)")
    qemu_command(args.arm_cpu)
    libraries = {"fp32": prepare_library(lite_dir)}
    fp16_dir = args.fp16_lite_dir or (root / "fp16" / "inference_lite_lib.armlinux.armv8"
                                      if root and not args.lite_dir else None)
    if libraries["fp32"].fp16:
        libraries["fp16"] = libraries["fp32"]
    elif fp16_dir and Path(fp16_dir).is_dir():
        libraries["fp16"] = prepare_library(fp16_dir)
    return ArmQemuRuntime(libraries, args.arm_cpu, batch=args.batch_files, jobs=args.jobs)


def device_runtime(args, settings, stack):
    from lite.accuracy.runtimes import DeviceRuntime
    from lite.cli.run_sd855 import BUILDS, result_folder
    from lite.devices.facts import describe_device, model_target_for
    from lite.devices.select import open_device
    device = stack.enter_context(open_device(args.transport, args.serial, args.tcp, adb_server=args.adb_server,
                                                         command_timeout_s=args.command_timeout))
    machine = describe_device(device)
    build = Path(args.build_dir or f"build/cxx_demo/{BUILDS.get((machine['kind'], machine['abi']), 'unknown')}")
    folder = result_folder(args.results, machine, args.name)
    return DeviceRuntime(device, args.device_dir or device.default_workdir, build, args.threads,
                         settings_key=settings.key(), target=model_target_for(machine["abi"])), folder


def make_jobs(args, store, runtimes):
    variants = ["fp32"] + [v for v in args.variants if v != "fp32"]
    jobs = []
    for spec in select_models(args.models):
        for variant in variants:
            runtime = runtimes["fp32" if variant == "fp32" else "other"]
            target = runtime.target
            path = store.nb_file(target, spec.name, variant)
            if not path.is_file():
                raise ToolkitError(f"no converted model {path}; make it with: "
                                   f"{store.remake_command(spec.name, target, variant)}")
            manifest = read_json(store.nb_manifest(target, spec.name, variant)) or {}
            calibration = calibration_text(manifest["calibration"]) if manifest.get("calibration") else ""
            jobs.append(Job(spec.name, variant, runtime, path, manifest.get("weights_origin", "unknown"),
                            manifest.get("nb_sha256") or sha256_file(path), get_variant(variant).library, calibration))
    return jobs


def run(args):
    from contextlib import ExitStack

    from lite.accuracy.runtimes import HostRuntime
    from lite.report.accuracy import csv_row, write_accuracy
    started = time.monotonic()
    classes = family().models[0].class_num
    dataset = read_dataset(args.data, args.list, classes, args.allow_outside).limited(args.limit)
    names = parse_labels(Path(args.labels).read_text()) if args.labels else None
    settings = Settings.of_registry()
    cache = InputCache(dataset.root, settings, False if args.no_cache else args.cache)
    store = ModelStore(args.models_dir)
    refuse_calibration_images(dataset, {f"{spec.name} {variant}": read_json(store.nb_manifest("arm", spec.name, variant))
                                        for spec in select_models(args.models) for variant in args.variants
                                        if get_variant(variant).post_training})
    print(f"{len(dataset.items)} labelled images ({dataset.layout}) under {dataset.root}")
    if dataset.note:
        print(f"note: {dataset.note}")
    with ExitStack() as stack:
        folder = Path(args.results) / (args.name or "host")
        if args.runtime == "device":
            device, folder = device_runtime(args, settings, stack)
            runtimes = {"fp32": device, "other": device}
        elif args.runtime == "arm":
            arm = arm_runtime(args)
            runtimes = {"fp32": arm, "other": arm}
        else:
            host = HostRuntime(args.threads)
            other = host if args.runtime == "host" else None
            if args.runtime == "auto" and any(v != "fp32" for v in args.variants):
                other = arm_runtime(args)
            if args.runtime == "host" and any(v != "fp32" for v in args.variants):
                raise ToolkitError("this host's x86 runtime runs FP32 only here: use --runtime auto or arm for "
                                   "int8, int16 and fp16")
            runtimes = {"fp32": host, "other": other}
        jobs = make_jobs(args, store, runtimes)
        result = evaluate(dataset, jobs, cache, workers=args.workers)
    data = f"{dataset.layout} under {dataset.root}" + (f", first {args.limit}" if args.limit else "")
    flat = [csv_row(row, data, len(result.unreadable)) for row in result.rows]
    examples = wrong_examples(dataset, result, names)
    paths = list(write_accuracy(folder, flat, sorted(result.unreadable.items()), dataset.note, examples))
    paths += refresh_tables(Path(args.results))
    if result.unreadable:
        print(f"{len(result.unreadable)} file(s) could not be read as images and were left out (listed in "
              f"{paths[1]}); first: {next(iter(result.unreadable))}")
    print(f"cache: {cache.hits} preprocessed images reused, {cache.misses} made")
    print(f"{len(jobs) - result.failed} of {len(jobs)} evaluations ran in {time.monotonic() - started:.0f} s")
    print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_FAILED_CELLS if result.failed else 0


def refuse_calibration_images(dataset, manifests):
    """A model calibrated on some of these images would be graded on what it was fitted to: one line.
    `manifests`: {"<model> <variant>": its .nb manifest (or None)} of the post-training variants asked for."""
    calibrated = {}
    for name, manifest in manifests.items():
        hashes = set(((manifest or {}).get("calibration") or {}).get("image_sha256") or ())
        if hashes:
            calibrated[name] = hashes
    if not calibrated:
        return
    seen = {}
    for relative, _label in dataset.items:
        try:
            seen[sha256_file(dataset.root / relative)] = relative
        except OSError:
            continue
    for name, hashes in calibrated.items():
        shared = [seen[h] for h in hashes if h in seen]
        if shared:
            raise ToolkitError(f"{len(shared)} of these images calibrated {name} (first: {sorted(shared)[0]}): "
                               f"evaluate it on other images, or convert it again with other --calib-data")


def wrong_examples(dataset, result, names, count=5):
    """(path, true class, predicted class) of the first images the first FP32 model got wrong."""
    fp32 = [key for key in result.predictions if key[1] == "fp32"]
    if not fp32:
        return []
    seen, topk = result.predictions[fp32[0]]

    def name(k):
        return f"{k} {names[k]}" if names and k < len(names) else str(k)
    wrong = [(dataset.items[i][0], name(dataset.items[i][1]), name(int(top[0])))
             for i, top in zip(seen, topk) if int(top[0]) != dataset.items[i][1]]
    return wrong[:count]


def refresh_tables(results_root):
    """Rebuild the latency tables of the result folders under RESULTS and the size table, so that they show
    the measured Top-1 (they look for accuracy.csv themselves)."""
    from lite.report.sizes import rewrite_size_markdown
    from lite.report.writer import write_reports
    written = []
    for folder in sorted(p.parent for p in results_root.glob("*/raw")):
        try:
            written += write_reports(folder)[0]
        except ToolkitError as exc:
            print(f"note: did not rebuild {folder}: {exc}", file=sys.stderr)
    for models_csv in sorted([results_root / "models.csv", *results_root.glob("*/models.csv")]):
        if models_csv.is_file():
            written.append(rewrite_size_markdown(models_csv.parent))
    return written
