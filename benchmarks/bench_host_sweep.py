#!/usr/bin/env python3
"""Figures for the host benchmark's goals; prints them, never fails on a missed goal.

1. Stability: three back-to-back sweeps of MobileNetV1 at 1 thread (default warm-up and repeats);
   the spread of their medians and p90s (goal: within 3%) and each cell's CV.
2. The main job from nothing: convert every model into a scratch folder, then sweep 1,2,4 threads
   with the default repeats (goal: within 5 minutes).
Run from the repo root inside the venv: python benchmarks/bench_host_sweep.py
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from lite.bench.estimators import round_spread as spread
    from lite.bench.results import load_results
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

REPO = Path(__file__).resolve().parent.parent
STABILITY_GOAL = 0.03
MAIN_GOAL_S = 300.0


def run(*args):
    """Run a command; exit status 4 (unstable cells, marked in the tables) is a result here, not a failure."""
    done = subprocess.run([sys.executable, *map(str, args)], cwd=REPO, stdout=subprocess.DEVNULL)
    if done.returncode not in (0, 4):
        sys.exit(f"error: {' '.join(map(str, args))} exited {done.returncode}")


def stability(models_dir, scratch):
    medians, p90s = [], []
    for attempt in range(1, 4):
        results = Path(scratch) / f"stability{attempt}"
        run("bench_scripts/run_host.py", "--models", "MobileNetV1", "--threads", "1", "--models-dir", models_dir,
            "--results", results)
        stats = load_results(results / "host").results[0].stats
        medians.append(stats["median_ms"])
        p90s.append(stats["p90_ms"])
        print(f"  sweep {attempt}: median {stats['median_ms']:.2f} ms, p90 {stats['p90_ms']:.2f} ms, "
              f"CV {100 * stats['cv']:.1f}%", flush=True)
    for label, values in (("medians", medians), ("p90s", p90s)):
        verdict = "meets" if spread(values) <= STABILITY_GOAL else "MISSES"
        print(f"stability of {label}: spread {100 * spread(values):.2f}% ({verdict} the 3% goal)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-main", action="store_true", help="only the stability figure")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        models = Path(scratch) / "models"
        started = time.monotonic()
        print("main job from nothing: converting every model ...", flush=True)
        run("lite/opt_models.py", "--all", "--models-dir", models, "--results", Path(scratch) / "r0")
        converted_s = time.monotonic() - started
        if not args.skip_main:
            print("main job from nothing: sweeping 1,2,4 threads with default repeats ...", flush=True)
            run("bench_scripts/run_host.py", "--threads", "1,2,4", "--models-dir", models,
                "--results", Path(scratch) / "r0")
            total_s = time.monotonic() - started
            verdict = "meets" if total_s <= MAIN_GOAL_S else "MISSES"
            print(f"main job: convert {converted_s:.0f} s + sweep {total_s - converted_s:.0f} s = {total_s:.0f} s "
                  f"({verdict} the {MAIN_GOAL_S:.0f} s goal)")
        print("stability: three back-to-back sweeps of MobileNetV1 at 1 thread", flush=True)
        stability(models, scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
