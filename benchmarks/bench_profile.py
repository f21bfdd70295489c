#!/usr/bin/env python3
"""What a profiling pass costs: `opt_models.py --verify-arm` on MobileNetV1_x0_25 FP32 with and without
`--profile`, wall time of each (under qemu: never a phone's figure). Prints the figures; never fails on them.

Run from the repo root inside the venv: python benchmarks/bench_profile.py [--models-dir DIR] [--lite-root DIR]
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from lite.runtime.arm_library import default_lite_root
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

REPO = Path(__file__).resolve().parent.parent


def verify(models, results, lite_dir, *extra):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm",
                           "--verify-arm", "--lite-dir", str(lite_dir), "--models-dir", str(models), "--results",
                           str(results), *extra], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"error: opt_models.py exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return time.monotonic() - started, done.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", default=None, help="converted models (default: convert into a scratch folder)")
    parser.add_argument("--lite-root", default=None,
                        help="Paddle Lite's ARM libraries (default: ../shared/paddle_lite)")
    args = parser.parse_args(argv)
    root = Path(args.lite_root) if args.lite_root else default_lite_root()
    if root is None:
        sys.exit("error: no Paddle Lite ARM libraries: pass --lite-root")
    lite_dir = root / "inference_lite_lib.armlinux.armv8"
    with tempfile.TemporaryDirectory() as scratch:
        models = Path(args.models_dir or Path(scratch) / "models")
        verify(models, Path(scratch) / "warm", lite_dir, "--profile")  # converts and builds both libraries once
        plain, _ = verify(models, Path(scratch) / "plain", lite_dir)
        profiled, out = verify(models, Path(scratch) / "profiled", lite_dir, "--profile")
    line = next((x for x in out.splitlines() if x.startswith("profile ")), "")
    print(f"--verify-arm alone: {plain:.1f} s; with --profile: {profiled:.1f} s; the profiling pass: "
          f"{profiled - plain:.1f} s ({100 * (profiled - plain) / plain:.0f}% more), EMULATED under qemu")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
