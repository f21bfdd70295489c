"""Builds of cxx_demo against the Paddle Lite light-API TEST DOUBLE, for this x86 host (ARM builds use the
real library: tests/conftest.py real_arm_builds)."""
import shutil
import struct
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOUBLE = REPO / "tests" / "paddle_lite_api_double"


def build_target(target, root):
    """Build the double library and both programs for `target` under `root`; return the build dir."""
    lite_dir, build_dir = root / f"lite-double-{target}", root / f"build-{target}"
    subprocess.run(["bash", str(DOUBLE / "build_double.sh"), target, str(lite_dir)], check=True)
    subprocess.run(["bash", str(REPO / "cxx_demo" / "build.sh"), "--target", target, "--lite-dir", str(lite_dir),
                    "--build-dir", str(build_dir)], check=True, capture_output=True)
    return build_dir


def tools_present():
    return all(shutil.which(tool) for tool in ("cmake", "g++", "aarch64-linux-gnu-g++", "qemu-aarch64"))


def minimal_nb(opt_version=b"v2.13-rc"):
    """The smallest file with a `.nb`'s layout (lite/convert/nb_format.py): no program, no weights.
    Only the light-API stand-in can "run" it; the real library needs a converted model."""
    return (struct.pack("<H", 2) + opt_version.ljust(16, b"\0") + struct.pack("<Q", 0)
            + b"\0" * 12)
