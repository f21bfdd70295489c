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

from lite.bench.device_runners import RUNNERS
from lite.cli.args import OneLineParser, add_device_arguments, add_sweep_arguments, device_folder, sweep_options
from lite.cli.summary import print_many_devices_summary, print_summary
from lite.devices.facts import ABI_ELF_MACHINES
from lite.devices.select import open_device
from lite.errors import ToolkitError
from lite.jobs.device_sweep import sweep_one_device
from lite.jobs.many_devices import sweep_many_devices
from lite.jobs.options import Connection, DeviceOptions
from lite.util.edge import run_edge
from lite.util.progress import progress


def parse_args(argv, prog="python bench_scripts/run_sd855.py"):
    parser = OneLineParser(prog=prog, description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sweep_arguments(parser, warmup=20, repeats=100, cooldown_s=5.0, power_mode="high", kind="device")
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
    parser.add_argument("--profile", action="store_true",
                        help="after the timed rounds, one operator-profiling pass per cell (never in a latency "
                             "figure): RESULTS/<device>/ops.md, ops.csv and ops/<cell>.json; needs mnv1_bench built "
                             "against Paddle Lite with its profiler (--profile-build-dir)")
    parser.add_argument("--profile-build-dir", metavar="PATH",
                        help="that build (default: build/cxx_demo/<target for the ABI>-profile)")
    parser.add_argument("--results", default="results", help="results root (default: results)")
    parser.add_argument("--name", help="results subfolder (default: sd855 on a Snapdragon 855, else the SoC name)")
    return parser.parse_args(argv)


def build_dir_option(text):
    """An argparse type: PATH, or ABI=PATH for devices of one ABI -> (ABI or None, PATH)."""
    abi, sep, path = text.partition("=")
    if sep and abi in ABI_ELF_MACHINES:
        return abi, path
    return None, text


def device_options(args):
    return DeviceOptions(runner=args.runner, build_dirs=tuple(args.build_dir), benchmark_bin=args.benchmark_bin,
                         lib_dir=args.lib_dir, device_dir=args.device_dir, model_target=args.model_target,
                         name=args.name, profile=args.profile, profile_build_dir=args.profile_build_dir)


def connection_of(args):
    return Connection(transport=args.transport, serial=args.serial, tcp=tuple(args.tcp), adb_server=args.adb_server,
                      command_timeout_s=args.command_timeout, devices=args.devices, overlap_push=args.overlap_push)


def main(argv=None, prog=None, unstable_is_a_warning=False):
    """The command's exit status; `unstable_is_a_warning`: see lite.cli.host_bench.main."""
    args = parse_args(argv, **({"prog": prog} if prog else {}))
    sweep, on_device, connection = sweep_options(args), device_options(args), connection_of(args)
    started = time.monotonic()
    if connection.many:
        return run_edge(lambda: print_many_devices_summary(sweep_many_devices(sweep, on_device, connection),
                                                           time.monotonic() - started, unstable_is_a_warning))
    return run_edge(lambda: print_summary(sweep_on_one(sweep, on_device, connection), started, unstable_is_a_warning),
                    lost_hint="every finished cell is kept: reconnect and rerun with --resume")


def sweep_on_one(sweep, on_device, connection):
    if connection.overlap_push:
        raise ToolkitError("--overlap-push is for several devices (--devices, or --tcp repeated)")
    with open_device(connection.transport, connection.serial, connection.tcp[0] if connection.tcp else None,
                     adb_server=connection.adb_server, command_timeout_s=connection.command_timeout_s) as device:
        with progress("cell") as shown:
            return sweep_one_device(device, sweep, on_device, say=shown.say,
                                    on_progress=lambda done, total: shown.update(done, total, "phone sweep"))


if __name__ == "__main__":
    sys.exit(main())
