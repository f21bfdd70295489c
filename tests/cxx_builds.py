"""Builds of cxx_demo against the Paddle Lite light-API TEST DOUBLE, for the host and for aarch64."""
import shutil
import struct
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOUBLE = REPO / "tests" / "paddle_lite_api_double"
QEMU = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]


def build_target(target, root):
    """Build the double library and both programs for `target` under `root`; return the build dir."""
    lite_dir, build_dir = root / f"lite-double-{target}", root / f"build-{target}"
    subprocess.run(["bash", str(DOUBLE / "build_double.sh"), target, str(lite_dir)], check=True)
    subprocess.run(["bash", str(REPO / "cxx_demo" / "build.sh"), "--target", target, "--lite-dir", str(lite_dir),
                    "--build-dir", str(build_dir)], check=True, capture_output=True)
    return build_dir


def program_command(build_dir, target, program):
    binary = str(build_dir / "bin" / program)
    return [*QEMU, binary] if target == "armlinux-aarch64" else [binary]


def tools_present():
    return all(shutil.which(tool) for tool in ("cmake", "g++", "aarch64-linux-gnu-g++", "qemu-aarch64"))


def minimal_nb(opt_version=b"v2.13-rc"):
    """The smallest file with a `.nb`'s layout (lite/convert/nb_format.py): no program, no weights.
    Only the light-API stand-in can "run" it; the real library needs a converted model."""
    return (struct.pack("<H", 2) + opt_version.ljust(16, b"\0") + struct.pack("<Q", 0)
            + b"\0" * 12)
