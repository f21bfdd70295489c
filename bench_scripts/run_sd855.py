#!/usr/bin/env python3
"""Benchmark the converted models on a phone (a Snapdragon 855 by default) over adb.

Checks the phone (SoC, ABI, free space), pushes the benchmark program, its libraries and the
models into DEVICE_DIR/{bin,lib,models} (only files that changed), runs the models x threads
sweep in a fresh process per cell, and writes RESULTS/<name>/: raw result files, latency.csv,
latency.md with the published Snapdragon 855 figures and the ratio per cell, the size table, plots.

Example: python bench_scripts/run_sd855.py --threads 1,2,4
"""
import argparse
import re
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lite.cli_edge import run_edge  # noqa: E402
from lite.device_runners import RUNNERS, BenchmarkBinRunner, CxxRunner, PythonRunner  # noqa: E402
from lite.device_sync import sync_files  # noqa: E402
from lite.devices.facts import ANDROID_ABIS, describe_device  # noqa: E402
from lite.devices.select import TRANSPORTS, open_device  # noqa: E402
from lite.errors import ToolkitError  # noqa: E402
from lite.family import FAMILY  # noqa: E402
from lite.files import ensure_writable_dir  # noqa: E402
from lite.latency_report import is_sd855  # noqa: E402
from lite.pipeline import converted_manifests  # noqa: E402
from lite.report import print_summary, write_reports  # noqa: E402
from lite.size_report import size_row, sort_rows, write_size_report  # noqa: E402
from lite.sweep import run_sweep  # noqa: E402
from lite.sweep_cli import add_sweep_arguments, plan_cells  # noqa: E402

BUILDS = {("android", "arm64-v8a"): "android-arm64", ("android", "armeabi-v7a"): "android-armv7",
          ("linux", "arm64-v8a"): "armlinux-aarch64", ("android", "x86_64"): "host", ("linux", "x86_64"): "host"}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python bench_scripts/run_sd855.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sweep_arguments(parser, warmup=20, repeats=100, cooldown_s=5.0, power_mode="high")
    parser.add_argument("--transport", choices=TRANSPORTS, default="auto",
                        help="adb (the adb program and its server), usb or tcp (the adb-shell package, no server), "
                             "local (this host); auto: adb when the adb program is on PATH, else USB (default: auto)")
    parser.add_argument("--serial", help="which device, when several are attached (see `adb devices`)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="a device on the network (adb over TCP/IP)")
    parser.add_argument("--runner", choices=RUNNERS, default="cxx",
                        help="cxx: our mnv1_bench; benchmark_bin: Paddle Lite's own tool; python: the device's "
                             "python3 with paddlelite (default: cxx)")
    parser.add_argument("--build-dir", help="cxx_demo build to push (default: build/cxx_demo/<target for the ABI>)")
    parser.add_argument("--benchmark-bin", help="local path of Paddle Lite's benchmark_bin (runner benchmark_bin)")
    parser.add_argument("--lib-dir", help="libraries to push with benchmark_bin (default: none)")
    parser.add_argument("--device-dir", default="/data/local/tmp/mnv1",
                        help="folder on the device (default: /data/local/tmp/mnv1)")
    parser.add_argument("--model-target", choices=("auto", "arm", "x86"), default="auto",
                        help="which converted models to push; auto follows the device's ABI (default: auto)")
    parser.add_argument("--results", default="results", help="results root (default: results)")
    parser.add_argument("--name", help="results subfolder (default: sd855 on a Snapdragon 855, else the SoC name)")
    return parser.parse_args(argv)


def results_name(machine, requested):
    if requested:
        return requested
    if is_sd855(machine):
        return "sd855"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", machine.get("soc") or machine.get("model_name") or "device").lower()


def make_runner(args, device, machine):
    if args.runner == "python":
        return PythonRunner(device, args.device_dir, machine, args.cell_timeout)
    if args.runner == "benchmark_bin":
        if not args.benchmark_bin or not Path(args.benchmark_bin).is_file():
            raise ToolkitError("--runner benchmark_bin needs --benchmark-bin PATH (Paddle Lite's benchmark_bin "
                               "for the device's ABI, from its releases or its build)")
        return BenchmarkBinRunner(device, args.device_dir, machine, args.cell_timeout, args.benchmark_bin, args.lib_dir)
    build = BUILDS.get((machine["kind"], machine["abi"]))
    build_dir = Path(args.build_dir or f"build/cxx_demo/{build or 'unknown'}")
    if not (build_dir / "bin" / "mnv1_bench").is_file():
        how = (f"cxx_demo/build.sh --target {build} --lite-dir <Paddle Lite inference library>"
               + (" --ndk <Android NDK>" if build and build.startswith("android") else "")) if build else \
            f"a build for ABI {machine['abi']} (none is known)"
        raise ToolkitError(f"no mnv1_bench for {machine['abi']} in {build_dir}; build it with: {how}")
    return CxxRunner(device, args.device_dir, machine, args.cell_timeout, build_dir)


def main(argv=None):
    args = parse_args(argv)
    return run_edge(lambda: sweep_device(args),
                    lost_hint="every finished cell is kept: reconnect and rerun with --resume")


def sweep_device(args):
    started = time.monotonic()
    device = open_device(args.transport, args.serial, args.tcp)
    try:
        return sweep_on(device, args, started)
    finally:
        device.close()


def sweep_on(device, args, started):
    if args.transport == "local" and args.device_dir == "/data/local/tmp/mnv1":
        args.device_dir = device.default_workdir
    print(f"device: {device.description}")
    machine = describe_device(device, "device")
    name = results_name(machine, args.name)
    machine["device"] = name
    print(f"  {machine.get('model_name') or '?'}, SoC {machine.get('soc') or '?'}, ABI {machine['abi']}, "
          f"{machine['core_count']} CPUs, {machine.get('os')}")
    if not is_sd855(machine):
        print(f"warning: this device's SoC is {machine.get('soc') or 'unknown'}, not a Snapdragon 855 "
              f"(SM8150/msmnile); results go to {Path(args.results) / name} and are not compared with the "
              f"published SD855 figures")
    target = args.model_target if args.model_target != "auto" else ANDROID_ABIS.get(machine["abi"], "arm")
    cells = plan_cells(args, target=target, with_reference=False)
    result_dir = ensure_writable_dir(Path(args.results) / name)
    ensure_writable_dir(result_dir / "raw")
    runner = make_runner(args, device, machine)
    files = dict(runner.files())
    for cell in cells:
        files[runner.remote_model(cell)] = cell.nb_path
    sync_files(device, files, runner.executables())
    print(f"benchmarking {len(cells)} cells with the {runner.name} runner (power mode {args.power_mode}, "
          f"warm-up {args.warmup}, repeats {args.repeats}, cooldown {args.cooldown:g} s)")
    summary = run_sweep(cells, runner, result_dir, resume=args.resume, cooldown_s=args.cooldown,
                        max_temp_c=args.max_temp, max_temp_wait_s=args.max_temp_wait)
    paths = write_reports(result_dir)
    by_name = {spec.name: spec for spec in FAMILY}
    wanted = {(c.model, c.variant) for c in cells}
    rows = [size_row(by_name[m["model"]], m) for m in converted_manifests(Path(args.models_dir))
            if m["target"] == target and (m["model"], m["variant"]) in wanted]
    paths += write_size_report(sort_rows(rows, [s.name for s in FAMILY]), result_dir)
    return print_summary(result_dir, paths, summary, started)


if __name__ == "__main__":
    sys.exit(main())
