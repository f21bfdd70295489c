#!/usr/bin/env python3
"""Benchmark script: the ARM check of the five FP32 models and MobileNetV1 int8/int16/fp16 on Paddle
Lite's real ARM kernels under qemu-aarch64; prints the table and the wall time.

Needs Paddle Lite's ARM Linux libraries (FP32 and FP16 builds): --lite-root DIR laid out as
DIR/inference_lite_lib.armlinux.armv8 and DIR/fp16/inference_lite_lib.armlinux.armv8 (default:
$PADDLE_LITE_ARM_ROOT, else ../shared/paddle_lite). Writes results/arm_check.csv and .md.
Example: python benchmarks/bench_arm_check.py
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

from lite.runtime.arm_library import default_lite_root

REPO = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lite-root", default=None, help="folder holding the FP32 and fp16/ ARM Linux libraries")
    parser.add_argument("--results", default="results", help="where arm_check.csv and .md go (default: results)")
    args = parser.parse_args(argv)
    root = Path(args.lite_root) if args.lite_root else default_lite_root()
    if root is None:
        print("error: no Paddle Lite ARM library: pass --lite-root or set PADDLE_LITE_ARM_ROOT", file=sys.stderr)
        return 2
    lite, fp16 = root / "inference_lite_lib.armlinux.armv8", root / "fp16" / "inference_lite_lib.armlinux.armv8"
    started = time.monotonic()
    runs = [["--all", "--targets", "arm", "--variants", "fp32"],
            ["--models", "MobileNetV1", "--targets", "arm", "--variants", "int8,int16,fp16"]]
    for run in runs:
        done = subprocess.run([sys.executable, str(REPO / "lite" / "opt_models.py"), *run, "--results", args.results,
                               "--verify-arm", "--lite-dir", str(lite), "--fp16-lite-dir", str(fp16)], cwd=REPO)
        if done.returncode not in (0, 1):
            return done.returncode
    print()
    print((Path(args.results) / "arm_check.md").read_text())
    print(f"wall time: {time.monotonic() - started:.0f} s (qemu-aarch64 on this host; no figure here is a speed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
