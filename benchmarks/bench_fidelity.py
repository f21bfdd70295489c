#!/usr/bin/env python3
"""Can the host sweep's numbers be believed? Prints the figures; never fails on a missed goal.

Three back-to-back sweeps (`run_host.py`, default options) of MobileNetV1 and MobileNetV1_ssld (the
same network with other weights) at 1 thread, first on an idle machine, then beside a CPU-bound process
this script starts on the benchmark's own core (bounded in time, stopped at the end).

Goals, per condition: the three sweeps' medians agree within 3% and the two networks agree within 3%,
or the cells concerned are flagged unstable (zero unflagged cells outside 3%). Also the toolkit's
overhead in a sweep: wall time (measured around the command) less warm-up, timed runs and cooldowns,
as a share of the wall time (goal: at most 5% with the default options).

Run from the repo root inside the venv: python benchmarks/bench_fidelity.py
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from lite.bench.results import load_results
    from lite.bench.stability import limits_of, unstable_cells
    from lite.bench.stats import cell_stats, spread
    from lite.models.registry import family
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

REPO = Path(__file__).resolve().parent.parent
MODELS = ("MobileNetV1", "MobileNetV1_ssld")
GOAL_SPREAD = 0.03
GOAL_OVERHEAD = 0.05
HOG_LIMIT_S = 3600  # the competing process ends by itself after this, whatever happens here


def measured_s(result):
    """Seconds of warm-up, first run and timed runs in a cell's result file, every attempt included."""
    rounds = [r.as_dict() for r in result.rounds] + [r for a in result.earlier_attempts for r in a.get("rounds", [])]
    return sum(sum(m.get("samples_ms") or ()) + sum(m.get("warmup_samples_ms") or ()) + (m.get("first_run_ms") or 0)
               for m in (r.get("measurement") or {} for r in rounds)) / 1000


def sweep(models_dir, results_dir, extra):
    """One default sweep; (wall s, exit status, results, {cell id: reasons})."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "bench_scripts/run_host.py", "--models", ",".join(MODELS), "--threads", "1",
                           "--models-dir", str(models_dir), "--results", str(results_dir), *extra],
                          cwd=REPO, capture_output=True, text=True)
    wall_s = time.monotonic() - started
    if done.returncode not in (0, 4):
        sys.exit(f"error: run_host.py exited {done.returncode}: {done.stderr.strip()[-400:]}")
    results = load_results(Path(results_dir) / "host").results
    flagged = unstable_cells(list(results), family().same_architecture(), limits_of(results))
    return wall_s, done.returncode, results, flagged


def start_hog(cpu):
    code = (f"import os, time\nos.sched_setaffinity(0, {{{cpu}}})\nend = time.time() + {HOG_LIMIT_S}\n"
            "while time.time() < end: pass\n")
    return subprocess.Popen([sys.executable, "-c", code])


def condition(name, models_dir, scratch, extra):
    print(f"\n== {name}: three back-to-back sweeps of {' and '.join(MODELS)} at 1 thread", flush=True)
    medians, flags, overheads, walls = {m: [] for m in MODELS}, [], [], []
    for number in range(1, 4):
        wall_s, status, results, flagged = sweep(models_dir, Path(scratch) / f"{name}{number}", extra)
        busy_s = sum(measured_s(r) for r in results)
        overheads.append((wall_s - busy_s) / wall_s)
        walls.append(wall_s)
        by_model = {r.cell.model: r for r in results if r.ok}
        parts = []
        for model in MODELS:
            stats = cell_stats(by_model[model])
            medians[model].append(stats["median_ms"])
            mark = " UNSTABLE" if f"{model}__fp32__t1" in flagged else ""
            parts.append(f"{model} {stats['median_ms']:.2f} ms (rounds ±{100 * stats['round_spread']:.1f}%, "
                         f"CV {100 * stats['cv']:.1f}%){mark}")
        flags.append({model for model in MODELS if f"{model}__fp32__t1" in flagged})
        print(f"  sweep {number}: " + "; ".join(parts) + f"; wall {wall_s:.1f} s, measuring {busy_s:.1f} s, "
              f"overhead {100 * overheads[-1]:.1f}%, exit {status}", flush=True)
        for key, reasons in sorted(flagged.items()):
            print(f"    flagged {key}: {'; '.join(reasons)}")
    unflagged_outside = 0
    for model in MODELS:
        values = medians[model]
        ever_flagged = any(model in f for f in flags)
        outside = spread(values) > GOAL_SPREAD
        unflagged_outside += outside and not ever_flagged
        print(f"  {model}: medians {' / '.join(f'{v:.2f}' for v in values)} ms, spread {100 * spread(values):.2f}% "
              f"({'within' if not outside else 'OUTSIDE'} 3%{', flagged' if ever_flagged else ''})")
    for number in range(3):
        pair = [medians[m][number] for m in MODELS]
        outside = spread(pair) > GOAL_SPREAD
        both_flagged = set(MODELS) <= flags[number]
        unflagged_outside += outside and not both_flagged
        print(f"  sweep {number + 1}: {MODELS[1]} / {MODELS[0]} = {pair[1] / pair[0]:.3f} "
              f"({'within' if not outside else 'OUTSIDE'} 3%{', flagged' if both_flagged else ''})")
    share = sum(len(f) for f in flags) / (3 * len(MODELS))
    verdict = "meets" if unflagged_outside == 0 else "MISSES"
    print(f"  cells flagged: {100 * share:.0f}%; unflagged figures outside 3%: {unflagged_outside} "
          f"({verdict} the goal)")
    print(f"  overhead per sweep: {', '.join(f'{100 * o:.1f}%' for o in overheads)} "
          f"({'meets' if max(overheads) <= GOAL_OVERHEAD else 'MISSES'} the 5% goal); wall {sum(walls):.0f} s")
    return overheads


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", default=None,
                        help="converted models to use (default: convert the two models into a scratch folder)")
    parser.add_argument("--skip-busy", action="store_true", help="only the idle condition")
    parser.add_argument("--extra", default="", help="options added to every run_host.py call (default: none)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        models_dir = args.models_dir
        if models_dir is None:
            models_dir = Path(scratch) / "models"
            print("converting MobileNetV1 and MobileNetV1_ssld for x86 ...", flush=True)
            subprocess.run([sys.executable, "lite/opt_models.py", "--models", ",".join(MODELS), "--targets", "x86",
                            "--models-dir", str(models_dir), "--results", str(Path(scratch) / "r0")], cwd=REPO,
                            check=True,
                           stdout=subprocess.DEVNULL)
        extra = args.extra.split()
        condition("idle", models_dir, scratch, extra)
        if not args.skip_busy:
            cpu = sorted(os.sched_getaffinity(0))[0]  # the CPU a 1-thread cell is pinned to
            hog = start_hog(cpu)
            print(f"\n(a CPU-bound process, pid {hog.pid}, now spins on CPU {cpu}: the 1-thread cells' own core)")
            try:
                condition("busy", models_dir, scratch, extra)
            finally:
                hog.kill()
                hog.wait()
    print(f"\nwall time of this script: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
