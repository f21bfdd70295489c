#!/usr/bin/env python3
"""The deployment paths side by side on this host: Paddle Lite, Paddle Inference (oneDNN off and on) and ONNX
Runtime, for MobileNetV1 and MobileNetV1_x0_25 at 1 and 2 threads, measured in one interleaved run.

Prints each engine's figure (the host's estimator) and its ratio to Paddle Lite with the 95% interval; never
fails on a figure. x86 engines of this host: never a phone's figure. Run from the repo root inside the venv:
python benchmarks/bench_engines.py [--models-dir DIR]
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from lite.bench.compare import compare_engines
    from lite.bench.estimators import estimator_of
    from lite.bench.results import load_results
    from lite.models.engines import ENGINES
    from lite.models.registry import family
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

REPO = Path(__file__).resolve().parent.parent
MODELS = "MobileNetV1_x0_25,MobileNetV1"


def run(*args):
    done = subprocess.run([sys.executable, *map(str, args)], cwd=REPO, capture_output=True, text=True)
    if done.returncode not in (0, 4):
        sys.exit(f"error: {args[0]} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return done


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", default=None, help="converted models (default: convert into a scratch folder)")
    parser.add_argument("--rounds", default="3", help="rounds of the sweep (default: 3)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        models = Path(args.models_dir or Path(scratch) / "models")
        print(f"converting {MODELS} for x86 and onnx into {models} (kept where up to date) ...", flush=True)
        run("lite/opt_models.py", "--models", MODELS, "--targets", "x86,onnx", "--models-dir", models,
            "--results", Path(scratch) / "r0")
        print(f"one interleaved sweep of {MODELS} x 1,2 threads x {', '.join(ENGINES)} ...", flush=True)
        swept = time.monotonic()
        run("bench_scripts/run_host.py", "--models", MODELS, "--threads", "1,2", "--engines", ",".join(ENGINES),
            "--rounds", args.rounds, "--models-dir", models, "--results", Path(scratch) / "r")
        results = load_results(Path(scratch) / "r" / "host").results
        estimator = estimator_of(results)
        figures = {(r.cell.model, r.cell.threads, r.cell.engine): estimator(r.rounds_ms) for r in results if r.ok}
        ratios = {(c.cell.split("__")[0], int(c.cell.split("__t")[1].split("__")[0]), c.cell.rsplit("__", 1)[1]): c
                  for c in compare_engines(results, family().same_architecture())}
        print(f"\nswept in {time.monotonic() - swept:.0f} s; figures: {estimator.name} ms; ratio to paddle-lite "
              f"with its 95% interval; [u]: unstable in either cell\n")
        print("| model | threads | engine | ms | ratio to paddle-lite |\n| --- | ---: | --- | ---: | ---: |")
        for model in MODELS.split(","):
            for threads in (1, 2):
                for engine in ENGINES:
                    ms = figures.get((model, threads, engine))
                    c = ratios.get((model, threads, engine))
                    ratio = ("1" if engine == "paddle-lite" else
                             f"{c.ratio:.2f} ({c.low:.2f}-{c.high:.2f}){' [u]' if c.unstable else ''}" if c else "–")
                    print(f"| {model} | {threads} | {engine} | {'–' if ms is None else f'{ms:.2f}'} | {ratio} |")
    print(f"\nwall time of this script: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
