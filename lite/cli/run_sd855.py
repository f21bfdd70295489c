#!/usr/bin/env python3
"""Benchmark the converted models on a phone (a Snapdragon 855 by default) over adb.

Checks the phone (SoC, ABI, free space), pushes the benchmark program, its libraries and the
models into DEVICE_DIR/{bin,lib,models} (only files that changed), runs the models x threads
sweep in a fresh process per cell, and writes RESULTS/<name>/: raw result files, latency.csv,
latency.md with the published Snapdragon 855 figures and the ratio per cell, the size table, plots.

Every cell runs in --rounds interleaved rounds (a fresh process each); unstable cells are
re-measured, then marked in every table.

Exit status: 0 all cells measured and stable, 1 some cells failed, 2 bad input, 3 the device went
away, 4 some cells still unstable (marked in the tables).

Example: python bench_scripts/run_sd855.py --threads 1,2,4
"""
import argparse
import sys
import time
from pathlib import Path

from lite.bench.device_runners import RUNNERS, BenchmarkBinRunner, CxxRunner, PythonRunner
from lite.bench.plan import plan_cells
from lite.bench.sweep import run_sweep
from lite.cli.args import add_device_arguments, add_sweep_arguments, device_folder, stability_options
from lite.util.edge import run_edge
from lite.cli.summary import print_summary
from lite.convert.pipeline import converted_manifests
from lite.devices.facts import abi_mismatch, describe_device, is_sd855, model_target_for
from lite.devices.select import open_device
from lite.devices.sync import sync_files
from lite.errors import ToolkitError
from lite.models.registry import get_model
from lite.models.store import ModelStore
from lite.report.sizes import size_row, sort_rows, write_size_report
from lite.report.writer import write_reports
from lite.util.files import ensure_writable_dir
from lite.util.text import safe_name

BUILDS = {("android", "arm64-v8a"): "android-arm64", ("android", "armeabi-v7a"): "android-armv7",
          ("linux", "arm64-v8a"): "armlinux-aarch64", ("android", "x86_64"): "host", ("linux", "x86_64"): "host"}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python bench_scripts/run_sd855.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sweep_arguments(parser, warmup=20, repeats=100, cooldown_s=5.0, power_mode="high")
    add_device_arguments(parser)
    parser.add_argument("--runner", choices=RUNNERS, default="cxx",
                        help="cxx: our mnv1_bench; benchmark_bin: Paddle Lite's own tool; python: the device's "
                             "python3 with paddlelite (default: cxx)")
    parser.add_argument("--build-dir", help="cxx_demo build to push (default: build/cxx_demo/<target for the ABI>)")
    parser.add_argument("--benchmark-bin", help="local path of Paddle Lite's benchmark_bin (runner benchmark_bin)")
    parser.add_argument("--lib-dir", help="libraries to push with benchmark_bin (default: none)")
    parser.add_argument("--device-dir", default=None, type=device_folder,
                        help="folder on the device (default: /data/local/tmp/mnv1; with --transport local "
                             "~/.cache/mnv1-device)")
    parser.add_argument("--model-target", choices=("auto", "arm", "x86"), default="auto",
                        help="which converted models to push; auto follows the device's ABI (default: auto)")
    parser.add_argument("--results", default="results", help="results root (default: results)")
    parser.add_argument("--name", help="results subfolder (default: sd855 on a Snapdragon 855, else the SoC name)")
    return parser.parse_args(argv)


def result_folder(results_root, machine, requested=None):
    """RESULTS/<name>: --name, else the device's own safe name; always a plain child of the root."""
    name = safe_name(requested) if requested else safe_name(machine.get("device"))
    folder = Path(results_root) / name
    if folder.resolve().parent != Path(results_root).resolve():  # never outside the results root
        raise ToolkitError(f"results folder {folder} is not inside {results_root}")
    return folder


def make_runner(args, device, machine, workdir):
    if args.runner == "python":
        return PythonRunner(device, workdir, machine, args.cell_timeout)
    if args.runner == "benchmark_bin":
        if not args.benchmark_bin or not Path(args.benchmark_bin).is_file():
            raise ToolkitError("--runner benchmark_bin needs --benchmark-bin PATH (Paddle Lite's benchmark_bin "
                               "for the device's ABI, from its releases or its build)")
        mismatch = abi_mismatch(args.benchmark_bin, machine["abi"])
        if mismatch:
            raise ToolkitError(f"{mismatch}: pass the benchmark_bin built for {machine['abi']}")
        return BenchmarkBinRunner(device, workdir, machine, args.cell_timeout, args.benchmark_bin, args.lib_dir)
    build = BUILDS.get((machine["kind"], machine["abi"]))
    build_dir = Path(args.build_dir or f"build/cxx_demo/{build or 'unknown'}")
    how = (f"cxx_demo/build.sh --target {build} --lite-dir <Paddle Lite inference library>"
           + (" --ndk <Android NDK>" if build and build.startswith("android") else "")) if build else \
        f"a build for ABI {machine['abi']} (none is known)"
    if not (build_dir / "bin" / "mnv1_bench").is_file():
        raise ToolkitError(f"no mnv1_bench for {machine['abi']} in {build_dir}; build it with: {how}")
    mismatch = abi_mismatch(build_dir / "bin" / "mnv1_bench", machine["abi"])
    if mismatch:
        raise ToolkitError(f"{mismatch}; build for it with: {how}")
    return CxxRunner(device, workdir, machine, args.cell_timeout, build_dir)


def main(argv=None):
    args = parse_args(argv)
    return run_edge(lambda: sweep_device(args),
                    lost_hint="every finished cell is kept: reconnect and rerun with --resume")


def sweep_device(args):
    started = time.monotonic()
    with open_device(args.transport, args.serial, args.tcp) as device:
        return sweep_on(device, args, started)


def sweep_on(device, args, started):
    workdir = args.device_dir or device.default_workdir
    print(f"device: {device.description}")
    machine = describe_device(device)
    result_dir = result_folder(args.results, machine, args.name)
    print(f"  {machine.get('model_name') or '?'}, SoC {machine.get('soc') or '?'}, ABI {machine['abi']}, "
          f"{machine['core_count']} CPUs, {machine.get('os')}")
    if machine.get("emulated"):
        print(f"note: this device says it is emulated (ro.kernel.qemu=1): its figures are never a phone's; "
              f"results go to {result_dir}, marked emulated, and are not compared with published figures")
    elif not is_sd855(machine):
        print(f"warning: this device's SoC is {machine.get('soc') or 'unknown'}, not a Snapdragon 855 "
              f"(SM8150/msmnile); results go to {result_dir} and are not compared with the "
              f"published SD855 figures")
    target = args.model_target if args.model_target != "auto" else model_target_for(machine["abi"])
    store = ModelStore(args.models_dir)
    cells = plan_cells(store, args.models, args.variants, args.threads, target, power_mode=args.power_mode,
                       warmup=args.warmup, repeats=args.repeats, with_reference=False)
    ensure_writable_dir(result_dir / "raw")
    runner = make_runner(args, device, machine, workdir)
    files = dict(runner.files())
    for cell in cells:
        files[runner.remote_model(cell)] = cell.nb_path
    sync_files(device, files, runner.executables())
    print(f"benchmarking {len(cells)} cells with the {runner.name} runner (power mode {args.power_mode}, "
          f"warm-up {args.warmup}, repeats {args.repeats}, cooldown {args.cooldown:g} s)")
    summary = run_sweep(cells, runner, result_dir, resume=args.resume, cooldown_s=args.cooldown,
                        max_temp_c=args.max_temp, max_temp_wait_s=args.max_temp_wait, **stability_options(args))
    paths, problems = write_reports(result_dir)
    wanted = {(c.model, c.variant) for c in cells}
    rows = [size_row(get_model(m["model"]), m) for m in converted_manifests(store)
            if m["target"] == target and (m["model"], m["variant"]) in wanted]
    paths += write_size_report(sort_rows(rows), result_dir)
    return print_summary(result_dir, paths, problems, summary, started)


if __name__ == "__main__":
    sys.exit(main())
