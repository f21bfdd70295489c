#!/usr/bin/env python3
"""Which int8_full calibration keeps MobileNetV1_x0_75's accuracy: the measurement behind the defaults.

Real weights and real images only (../shared/real, read in place): sample1000 split by file in sorted
order, the first half calibrates, the second half (disjoint by sha256, checked) evaluates. For each
setting: Paddle's post-training quantization on the calibration half, then the quantized program on the
evaluation half in Paddle's fake-quant simulation on this host, against the FP32 program on the same
images: Top-1 loss in points, top-1 agreement, mean logit cosine, and the share of FLOPs left on int8.
Then the simulation is checked against Paddle Lite's real ARM int8 kernels under qemu-aarch64 on the
first --arm-images evaluation images for the chosen settings (and the old default), and the chosen
settings run on ARM over the whole evaluation half (the goal: within 2 points of FP32, agreement >= 90%).
Prints the ranking table and the chosen defaults; never fails on a figure. Slow (an hour on 2 cores).

Run from the repo root:  python benchmarks/bench_calibration.py [--settings quick] [--arm-images 100]
"""
import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

try:
    import numpy as np

    from lite.accuracy.inputs import InputCache, Settings
    from lite.convert import ptq
    from lite.convert.opt import opt_command, run_opt
    from lite.convert.pipeline import convert_all
    from lite.convert.ptq import Calibration, layer_types, quantize
    from lite.convert.quant_check import check_figures, check_line, flops_share
    from lite.models.counts import layer_macs
    from lite.models.image_sets import read_image_set
    from lite.models.registry import get_model
    from lite.models.store import ModelStore
    from lite.runtime.arm_check import prepare_library, run_on_arm
    from lite.runtime.arm_library import FP16_CPU, default_lite_root
    from lite.util.files import sha256_file
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

REPO = Path(__file__).resolve().parent.parent
REAL = REPO.parent / "shared" / "real"
MODEL = "MobileNetV1_x0_75"
CW = "channel_wise_abs_max"
DEPTHWISE = (ptq.DEPTHWISE,)  # the quantization expands it to MobileNetV1's 13 depthwise convs
ENDS = ("conv2d_0.w_0", "linear_0.w_0")  # the first conv and the fc


def settings_grid(kind):
    """The settings to rank: every algorithm Paddle 2.6's PTQ offers at 32/128/500 images, per-tensor
    weights, the first conv and fc kept, the depthwise convs kept, bias correction and AdaRound."""
    if kind == "quick":
        return [Calibration(samples=32, algo=a, skip_layers=()) for a in ("abs_max", "avg", "mse")] + [
            Calibration(samples=32, algo="mse", skip_layers=DEPTHWISE)]
    grid = [Calibration(samples=n, algo=a, skip_layers=()) for a in ("abs_max", "avg", "hist", "mse", "emd", "KL")
            for n in (32, 128, 500) if not (a in ("KL", "mse", "emd") and n == 500)]
    grid += [Calibration(samples=32, algo=a, weight_quant="abs_max", skip_layers=()) for a in ("abs_max", "avg", "KL")]
    grid += [Calibration(samples=32, algo=a, skip_layers=ENDS) for a in ("avg", "KL", "mse")]
    grid += [Calibration(samples=32, algo=a, skip_layers=DEPTHWISE) for a in ("avg", "KL", "mse")]
    grid += [Calibration(samples=32, algo="avg", bias_correction=True, skip_layers=()),
             Calibration(samples=32, algo="avg", round_type="adaround", skip_layers=())]
    return grid


def label(calibration):
    kept = {(): "none", ENDS: "first conv + fc", DEPTHWISE: "depthwise"}.get(calibration.skip_layers,
                                                                              ",".join(calibration.skip_layers))
    extra = ", bias corr." if calibration.bias_correction else ""
    extra += ", adaround" if calibration.round_type != "round" else ""
    weights = "per-channel" if calibration.weight_quant == CW else "per-tensor"
    return f"{calibration.algo:<7} {calibration.samples:>4} {weights:<11} kept: {kept}{extra}"


def halves():
    """(calibration inputs, evaluation inputs, evaluation labels, calibration image count) of sample1000,
    split by sorted file name; refuses any image whose bytes are in both halves."""
    dataset = read_image_set(REAL / "sample1000", None)
    items = sorted(dataset.items)
    calib, evaluation = items[:len(items) // 2], items[len(items) // 2:]
    calib_hashes = {sha256_file(dataset.root / r) for r, _ in calib}
    shared = [r for r, _ in evaluation if sha256_file(dataset.root / r) in calib_hashes]
    if shared:
        sys.exit(f"error: {len(shared)} evaluation images are also calibration images (first: {shared[0]})")
    cache = InputCache(dataset.root, Settings.of_registry())
    stack = lambda part: np.concatenate([cache.tensor(r) for r, _ in part]).astype("float32")  # noqa: E731
    return stack(calib), stack(evaluation), np.array([truth for _, truth in evaluation]), len(calib_hashes)


def measure(export, calibration, calib_inputs, eval_file, labels, flops, scratch):
    """Quantize and run the simulation; (figures, FLOPs share left in FP32, PTQ seconds, output folder)."""
    out, calib_file = scratch / f"q{abs(hash(calibration))}", scratch / f"calib-{calibration.samples}.npy"
    if not calib_file.is_file():
        np.save(calib_file, calib_inputs[:calibration.samples])
    fp32_file = scratch / "eval_fp32_logits.npy"
    started = time.monotonic()
    done = quantize(export / "inference.pdmodel", export / "inference.pdiparams", calibration, calib_file, out,
                    eval_file, fp32_file if fp32_file.is_file() else None)
    seconds = time.monotonic() - started
    with np.load(done.check_logits) as logits:
        if not fp32_file.is_file():
            np.save(fp32_file, logits["fp32"])  # the FP32 program's logits, once for every setting
        figures = check_figures(logits["fp32"], logits["int8"], labels)
    return figures, flops_share(done.kept_fp32, flops), seconds, out


def on_arm(library, out, inputs, jobs, batch=25):
    """Logits of the quantized program converted for ARM, on Paddle Lite's int8 kernels under qemu."""
    nb = out / "arm"
    run_opt(opt_command(out / "inference.pdmodel", out / "inference.pdiparams", "arm", "int8_full", nb), MODEL)
    chunks = [inputs[i:i + batch] for i in range(0, len(inputs), batch)]
    with ThreadPoolExecutor(jobs) as pool:
        return np.concatenate(list(pool.map(lambda c: run_on_arm(library, nb.with_suffix(".nb"), c, FP16_CPU),
                                            chunks)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", choices=("full", "quick"), default="full", help="the grid (default: full)")
    parser.add_argument("--arm-images", type=int, default=100, help="evaluation images for the simulation-vs-ARM "
                                                                    "check (default: 100)")
    parser.add_argument("--jobs", type=int, default=2, help="qemu processes at once (default: 2)")
    parser.add_argument("--no-arm", action="store_true", help="the simulation only")
    args = parser.parse_args(argv)
    if not (REAL / "weights").is_dir():
        sys.exit(f"error: {REAL} holds no weights: this benchmark needs the real data beside the clone")
    spec = get_model(MODEL)
    with tempfile.TemporaryDirectory(prefix="bench-calibration-") as scratch:
        scratch = Path(scratch)
        store = ModelStore(scratch / "models")
        convert_all([spec], ["arm"], ["fp32"], store, str(REAL / "weights"), say=lambda text: None)
        export = store.root / "paddle" / MODEL
        calib, evaluation, labels, calib_count = halves()
        np.save(scratch / "eval.npy", evaluation)
        print(f"{MODEL}, real weights; calibration: the first {calib_count} images of sample1000, evaluation: the "
              f"other {len(labels)} (no image in both, by sha256); Paddle fake-quant simulation on this host",
              flush=True)
        flops = dict(zip(layer_types(export / "inference.pdmodel", export / "inference.pdiparams"),
                         layer_macs(spec.scale, spec.input_shape[-1], spec.class_num)))
        rows = []
        for index, calibration in enumerate(settings_grid(args.settings), 1):
            figures, share, seconds, out = measure(export, calibration, calib, scratch / "eval.npy", labels, flops,
                                                   scratch)
            rows.append((calibration, figures, share, out))
            print(f"[{index}] {label(calibration)}: loss {figures.top1_loss_points:5.1f} points, agreement "
                  f"{100 * figures.agreement:.1f}%, cosine {figures.cosine:.4f}, FLOPs on int8 {100 * (1 - share):.1f}%"
                  f", PTQ {seconds:.0f} s", flush=True)
        rows.sort(key=lambda r: (r[1].top1_loss_points, -r[1].agreement))
        print(f"\nRanking (FP32 Top-1 on the evaluation half: {100 * rows[0][1].fp32_top1:.1f}%):")
        print(f"{'#':>3} {'settings':<62}{'loss':>7}{'agree':>8}{'cosine':>8}{'int8 FLOPs':>11}")
        for rank, (calibration, figures, share, _out) in enumerate(rows, 1):
            print(f"{rank:>3} {label(calibration):<62}{figures.top1_loss_points:>7.1f}{100 * figures.agreement:>7.1f}%"
                  f"{figures.cosine:>8.4f}{100 * (1 - share):>10.1f}%")
        # the default: the best that keeps at least 95% of the FLOPs on int8 kernels
        chosen = next(r for r in rows if r[2] <= 0.05)
        print(f"\nchosen default (best with >= 95% of FLOPs on int8): {label(chosen[0])}")
        if args.no_arm:
            return 0
        library = prepare_library(default_lite_root() / "inference_lite_lib.armlinux.armv8", say=lambda text: None)
        old = next((r for r in rows if r[0] == Calibration(algo="abs_max", skip_layers=())), None)  # before
        subset = evaluation[:args.arm_images]
        for name, row in (("old default", old), ("chosen", chosen)):
            if row is None:
                continue
            started = time.monotonic()
            logits = on_arm(library, row[3], subset, args.jobs)
            with np.load(row[3] / "check_logits.npz") as simulated:
                sim = check_figures(simulated["fp32"][:len(subset)], simulated["int8"][:len(subset)],
                                    labels[:len(subset)])
                arm = check_figures(simulated["fp32"][:len(subset)], logits, labels[:len(subset)])
                same = float((logits.argmax(1) == simulated["int8"][:len(subset)].argmax(1)).mean())
            print(f"{name} on {len(subset)} images: ARM loss {arm.top1_loss_points:.1f} points, simulation "
                  f"{sim.top1_loss_points:.1f} (difference {arm.top1_loss_points - sim.top1_loss_points:+.1f}); "
                  f"ARM and simulation agree on {100 * same:.1f}% of top-1s ({time.monotonic() - started:.0f} s)",
                  flush=True)
        logits = on_arm(library, chosen[3], evaluation, args.jobs)
        with np.load(chosen[3] / "check_logits.npz") as simulated:
            arm = check_figures(simulated["fp32"], logits, labels)
        print(f"goal, chosen settings on ARM kernels over {arm.images} images: {check_line(arm.as_dict())} "
              f"(goal: loss <= 2 points, agreement >= 90%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
