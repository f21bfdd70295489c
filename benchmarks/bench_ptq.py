#!/usr/bin/env python3
"""Full-int8 (int8_full) figures for MobileNetV1 and MobileNetV1_x0_25; prints, never fails.

Per model: the .nb size against FP32, the post-training quantization's wall time, and on Paddle Lite's
real ARM kernels under qemu-aarch64 (the export's reference inputs): cosine and top-1 agreement of the
int8 logits with the FP32 .nb's logits, how many conv/fc layers ran on int8 kernels, and the qemu time
ratio INT8/FP32. That ratio is a sanity signal that int8 kernels run, never a phone's speed: qemu
emulates every instruction. Also one line per calibration algorithm for MobileNetV1_x0_25.
Run from the repo root: python benchmarks/bench_ptq.py [--models-dir DIR]
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from lite.convert.export import load_reference_io
    from lite.convert.logits import agreement, mean_cosine
    from lite.models.store import ModelStore
    from lite.runtime.arm_check import arm_kernels, int8_share, prepare_library, run_on_arm
    from lite.runtime.arm_library import FP16_CPU, default_lite_root
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

REPO = Path(__file__).resolve().parent.parent
MODELS = ("MobileNetV1_x0_25", "MobileNetV1")
ALGOS = ("abs_max", "avg", "hist", "KL", "mse")


def convert(models_dir, names, *extra):
    subprocess.run([sys.executable, "lite/opt_models.py", "--models", ",".join(names), "--targets", "arm",
                    "--variants", "fp32,int8_full", "--models-dir", str(models_dir), "--results",
                    str(Path(models_dir) / "report"), *extra], cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def timed_run(library, nb, inputs):
    started = time.monotonic()
    logits = run_on_arm(library, nb, inputs, FP16_CPU)
    return logits, time.monotonic() - started


def figures(store, library, name):
    fp32, int8 = store.nb_file("arm", name, "fp32"), store.nb_file("arm", name, "int8_full")
    inputs, _reference = load_reference_io(store.reference_io(name))
    reference, fp32_s = timed_run(library, fp32, inputs)
    logits, int8_s = timed_run(library, int8, inputs)
    metrics = agreement(reference, logits)
    kernels = int8_share(arm_kernels(library, int8, FP16_CPU))
    manifest = json.loads(int8.with_suffix(".json").read_text())
    return {"size": int8.stat().st_size / fp32.stat().st_size, "cosine": mean_cosine(reference, logits),
            "top1": metrics["top1"],
            "kernels": kernels, "ptq_s": manifest["calibration"]["ptq_seconds"], "ratio": int8_s / fp32_s,
            "inputs": len(inputs)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", help="reuse converted models here (default: a scratch folder)")
    parser.add_argument("--lite-dir", help="Paddle Lite ARM Linux library (default: ../shared/paddle_lite's)")
    args = parser.parse_args(argv)
    root = default_lite_root()
    lite_dir = args.lite_dir or (root / "inference_lite_lib.armlinux.armv8" if root else None)
    if not lite_dir:
        sys.exit("error: pass --lite-dir (Paddle Lite's ARM Linux library)")
    library = prepare_library(lite_dir)
    with tempfile.TemporaryDirectory() as scratch:
        models_dir = Path(args.models_dir or Path(scratch) / "models")
        print("converting fp32 and int8_full (32 synthetic calibration images, the default settings) ...", flush=True)
        convert(models_dir, MODELS)
        store = ModelStore(models_dir)
        print(f"{'model':<20}{'size of fp32':>13}{'PTQ s':>7}{'cosine':>9}{'top-1 agr.':>11}{'int8 kernels':>13}"
              f"{'qemu int8/fp32':>15}")
        for name in MODELS:
            f = figures(store, library, name)
            kernels = f"{f['kernels'][0]}/{f['kernels'][1]}"
            print(f"{name:<20}{100 * f['size']:>12.1f}%{f['ptq_s']:>7.1f}{f['cosine']:>9.4f}{f['top1']:>11.2f}"
                  f"{kernels:>13}{f['ratio']:>15.2f}", flush=True)
        print(f"(cosine and agreement over the export's {f['inputs']} reference inputs, int8 logits against the FP32 "
              f".nb's on the same kernels)")
        print("MobileNetV1_x0_25 by calibration algorithm (32 synthetic images):")
        for algo in ALGOS:
            algo_dir = Path(scratch) / f"algo-{algo}"
            convert(algo_dir, MODELS[:1], "--calib-algo", algo)
            f = figures(ModelStore(algo_dir), library, MODELS[0])
            print(f"  {algo:<8} cosine {f['cosine']:.4f}, top-1 agreement {f['top1']:.2f}, PTQ {f['ptq_s']:.1f} s",
                  flush=True)


if __name__ == "__main__":
    main()
