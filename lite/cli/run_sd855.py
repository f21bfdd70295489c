#!/usr/bin/env python3
"""Benchmark the converted models on a phone (a Snapdragon 855 by default) over adb.

Checks the phone (SoC, ABI, free space), pushes the benchmark program, its libraries and the
models into DEVICE_DIR/{bin,lib,models} (only files that changed), runs the models x threads
sweep in a fresh process per cell, and writes RESULTS/<name>/: raw result files, latency.csv,
latency.md with the published Snapdragon 855 figures and the ratio per cell, the size table, plots.

Every cell runs in --rounds interleaved rounds (a fresh process each); unstable cells are
re-measured, then marked in every table.

Several devices at once (--devices all|SERIAL,..., or --tcp repeated): one worker per device runs the
whole plan on it, in parallel with the others, into RESULTS/<soc>-<serial>/; a device that fails
(unauthorized, lost, out of space) ends only its own work, and --resume completes it later. A
measurement never overlaps a push to another device from this host unless --overlap-push.
Compare the devices with: python bench_scripts/report.py --devices RESULTS/*/

Exit status: 0 all cells measured and stable, 1 some cells failed, 2 bad input, 3 the device went
away (with several devices: some device did not finish), 4 some cells still unstable (marked in the
tables).

Examples: python bench_scripts/run_sd855.py --threads 1,2,4
          python bench_scripts/run_sd855.py --devices all --threads 1,2,4
"""
import argparse
import sys
import time
from pathlib import Path

from lite.bench.device_runners import RUNNERS, BenchmarkBinRunner, CxxRunner, PythonRunner
from lite.bench.plan import plan_cells
from lite.bench.push_gate import GatedDevice
from lite.bench.sweep import run_sweep
from lite.cli.args import OneLineParser, add_device_arguments, add_sweep_arguments, device_folder, stability_options
from lite.util.edge import run_edge
from lite.cli.summary import print_summary
from lite.convert.pipeline import converted_manifests
from lite.devices.facts import ABI_ELF_MACHINES, abi_mismatch, describe_device, is_sd855, model_target_for
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
    parser = OneLineParser(prog="python bench_scripts/run_sd855.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sweep_arguments(parser, warmup=20, repeats=100, cooldown_s=5.0, power_mode="high")
    add_device_arguments(parser, many=True)
    parser.add_argument("--runner", choices=RUNNERS, default="cxx",
                        help="cxx: our mnv1_bench; benchmark_bin: Paddle Lite's own tool; python: the device's "
                             "python3 with paddlelite (default: cxx)")
    parser.add_argument("--build-dir", type=build_dir_option, action="append", default=[], metavar="[ABI=]PATH",
                        help="cxx_demo build to push (default: build/cxx_demo/<target for the ABI>); ABI=PATH "
                             "gives the build for devices of that ABI (repeat it when the devices differ)")
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


def build_dir_option(text):
    """An argparse type: PATH, or ABI=PATH for devices of one ABI -> (ABI or None, PATH)."""
    abi, sep, path = text.partition("=")
    if sep and abi in ABI_ELF_MACHINES:
        return abi, path
    return None, text


def build_dir_for(build_dirs, abi):
    """The --build-dir given for `abi`, else the one given for every ABI, else None (pure)."""
    chosen = dict(build_dirs)
    return chosen.get(abi) or chosen.get(None)


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
    build_dir = Path(build_dir_for(args.build_dir, machine["abi"]) or f"build/cxx_demo/{build or 'unknown'}")
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
    if args.devices or len(args.tcp) > 1:
        from lite.cli.run_fleet import sweep_fleet
        return run_edge(lambda: sweep_fleet(args, sweep_on))
    return run_edge(lambda: sweep_device(args),
                    lost_hint="every finished cell is kept: reconnect and rerun with --resume")


def sweep_device(args):
    started = time.monotonic()
    if args.overlap_push:
        raise ToolkitError("--overlap-push is for several devices (--devices, or --tcp repeated)")
    with open_device(args.transport, args.serial, args.tcp[0] if args.tcp else None,
                     adb_server=args.adb_server, command_timeout_s=args.command_timeout) as device:
        result_dir, paths, problems, summary = sweep_on(device, args)
    return print_summary(result_dir, paths, problems, summary, started)


def sweep_on(device, args, *, say=print, serial=None, folder=None, gate=None, board=None, fleet=None):
    """Check, push, sweep and report on one device; (result folder, paths written, problems, SweepSummary).

    For a many-device sweep: `folder(machine)` names the results folder, `gate` (a PushGate) keeps this
    device's pushes and measurements apart from the others', `board` hears where it is (`fleet`: facts
    recorded in every result's schedule); `serial` names the device to both."""
    serial = serial or device.serial
    mark = (lambda **changes: board.update(serial, **changes)) if board else (lambda **changes: None)
    workdir = args.device_dir or device.default_workdir
    say(f"device: {device.description}")
    mark(phase="reading its facts")
    machine = describe_device(device)
    result_dir = folder(machine) if folder else result_folder(args.results, machine, args.name)
    mark(folder=result_dir.name)
    say(f"  {machine.get('model_name') or '?'}, SoC {machine.get('soc') or '?'}, ABI {machine['abi']}, "
        f"{machine['core_count']} CPUs, {machine.get('os')}")
    if machine.get("emulated"):
        say(f"note: this device says it is emulated (ro.kernel.qemu=1): its figures are never a phone's; "
            f"results go to {result_dir}, marked emulated, and are not compared with published figures")
    elif not is_sd855(machine):
        say(f"warning: this device's SoC is {machine.get('soc') or 'unknown'}, not a Snapdragon 855 "
            f"(SM8150/msmnile); results go to {result_dir} and are not compared with the "
            f"published SD855 figures")
    if gate:
        device = GatedDevice(device, gate, serial)
    target = args.model_target if args.model_target != "auto" else model_target_for(machine["abi"])
    store = ModelStore(args.models_dir)
    cells = plan_cells(store, args.models, args.variants, args.threads, target, power_mode=args.power_mode,
                       warmup=args.warmup, repeats=args.repeats, with_reference=False)
    ensure_writable_dir(result_dir / "raw")
    runner = make_runner(args, device, machine, workdir)
    files = dict(runner.files())
    for cell in cells:
        files[runner.remote_model(cell)] = cell.nb_path
    mark(phase="pushing")
    sync_files(device, files, runner.executables(), say=say)
    say(f"benchmarking {len(cells)} cells with the {runner.name} runner (power mode {args.power_mode}, "
        f"warm-up {args.warmup}, repeats {args.repeats}, cooldown {args.cooldown:g} s)")
    mark(phase="measuring")
    summary = run_sweep(cells, runner, result_dir, resume=args.resume, cooldown_s=args.cooldown,
                        max_temp_c=args.max_temp, max_temp_wait_s=args.max_temp_wait, say=say,
                        guard=(lambda: gate.measuring(serial)) if gate else None,
                        on_progress=lambda done, total: mark(done=done, total=total),
                        schedule_extra={"fleet": fleet} if fleet else None, **stability_options(args))
    mark(phase="writing reports")
    paths, problems = write_reports(result_dir)
    wanted = {(c.model, c.variant) for c in cells}
    rows = [size_row(get_model(m["model"]), m) for m in converted_manifests(store)
            if m["target"] == target and (m["model"], m["variant"]) in wanted]
    paths += write_size_report(sort_rows(rows), result_dir)
    return result_dir, paths, problems, summary


if __name__ == "__main__":
    sys.exit(main())
