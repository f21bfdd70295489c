"""Paddle Lite's ARM library and running ARM programs on this x86 host under qemu-aarch64.

The library users download (`inference_lite_lib.armlinux.armv8`, or the `.android.` one) keeps its
C++ light API at cxx/lib/libpaddle_light_api_shared.so. Whether it has FP16 kernels (built with
LITE_WITH_ARM82_FP16=ON) is written in it: its kernel registry names read `...kARMkFP16...`.
binfmt_misc is not mounted on these machines, so ARM programs start as `qemu-aarch64 -L SYSROOT PROGRAM`.
"""
import os
import shutil
from pathlib import Path

from lite.errors import ArmToolError

LIGHT_API = "libpaddle_light_api_shared.so"
LITE_ROOT_VARIABLE = "PADDLE_LITE_ARM_ROOT"
FP16_KERNEL_MARK = b"kARMkFP16"
QEMU = "qemu-aarch64"
ARM_SYSROOT = Path("/usr/aarch64-linux-gnu")
ARM_LOADER = ARM_SYSROOT / "lib" / "ld-linux-aarch64.so.1"
FP16_CPU = "max"  # a qemu CPU model with ARMv8.2 half-precision arithmetic (cortex-a76 has it too)
DOWNLOAD_HINT = ("download Paddle Lite's ARM Linux library (inference_lite_lib.armlinux.armv8, from "
                 "https://github.com/PaddlePaddle/Paddle-Lite/releases) and pass the unpacked folder")


def light_api_library(lite_dir):
    """The light API .so inside a Paddle Lite library folder; ArmToolError naming what is missing."""
    lite_dir = Path(lite_dir)
    if not lite_dir.is_dir():
        raise ArmToolError(f"--lite-dir {lite_dir} is not a folder: {DOWNLOAD_HINT}")
    library = lite_dir / "cxx" / "lib" / LIGHT_API
    if not library.is_file() or not (lite_dir / "cxx" / "include" / "paddle_api.h").is_file():
        raise ArmToolError(f"--lite-dir {lite_dir} holds no cxx/lib/{LIGHT_API} and cxx/include/paddle_api.h: "
                           f"{DOWNLOAD_HINT}")
    return library


def has_fp16_kernels(binary, chunk_bytes=1 << 20):
    """True when a Paddle Lite library (or a program linking it statically) carries FP16 ARM kernels."""
    tail = b""
    with open(binary, "rb") as f:
        while True:
            chunk = f.read(chunk_bytes)
            if not chunk:
                return False
            if FP16_KERNEL_MARK in tail + chunk:
                return True
            tail = chunk[-len(FP16_KERNEL_MARK):]


def qemu_command(cpu):
    """The prefix that runs an aarch64 Linux program here; ArmToolError when qemu or the sysroot is missing."""
    if not shutil.which(QEMU):
        raise ArmToolError(f"{QEMU} is not installed: apt-get install qemu-user (Debian/Ubuntu)")
    if not ARM_LOADER.is_file():
        raise ArmToolError(f"the aarch64 C library is missing ({ARM_LOADER}): apt-get install g++-aarch64-linux-gnu")
    return [QEMU, "-L", str(ARM_SYSROOT), "-cpu", cpu]


def default_lite_root():
    """Where the Paddle Lite ARM Linux libraries for checks live: $PADDLE_LITE_ARM_ROOT, else the shared
    folder beside a clone (../shared/paddle_lite), else None. Laid out as ROOT/inference_lite_lib.armlinux.armv8
    (FP32), ROOT/fp16/inference_lite_lib.armlinux.armv8 (FP16) and ROOT/benchmark_bin/benchmark_bin."""
    named = os.environ.get(LITE_ROOT_VARIABLE)
    if named:
        return Path(named)
    shared = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "paddle_lite"
    return shared if shared.is_dir() else None
