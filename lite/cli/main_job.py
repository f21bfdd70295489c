#!/usr/bin/env python3
"""The main job's benchmark step (`make run` runs it after converting the models).

With a phone attached (the adb program is on PATH and `adb devices` lists a ready device) it runs
`run_sd855.py --threads 1,2,4` on it (with several, `--devices` naming every ready one, swept in
parallel); otherwise `run_host.py --threads 1,2,4` on this host with the real Paddle Lite x86 runtime.
Extra arguments are passed on to the chosen command.
"""
import subprocess
import sys

from lite.devices.adb_program import AdbServer
from lite.errors import DeviceError


def attached_phones():
    """The serials `adb devices` lists as ready (none without the adb program or an answering server)."""
    try:
        return [serial for serial, state in AdbServer().devices() if state == "device"]
    except (DeviceError, OSError):
        return []


def bench_command(phones, args):
    """The benchmark command for these attached phones (pure)."""
    if len(phones) > 1:
        return ["-m", "lite.cli.device_bench", "--threads", "1,2,4", "--devices", ",".join(phones), *args]
    if phones:
        return ["-m", "lite.cli.device_bench", "--threads", "1,2,4", "--serial", phones[0], *args]
    return ["-m", "lite.cli.host_bench", "--threads", "1,2,4", *args]


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    phones = attached_phones()
    if phones:
        print(f"phone(s) {', '.join(phones)} attached: benchmarking on {'them' if len(phones) > 1 else 'it'} "
              f"(run_sd855.py)")
    else:
        print("no phone attached: benchmarking on this host with the real Paddle Lite x86 runtime (run_host.py)")
    return subprocess.call([sys.executable, *bench_command(phones, args)])


if __name__ == "__main__":
    sys.exit(main())
