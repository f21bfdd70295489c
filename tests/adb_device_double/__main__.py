"""Run the ADB device double by hand: python -m tests.adb_device_double --help (from the repo root)."""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adb_device_double.device import (  # noqa: E402
    SD855_CPU_MAX_KHZ,
    SD855_THERMAL_C,
    AdbDeviceDouble,
    DeviceConfig,
)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.adb_device_double",
                                     description="A test double of an Android phone (Snapdragon 855 by default) "
                                                 "speaking the device side of the ADB protocol on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    parser.add_argument("--root", help="device folder (default: a new temporary folder)")
    parser.add_argument("--auth-key", action="append", default=[], metavar="ADBKEY_PUB",
                        help="require AUTH and accept this public key file (repeatable; default: no AUTH)")
    parser.add_argument("--fake-sysfs", action="store_true",
                        help="give the device an SD855 CPU layout and thermal zones under /sys")
    parser.add_argument("--extra-path", action="append", default=[], help="host folder to put on the device's PATH")
    parser.add_argument("--arm-cpu", metavar="MODEL",
                        help="present as an emulated arm64-v8a phone whose programs run under qemu-aarch64 with "
                             "this CPU model (cortex-a76 has FP16 arithmetic, cortex-a72 not); default: x86_64")
    args = parser.parse_args(argv)
    root = args.root or tempfile.mkdtemp(prefix="adb-device-double-")
    config = DeviceConfig(auth_public_keys=tuple(Path(k).read_text() for k in args.auth_key),
                          extra_path=tuple(args.extra_path),
                          fake_cpus_khz=SD855_CPU_MAX_KHZ if args.fake_sysfs else None,
                          fake_thermal_c=SD855_THERMAL_C if args.fake_sysfs else None, arm_cpu=args.arm_cpu)
    device = AdbDeviceDouble(root, config)
    device.start(args.port)
    print(f"adb device double listening on {device.serial}, device folder {root}; "
          f"try: adb connect {device.serial}   (Ctrl-C stops it)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        device.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
