"""Benchmark the converted x86 models on this host with the real Paddle Lite runtime.

Each cell (model x variant x threads) runs in --rounds interleaved rounds, each round in a fresh
process (the first checks the model's logits against Paddle's), timing warm-up and repeated runs.
Unstable cells (rounds apart, high CV, other work on the CPUs, twins of one network apart) are
re-measured, then marked. Results go to RESULTS/host/raw/*.json, and latency.csv, latency.md and
plots are rebuilt from them.

Exit status: 0 all cells measured and stable, 1 some cells failed, 2 bad input, 3 the device went
away, 4 some cells still unstable (marked in the tables).
"""
import argparse
import sys
import time
from pathlib import Path

from lite.bench.host_runner import HostRunner
from lite.bench.plan import plan_cells
from lite.bench.sweep import run_sweep
from lite.cli.args import OneLineParser, add_sweep_arguments, stability_options
from lite.util.edge import run_edge
from lite.cli.summary import print_summary
from lite.models.store import ModelStore
from lite.report.writer import write_reports
from lite.util.files import ensure_writable_dir


def parse_args(argv):
    parser = OneLineParser(prog="python bench_scripts/run_host.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sweep_arguments(parser, warmup=20, repeats=100, cooldown_s=0.0, power_mode="no_bind")
    parser.add_argument("--results", default="results", help="results root; this host writes RESULTS/host (default: results)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_edge(lambda: sweep_host(args), lost_hint="finished cells are kept, rerun with --resume")


def sweep_host(args):
    started = time.monotonic()
    cells = plan_cells(ModelStore(args.models_dir), args.models, args.variants, args.threads, "x86",
                       power_mode=args.power_mode, warmup=args.warmup, repeats=args.repeats, with_reference=True)
    result_dir = ensure_writable_dir(Path(args.results) / "host")
    ensure_writable_dir(result_dir / "raw")
    print(f"benchmarking {len(cells)} cells on this host (warm-up {args.warmup}, repeats {args.repeats})")
    runner = HostRunner(args.cell_timeout)
    try:
        summary = run_sweep(cells, runner, result_dir, resume=args.resume, cooldown_s=args.cooldown,
                            max_temp_c=args.max_temp, max_temp_wait_s=args.max_temp_wait, **stability_options(args))
    finally:
        runner.close()
    paths, problems = write_reports(result_dir)
    return print_summary(result_dir, paths, problems, summary, started)


if __name__ == "__main__":
    sys.exit(main())
