#!/usr/bin/env python3
"""The main job's benchmark step (`make run` runs it after converting the models).

With a phone attached (the adb program is on PATH and `adb devices` lists one ready device) it runs
`run_sd855.py --threads 1,2,4` on it; otherwise `run_host.py --threads 1,2,4` on this host with the
real Paddle Lite x86 runtime. Extra arguments are passed on to the chosen command.
"""
import shutil
import subprocess
import sys

from lite.devices.adb_program import parse_devices


def attached_phone():
    if not shutil.which("adb"):
        return None
    try:
        listing = subprocess.run(["adb", "devices"], capture_output=True, text=True, timeout=30).stdout
    except (subprocess.TimeoutExpired, OSError):
        return None
    ready = [serial for serial, state in parse_devices(listing) if state == "device"]
    return ready[0] if len(ready) == 1 else None


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    serial = attached_phone()
    if serial:
        print(f"phone {serial} attached: benchmarking on it (run_sd855.py)")
        command = [sys.executable, "-m", "lite.cli.run_sd855", "--threads", "1,2,4", "--serial", serial, *args]
    else:
        print("no phone attached: benchmarking on this host with the real Paddle Lite x86 runtime (run_host.py)")
        command = [sys.executable, "-m", "lite.cli.run_host", "--threads", "1,2,4", *args]
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
