#!/usr/bin/env python3
"""Wall time of `lite/opt_models.py --all`: once from nothing, once with nothing changed.

Goals on a 2-core machine: under 120 s from nothing, under 10 s when everything is up to date.
Prints the figures; it does not fail on a missed goal (timings belong in a report, not a test).
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOALS_S = {"from nothing": 120.0, "nothing changed": 10.0}


def timed_run(models_dir, results_dir):
    started = time.monotonic()
    subprocess.run([sys.executable, str(REPO / "lite" / "opt_models.py"), "--all", "--models-dir", str(models_dir),
                    "--results", str(results_dir)], check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    return time.monotonic() - started


def main(argv=None):
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        models, results = Path(scratch) / "models", Path(scratch) / "results"
        for label in GOALS_S:
            print(f"opt_models --all, {label}: running ...", flush=True)
            seconds = timed_run(models, results)
            verdict = "meets" if seconds < GOALS_S[label] else "MISSES"
            print(f"opt_models --all, {label}: {seconds:.1f} s ({verdict} the goal of {GOALS_S[label]:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
