#!/usr/bin/env python3
"""The main job's benchmark step (`make run` runs it after converting the models).

With a phone attached (the adb program is on PATH and `adb devices` lists a ready device) it benchmarks
it as `run_sd855.py --threads 1,2,4` does (with several, every ready one, in parallel); otherwise this
host as `run_host.py --threads 1,2,4` does, with the real Paddle Lite x86 runtime. Other options are
passed on to that command (see its --help).

It ends well when it did its job, every table written: cells that stayed unstable end in a warning
block (which cells, why, what would make them stable) and exit status 0, where run_host.py and
run_sd855.py alone exit 4 for the scripts that parse it. Failed cells (1), bad input (2) and a lost
phone (3) still fail.

Examples: python bench_scripts/main_job.py
          python bench_scripts/main_job.py --results results/local --rounds 5
"""
import sys

from lite.cli import device_bench, host_bench
from lite.devices.adb_program import AdbServer
from lite.errors import DeviceError


def attached_phones():
    """The serials `adb devices` lists as ready (none without the adb program or an answering server)."""
    try:
        return [serial for serial, state in AdbServer().devices() if state == "device"]
    except (DeviceError, OSError):
        return []


def bench_command(phones, args):
    """The benchmark command for these attached phones (pure): --threads 1,2,4 unless `args` choose."""
    threads = [] if any(arg.split("=")[0] == "--threads" for arg in args) else ["--threads", "1,2,4"]
    if len(phones) > 1:
        return ["-m", "lite.cli.device_bench", *threads, "--devices", ",".join(phones), *args]
    if phones:
        return ["-m", "lite.cli.device_bench", *threads, "--serial", phones[0], *args]
    return ["-m", "lite.cli.host_bench", *threads, *args]


COMMANDS = {"lite.cli.device_bench": (device_bench, "python bench_scripts/run_sd855.py"),
            "lite.cli.host_bench": (host_bench, "python bench_scripts/run_host.py")}


def main(argv=None, prog="python bench_scripts/main_job.py"):
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(f"usage: {prog} [-h] [options of run_host.py or run_sd855.py]\n\n{__doc__}")
        return 0
    phones = attached_phones()
    if phones:
        print(f"phone(s) {', '.join(phones)} attached: benchmarking on {'them' if len(phones) > 1 else 'it'} "
              f"(run_sd855.py)")
    else:
        print("no phone attached: benchmarking on this host with the real Paddle Lite x86 runtime (run_host.py)")
    _dash_m, module, *command_args = bench_command(phones, args)
    command, prog = COMMANDS[module]
    return command.main(command_args, prog=prog, unstable_is_a_warning=True)


if __name__ == "__main__":
    sys.exit(main())
