"""Benchmark one x86 `.nb` at one thread count in this (fresh) process; print the JSON contract.

Run by the host runner as `python -m lite.host_bench_cell ...`, one process per cell, so that
the thread setting and CPU affinity of one cell never leak into the next. When a reference
(`reference_io.npz` from the export) is given, the logits must match Paddle's before any timing.
"""
import argparse
import json
import resource
import sys

import numpy as np

from lite.errors import ToolkitError
from lite.host_runtime import HostPredictor, cpus_that_worked, pin_to_cpus, thread_cpu_ticks
from lite.logit_check import compare_logits, verdict
from lite.stats import latency_stats


class LogitMismatchError(ToolkitError):
    pass


def bench(nb_path, threads, warmup, repeats, reference_npz=None, variant="fp32"):
    cpus = pin_to_cpus(threads)
    predictor = HostPredictor(nb_path, threads)
    check = None
    if reference_npz:
        with np.load(reference_npz) as data:
            image, reference = data["input"], data["logits"]
        check = compare_logits(reference, predictor.infer(image))
        problem = verdict(check, variant)
        if problem:
            raise LogitMismatchError(f"{nb_path}: logits do not match Paddle's ({problem}); not timed")
    else:
        image = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype("float32")
    predictor.set_input(image)
    first_run_ms = predictor.run_ms()
    for _ in range(warmup):
        predictor.run_ms()
    cpus_used = set()
    samples = []
    snapshot = thread_cpu_ticks()
    for _ in range(repeats):
        samples.append(predictor.run_ms())
        latest = thread_cpu_ticks()
        cpus_used |= cpus_that_worked(snapshot, latest)
        snapshot = latest
    output = predictor.output()
    summary = latency_stats(samples)
    return {
        "model": str(nb_path), "threads": threads, "power_mode": "no_bind", "warmup": warmup,
        "repeats": repeats, "input_shape": list(image.shape), "init_ms": predictor.init_ms,
        "first_run_ms": first_run_ms, "samples_ms": samples,
        **{k: summary[k] for k in ("min_ms", "max_ms", "mean_ms", "median_ms", "std_ms", "p90_ms")},
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "cpus_used": sorted(cpus_used), "cpus_allowed": cpus, "math_threads": predictor.math_threads,
        "output_shape": list(output.shape), "output_checksum": float(output.sum()),
        "top5": [int(i) for i in np.argsort(-output.ravel())[:5]], "logit_check": check,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("nb_path")
    parser.add_argument("--threads", type=int, default=1, help="math threads and CPUs (default: 1)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs (default: 20)")
    parser.add_argument("--repeats", type=int, default=100, help="timed runs (default: 100)")
    parser.add_argument("--reference", help="reference_io.npz: check logits before timing")
    parser.add_argument("--variant", default="fp32", help="fp32/int8/...: the logit tolerance")
    args = parser.parse_args(argv)
    try:
        print(json.dumps(bench(args.nb_path, args.threads, args.warmup, args.repeats,
                               args.reference, args.variant)))
    except ToolkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
