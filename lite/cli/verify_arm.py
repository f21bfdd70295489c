"""`--verify-arm`: every converted ARM model on Paddle Lite's real ARM kernels, before a phone is at hand.

Each `.nb` runs under qemu-aarch64 with the user's Paddle Lite ARM Linux library on the export's
reference inputs; its logits are held against Paddle's (lite.convert.logits.ARM_CHECK_THRESHOLDS) and
the rows go to RESULTS/arm_check.csv and .md.
"""
import time
from pathlib import Path

from lite.bench.op_profile import PROFILER_BUILD, has_profiler
from lite.convert.export import load_reference_io
from lite.convert.logits import agreement, arm_check_problem
from lite.errors import ArmToolError, CellFailed, ToolkitError
from lite.models.registry import get_variant
from lite.models.store import manifest_of
from lite.report.arm_check import check_row, write_arm_check
from lite.report.ops import profiled_cell, write_ops
from lite.runtime.arm_check import arm_kernels, int8_share, prepare_library, profile_on_arm, run_on_arm
from lite.runtime.arm_library import FP16_CPU, default_lite_root, light_api_library, qemu_command
from lite.util.files import read_json


def add_verify_arguments(parser):
    group = parser.add_argument_group("checking ARM models on this host (qemu-aarch64)")
    group.add_argument("--verify-arm", action="store_true",
                       help="run every ARM .nb of the selection on Paddle Lite's ARM kernels under qemu-aarch64 "
                            "and compare with Paddle; writes RESULTS/arm_check.csv and .md")
    group.add_argument("--lite-dir", metavar="DIR",
                       help="Paddle Lite ARM Linux library, the unpacked inference_lite_lib.armlinux.armv8 folder")
    group.add_argument("--fp16-lite-dir", metavar="DIR",
                       help="the same built with FP16 kernels, for fp16 models (default: --lite-dir if it has them)")
    group.add_argument("--verify-inputs", type=int, default=None, metavar="N",
                       help="use the first N of the export's reference inputs (default: all of them)")
    group.add_argument("--profile", action="store_true",
                       help="after the check, one profiling pass per model and variant on a Paddle Lite library "
                            "built with its operator profiler: RESULTS/emulated-arm-qemu/ops.md, ops.csv and "
                            "ops/<cell>.json (per operator and kernel: time, share, GFLOPs; per layer)")
    group.add_argument("--profile-lite-dir", metavar="DIR",
                       help="the ARM Linux library built with LITE_WITH_PROFILE=ON (default: the profile/ build "
                            "beside --lite-dir's shared folder, ../shared/paddle_lite/profile/...)")
    group.add_argument("--arm-cpu", default=FP16_CPU,
                       help=f"qemu CPU model (default: {FP16_CPU}, which has FP16 arithmetic)")


def check_verify_arguments(args, parser):
    if args.profile and not args.verify_arm:
        parser.error("--profile goes with --verify-arm (mnv1 verify-arm --profile ...)")
    if not args.verify_arm:
        return
    if not args.lite_dir:
        parser.error("--verify-arm needs --lite-dir DIR (a Paddle Lite ARM Linux library folder)")
    if "arm" not in args.targets:
        parser.error("--verify-arm checks ARM models: include arm in --targets")
    if args.verify_inputs is not None and args.verify_inputs < 1:
        parser.error("--verify-inputs must be at least 1")
    if args.profile_lite_dir and not args.profile:
        parser.error("--profile-lite-dir goes with --profile")


def kernel_problem(int8, compute, kept_fp32=0):
    """Why a fully quantized model failed the kernel check, or None (pure). `kept_fp32`: layers the user
    kept out of quantization (--skip-quant-layers)."""
    if compute and int8 >= compute - kept_fp32:
        return None
    return f"Paddle Lite ran only {int8} of {compute} conv/fc layers on int8 kernels ({kept_fp32} kept in FP32)"


def verify_arm(args, specs, store, say=print):
    """Check every ARM model of `specs` x args.variants; write the reports; return the number that failed."""
    qemu_command(args.arm_cpu)  # a missing qemu or sysroot is one line before any build
    libraries = {"fp32": prepare_library(args.lite_dir, say=say)}
    fp16_dir = args.fp16_lite_dir or (args.lite_dir if libraries["fp32"].fp16 else None)
    if "fp16" in args.variants and fp16_dir:
        libraries["fp16"] = libraries["fp32"] if fp16_dir == args.lite_dir else prepare_library(fp16_dir, say=say)
        if not libraries["fp16"].fp16:
            raise ArmToolError(f"--fp16-lite-dir {fp16_dir} has no FP16 kernels (build Paddle Lite with "
                               f"LITE_WITH_ARM82_FP16=ON, or download its fp16 library)")
    jobs = [(spec, variant) for spec in specs for variant in args.variants]
    rows = []
    for index, (spec, variant) in enumerate(jobs, 1):
        nb_path = store.nb_file("arm", spec.name, variant)
        fp32_path = store.nb_file("arm", spec.name, "fp32")
        fp32_bytes = fp32_path.stat().st_size if fp32_path.is_file() else None
        library_kind = get_variant(variant).library
        library = libraries.get(library_kind)
        prefix = f"[{index}/{len(jobs)}] {spec.name} {variant} on ARM kernels:"
        if library is None:
            problem = "needs Paddle Lite's FP16 library: pass --fp16-lite-dir (built with LITE_WITH_ARM82_FP16=ON)"
            rows.append(check_row(spec.name, variant, nb_path, fp32_bytes, library_kind, args.arm_cpu, problem=problem))
            say(f"{prefix} not run: {problem}")
            continue
        inputs, reference = load_reference_io(store.reference_io(spec.name))
        count = min(args.verify_inputs or len(inputs), len(inputs))
        say(f"{prefix} running {count} inputs under qemu-aarch64 -cpu {args.arm_cpu} ...")
        started = time.monotonic()
        kernels = None
        try:
            logits = run_on_arm(library, nb_path, inputs[:count], args.arm_cpu)
            metrics = agreement(reference[:count], logits)
            problem = arm_check_problem(variant, metrics)
            if get_variant(variant).post_training:  # did the int8 kernels really run? Paddle Lite's log says
                kernels = int8_share(arm_kernels(library, nb_path, args.arm_cpu))
                kept = len(((read_json(manifest_of(nb_path)) or {}).get("calibration") or {}).get("skip_layers") or ())
                problem = problem or kernel_problem(*kernels, kept)
        except (CellFailed, ValueError) as exc:
            metrics, problem = None, str(exc)
        seconds = time.monotonic() - started
        rows.append(check_row(spec.name, variant, nb_path, fp32_bytes, library_kind, args.arm_cpu, metrics, problem,
                              seconds, kernels))
        if kernels:
            say(f"{prefix} Paddle Lite picked int8 kernels for {kernels[0]} of {kernels[1]} conv/fc layers")
        if metrics:
            say(f"{prefix} max rel. diff {metrics['max_rel_diff']:.2g}, cosine {metrics['cosine_min']:.6f}, top-1 "
                f"{metrics['top1']:.2f}, top-5 {metrics['top5']:.2f}: "
                f"{'pass' if problem is None else 'FAIL: ' + problem}"
                f" ({seconds:.1f} s)")
        else:
            say(f"{prefix} FAIL: {problem}")
    csv_path, md_path = write_arm_check(rows, args.results)
    say(f"wrote {csv_path} and {md_path}")
    failed = sum(row["result"] != "pass" for row in rows)
    if args.profile:
        failed += profile_pass(args, [(s, v) for s, v in jobs if get_variant(v).library == "fp32"], store, say)
    return failed


def profiler_library(args, say):
    """The library built with the operator profiler, prepared; a one-line error when it has no profiler."""
    root = default_lite_root()
    lite_dir = args.profile_lite_dir or (root / "profile" / "inference_lite_lib.armlinux.armv8" if root else None)
    if lite_dir is None or not Path(lite_dir).is_dir():
        raise ToolkitError(f"--profile needs Paddle Lite built with its operator profiler: pass --profile-lite-dir "
                           f"({PROFILER_BUILD})")
    if not has_profiler(light_api_library(lite_dir).read_bytes()):
        raise ToolkitError(f"{lite_dir} has no operator profiler (a release library never has): {PROFILER_BUILD}")
    return prepare_library(lite_dir, say=say)


def profile_pass(args, jobs, store, say):
    """One profiling pass per model and variant (1 thread), apart from every figure; the ops tables. Returns
    how many could not be profiled."""
    library = profiler_library(args, say)
    profiled, documents, failed = [], {}, 0
    for spec, variant in jobs:
        cell = f"{spec.name}__{variant}__t1"
        try:
            log, seconds = profile_on_arm(library, store.nb_file("arm", spec.name, variant), args.arm_cpu)
        except CellFailed as exc:
            say(f"profile {cell}: FAIL: {exc}")
            failed += 1
            continue
        done = profiled_cell(cell, log, seconds, emulated=True)
        if done is None:
            say(f"profile {cell}: FAIL: the library printed no operator table")
            failed += 1
            continue
        entry, documents[cell] = done
        profiled.append(entry)
        say(f"profile {cell}: {len(entry[2])} layers, {entry[3]} (EMULATED; pass {seconds:.1f} s)")
    if profiled:
        paths = write_ops(Path(args.results) / EMULATED_FOLDER, profiled, documents, emulated=True)
        say(f"wrote {paths[-1]} and {paths[-2]}")
    return failed


EMULATED_FOLDER = "emulated-arm-qemu"  # git ignores results/emulated-*/
