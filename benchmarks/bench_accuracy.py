#!/usr/bin/env python3
"""Host throughput of the accuracy evaluation (images per second) against the bare Paddle Lite predictor
running the same preprocessed tensors in a loop (goal: at least 0.8 of it); prints, never fails.

On made-up images (the figure is about the evaluation's overhead, not accuracy): the evaluation reads the
preprocessed tensors from its cache with worker threads while the predictor runs, and computes top-5 and
the row; the bare loop has every tensor in memory already. Each is run three times, interleaved; medians.
Run from the repo root: python benchmarks/bench_accuracy.py [--model MobileNetV1] [--images 64]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    import numpy as np

    from lite.accuracy.evaluate import Job, evaluate
    from lite.accuracy.inputs import InputCache, Settings
    from lite.accuracy.runtimes import HostRuntime
    from lite.models.image_sets import read_dataset
    from lite.models.store import ModelStore
    from lite.runtime.host_predictor import HostPredictor
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

GOAL = 0.8


def make_set(root, count):
    from PIL import Image
    rng = np.random.default_rng(0)
    lines = []
    for index in range(count):
        path = root / "images" / f"{index:04d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (300 + index % 50, 400, 3), dtype=np.uint8)).save(path)
        lines.append(f"images/{path.name} {index % 1000}\n")
    (root / "val_list.txt").write_text("".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="MobileNetV1")
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--models-dir", default="models")
    args = parser.parse_args(argv)
    nb_path = ModelStore(args.models_dir).nb_file("x86", args.model, "fp32")
    if not nb_path.is_file():
        sys.exit(f"error: no {nb_path}: run `python lite/opt_models.py --models {args.model} --targets x86` first")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        make_set(root, args.images)
        dataset = read_dataset(root)
        cache = InputCache(root, Settings.of_registry(), root / "cache")
        job = Job(args.model, "fp32", HostRuntime(1), nb_path, "any", "-")
        started = time.monotonic()
        evaluate(dataset, [job], cache, say=lambda text: None)
        cold = args.images / (time.monotonic() - started)
        print(f"{args.model} FP32, {args.images} images, 1 thread; first pass (preprocessing and caching while "
              f"inferring): {cold:.1f} images/s", flush=True)
        tensors = [cache.tensor(relative) for relative, _ in dataset.items]
        predictor = HostPredictor(nb_path, 1)
        predictor.infer(tensors[0])
        bare, evaluated = [], []
        for attempt in range(3):
            started = time.monotonic()
            for tensor in tensors:
                predictor.infer(tensor)
            bare.append(args.images / (time.monotonic() - started))
            started = time.monotonic()
            evaluate(dataset, [job], cache, say=lambda text: None)
            evaluated.append(args.images / (time.monotonic() - started))
            print(f"  round {attempt + 1}: bare predictor {bare[-1]:.1f} images/s, evaluation {evaluated[-1]:.1f} "
                  f"images/s", flush=True)
    ratio = statistics.median(evaluated) / statistics.median(bare)
    verdict = "meets" if ratio >= GOAL else "MISSES"
    print(f"evaluation {statistics.median(evaluated):.1f} images/s against the bare predictor's "
          f"{statistics.median(bare):.1f}: {ratio:.2f} of it ({verdict} the {GOAL} goal)")


if __name__ == "__main__":
    main()
