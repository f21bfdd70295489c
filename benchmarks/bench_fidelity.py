#!/usr/bin/env python3
"""Which estimator makes the host's numbers hold? A/A false alarms, A/B sensitivity, a CPU hog, early stopping.

Prints the figures against their goals; never fails on a missed goal. Every sweep is `run_host.py` with
the stability limits off and no re-measuring, so the raw rounds are kept as measured; every estimator of
lite/bench/estimators.py is then judged on the same samples (`--analyze DIR` judges kept runs again).

- A/A: two sweeps of the same 15 cells (5 models x 1, 2, 4 threads) back to back. Per estimator: cells
  whose bootstrap interval of NEW/OLD excludes 1 (false alarms; goal at most 1 of 15), cells unstable in
  a sweep (the rounds' values more than 3% apart, or the twins MobileNetV1 / MobileNetV1_ssld - one
  network, other weights - more than 3% apart; goal at most 1 of 15), and the twins' largest gap (goal 3%).
- A/B: MobileNetV1 and MobileNetV1_x0_5 at 1 and 2 threads, timed at 1x3x224x224 and at 1x3x230x230.
  Stride-2 convolutions round 230 up (115, 58, 29, 15, 8), so 230 does 14.1% more multiply-accumulates on
  MobileNetV1 and 13.8% on x0_5 (lite.models.counts), not 230^2/224^2 = 5.4%. Goal: every cell called
  slower, with a ratio between 1.02 and 1.25.
- Hog: the 15 cells again beside a CPU-bound process on the 1-thread cells' own core. Goal: every cell
  whose figure moved more than 3% from the A/A's first sweep is flagged.
- Early stopping: with the chosen estimator, each cell stops after the first round k >= --min-rounds whose
  rounds agree within 3%, or at --max-rounds; the A/A and A/B figures again on the rounds each cell used.

Run from the repo root inside the venv: python benchmarks/bench_fidelity.py [--keep DIR]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import numpy as np

    from lite.bench.cells import cell_id
    from lite.bench.compare import ratio_interval
    from lite.bench.estimators import ESTIMATORS, MEASUREMENT_DEFAULTS, precision, round_spread
    from lite.bench.results import load_results
    from lite.bench.stats import latency_stats
    from lite.models.counts import count_model
    from lite.models.registry import get_model
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

REPO = Path(__file__).resolve().parent.parent
ALL_MODELS = ("MobileNetV1_x0_25", "MobileNetV1_x0_5", "MobileNetV1_x0_75", "MobileNetV1", "MobileNetV1_ssld")
AB_MODELS = ("MobileNetV1", "MobileNetV1_x0_5")
TWINS = ("MobileNetV1", "MobileNetV1_ssld")
LIMIT = 0.03
HOG_LIMIT_S = 3600  # the competing process ends by itself after this, whatever happens here
RAW = ("--max-retries", "0", "--max-spread", "off", "--max-cv", "off", "--max-other-cores", "off")


def sweep(models_dir, results, models, threads, rounds, extra=()):
    """run_host.py with the limits off; the folder its results went to."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "bench_scripts/run_host.py", "--models", ",".join(models), "--threads",
                           threads, "--rounds", str(rounds), *RAW, "--models-dir", str(models_dir), "--results",
                           str(results), *extra], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"error: run_host.py exited {done.returncode}: {done.stderr.strip()[-400:]}")
    print(f"  {Path(results).name}: {time.monotonic() - started:.0f} s", flush=True)
    return Path(results) / "host"


def start_hog(cpu):
    code = (f"import os, time\nos.sched_setaffinity(0, {{{cpu}}})\nend = time.time() + {HOG_LIMIT_S}\n"
            "while time.time() < end: pass\n")
    return subprocess.Popen([sys.executable, "-c", code])


def collect(models_dir, keep, rounds):
    print(f"sweeps ({rounds} rounds each, limits off, nothing re-measured) into {keep}", flush=True)
    sweep(models_dir, keep / "aa1", ALL_MODELS, "1,2,4", rounds)
    sweep(models_dir, keep / "aa2", ALL_MODELS, "1,2,4", rounds)
    sweep(models_dir, keep / "ab224", AB_MODELS, "1,2", rounds)
    sweep(models_dir, keep / "ab230", AB_MODELS, "1,2", rounds, ("--input-shape", "1,3,230,230"))
    cpu = sorted(os.sched_getaffinity(0))[0]
    hog = start_hog(cpu)
    try:
        sweep(models_dir, keep / "hog", ALL_MODELS, "1,2,4", min(rounds, 3))
    finally:
        hog.kill()
        hog.wait()


def runs(folder):
    """{cell id: (result, [samples of each round])} of a kept sweep."""
    return {cell_id(r.cell): (r, r.rounds_ms)
            for r in load_results(folder / "host").results if r.ok}


def first(rounds_of, k):
    return {key: (result, rounds[:k]) for key, (result, rounds) in rounds_of.items()}


def early_stopped(rounds_of, estimator, min_rounds, max_rounds):
    """Each cell's rounds up to the first k >= min_rounds whose estimate is precise within LIMIT (else
    max_rounds): what the engine's early stopping does."""
    stopped = {}
    for key, (result, rounds) in rounds_of.items():
        k = next((k for k in range(min_rounds, max_rounds + 1) if precision(rounds[:k], estimator) <= LIMIT),
                 max_rounds)
        stopped[key] = (result, rounds[:k])
    return stopped


def unstable(rounds_of, estimator, criterion="precision"):
    """Cells whose estimate is less precise than LIMIT (or, by `criterion` "range", whose rounds lie more than
    LIMIT apart), or whose twin's figure differs by more."""
    def loose(rounds):
        return (precision(rounds, estimator) if criterion == "precision"
                else round_spread(estimator.rounds(rounds))) > LIMIT
    found = {key for key, (_, rounds) in rounds_of.items() if loose(rounds)}
    for key in rounds_of:
        if key.startswith(TWINS[0] + "__"):
            twin = TWINS[1] + key[len(TWINS[0]):]
            if twin in rounds_of and abs(twin_ratio(rounds_of, key, twin, estimator) - 1) > LIMIT:
                found |= {key, twin}
    return found


def twin_ratio(rounds_of, key, twin, estimator):
    return estimator(rounds_of[twin][1]) / estimator(rounds_of[key][1])


def twin_gap(rounds_of, estimator):
    pairs = [(key, TWINS[1] + key[len(TWINS[0]):]) for key in rounds_of if key.startswith(TWINS[0] + "__")]
    return max(abs(twin_ratio(rounds_of, key, twin, estimator) - 1) for key, twin in pairs if twin in rounds_of)


def calls(old, new, estimator):
    """{cell: (ratio, low, high)} of NEW / OLD with the estimator's bootstrap interval."""
    return {key: ratio_interval(old[key][1], new[key][1], estimator) for key in sorted(old.keys() & new.keys())}


def judge(estimator, aa1, aa2, ab224, ab230):
    """The experiment's figures for one estimator on the given rounds."""
    aa = calls(aa1, aa2, estimator)
    ab = calls(ab224, ab230, estimator)
    return {"false_alarms": sum(1 for _, low, high in aa.values() if low > 1 or high < 1), "cells": len(aa),
            "unstable": (len(unstable(aa1, estimator)), len(unstable(aa2, estimator))),
            "unstable_range": (len(unstable(aa1, estimator, "range")), len(unstable(aa2, estimator, "range"))),
            "twin_gap": max(twin_gap(aa1, estimator), twin_gap(aa2, estimator)),
            "ab_slower": sum(1 for _, low, _ in ab.values() if low > 1), "ab_cells": len(ab),
            "ab_ratios": [ratio for ratio, _, _ in ab.values()],
            "aa_width": float(np.median([high - low for _, low, high in aa.values()]))}


def cv_flags(rounds_of):
    return sum(1 for _, rounds in rounds_of.values() if latency_stats(np.concatenate(rounds))["cv"] > 0.15)


def line(name, figures):
    ratios = figures["ab_ratios"]
    return (f"| {name} | {figures['false_alarms']}/{figures['cells']} | {figures['unstable'][0]} / "
            f"{figures['unstable'][1]} | {figures['unstable_range'][0]} / {figures['unstable_range'][1]} "
            f"| {100 * figures['twin_gap']:.1f}% | {figures['ab_slower']}/"
            f"{figures['ab_cells']} | {min(ratios):.3f}-{max(ratios):.3f} | {100 * figures['aa_width']:.1f}% |")


HEADER = ("| estimator | A/A called different | A/A unstable: interval wider than ±3% (sweep 1 / 2) | A/A unstable: "
          "rounds more than 3% apart | twins' largest gap | A/B called slower | A/B ratios | A/A interval width "
          "(median) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")


def analyze(keep, rounds, min_rounds):
    aa1, aa2, ab224, ab230 = (runs(keep / name) for name in ("aa1", "aa2", "ab224", "ab230"))
    kept = min(len(r) for rounds_of in (aa1, aa2, ab224, ab230) for _, r in rounds_of.values())
    macs = {name: count_model(get_model(name).scale, 230, 1000).macs_g / count_model(get_model(name).scale, 224,
                                                                                      1000).macs_g
            for name in AB_MODELS}
    print("\nA/B: multiply-accumulates at 230 / at 224: " + ", ".join(f"{n} {r:.3f}" for n, r in macs.items()))
    print(f"CV above 15% (a limit no estimator changes): A/A sweep 1 {cv_flags(aa1)}, sweep 2 {cv_flags(aa2)} of "
          f"{len(aa1)} cells")
    results = {}
    for k in sorted({rounds, kept}):
        print(f"\n### The first {k} rounds of each cell\n\n{HEADER}")
        for name, estimator in ESTIMATORS.items():
            figures = judge(estimator, *(first(r, k) for r in (aa1, aa2, ab224, ab230)))
            results[(k, name)] = figures
            print(line(name, figures))
    header = HEADER.replace("| A/A interval width", "| rounds used (mean) | A/A interval width") + " ---: |"
    print(f"\n### Early stopping: at least {min_rounds} rounds, stop when the estimate is within ±3%, at most "
          f"{kept}\n\n{header}")
    for name, estimator in ESTIMATORS.items():
        stopped = [early_stopped(r, estimator, min_rounds, kept) for r in (aa1, aa2, ab224, ab230)]
        used = np.mean([len(rounds) for rounds_of in stopped for _, rounds in rounds_of.values()])
        figures = judge(estimator, *stopped)
        print(line(name, figures).replace(f" {100 * figures['aa_width']:.1f}% |",
                                          f" {used:.2f} | {100 * figures['aa_width']:.1f}% |"))
    defaults = MEASUREMENT_DEFAULTS["host"]
    chosen = ESTIMATORS[defaults.estimator]
    stopped = [early_stopped(r, chosen, defaults.rounds, min(defaults.max_rounds, kept))
               for r in (aa1, aa2, ab224, ab230)]
    figures = judge(chosen, *stopped)
    print(f"\n### The host's defaults against the goals ({chosen.name}, {defaults.rounds} to {defaults.max_rounds} "
          f"rounds, figure within ±3%)\n")
    goals = [("A/A cells called different", f"{figures['false_alarms']} of {figures['cells']}",
              figures["false_alarms"] <= 1, "at most 1"),
             ("A/A cells unstable per sweep", " / ".join(map(str, figures["unstable"])),
              max(figures["unstable"]) <= 1, "at most 1"),
             ("twins' largest gap", f"{100 * figures['twin_gap']:.1f}%", figures["twin_gap"] <= LIMIT, "3%"),
             ("A/B cells called slower", f"{figures['ab_slower']} of {figures['ab_cells']}",
              figures["ab_slower"] == figures["ab_cells"], "all"),
             ("A/B ratios", f"{min(figures['ab_ratios']):.3f}-{max(figures['ab_ratios']):.3f}",
              1.02 <= min(figures["ab_ratios"]) and max(figures["ab_ratios"]) <= 1.25, "1.02-1.25")]
    for what, value, met, goal in goals:
        print(f"- {what}: {value} ({'meets' if met else 'MISSES'} the goal: {goal})")
    hog_folder = keep / "hog"
    if (hog_folder / "host").is_dir():
        hogged = {r.cell: r for r in load_results(hog_folder / "host").results if r.ok}
        print("\n### Beside a CPU hog on the 1-thread cells' core (flag: other work above 0.25 core in a round, "
              "or the estimate less precise than ±3%)\n")
        for name, estimator in ESTIMATORS.items():
            moved = unflagged = 0
            for result in hogged.values():
                key = cell_id(result.cell)
                rounds = result.rounds_ms
                shift = estimator(rounds) / estimator(aa1[key][1]) - 1
                other = max((m.interference.get("other_cores") or 0) for m in result.rounds)
                flagged = other > 0.25 or precision(rounds, estimator) > LIMIT
                moved += abs(shift) > LIMIT
                unflagged += abs(shift) > LIMIT and not flagged
            print(f"- {name}: {moved} of {len(hogged)} cells moved more than 3%; unflagged among them: {unflagged} "
                  f"({'meets' if unflagged == 0 else 'MISSES'} the goal)")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", default=None,
                        help="converted x86 models (default: convert the five into a scratch folder)")
    parser.add_argument("--keep", default=None, help="keep the sweeps here (default: a scratch folder)")
    parser.add_argument("--analyze", default=None, metavar="DIR", help="judge the sweeps kept in DIR; run nothing")
    parser.add_argument("--rounds", type=int, default=6, help="rounds per sweep (default: 6)")
    parser.add_argument("--min-rounds", type=int, default=2, help="early stopping's minimum (default: 2)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.analyze:
        analyze(Path(args.analyze), min(3, args.rounds), args.min_rounds)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        keep = Path(args.keep or Path(scratch) / "runs")
        models_dir = args.models_dir
        if models_dir is None:
            models_dir = Path(scratch) / "models"
            print("converting the five models for x86 ...", flush=True)
            subprocess.run([sys.executable, "lite/opt_models.py", "--all", "--targets", "x86", "--models-dir",
                            str(models_dir), "--results", str(Path(scratch) / "r0")], cwd=REPO, check=True,
                           stdout=subprocess.DEVNULL)
        collect(models_dir, keep, args.rounds)
        analyze(keep, min(3, args.rounds), args.min_rounds)
    print(f"\nwall time of this script: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
