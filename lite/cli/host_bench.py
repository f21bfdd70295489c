"""Benchmark the converted x86 models on this host with the real Paddle Lite runtime.

Each cell (model x variant x threads) runs in --rounds interleaved rounds, each round in a fresh
process (the first checks the model's logits against Paddle's), timing warm-up and repeated runs.
Unstable cells (rounds apart, high CV, other work on the CPUs, twins of one network apart) are
re-measured, then marked. Results go to RESULTS/host/raw/*.json, and latency.csv, latency.md and
plots are rebuilt from them.

Exit status: 0 all cells measured and stable, 1 some cells failed, 2 bad input, 4 some cells still
unstable (marked in the tables).

Example: python bench_scripts/run_host.py --threads 1,2,4 --rounds 5
"""
import argparse
import sys
import time
from dataclasses import replace

from lite.cli.args import OneLineParser, add_sweep_arguments, comma_list, sweep_options
from lite.cli.summary import print_summary
from lite.jobs.host_sweep import sweep_this_host
from lite.models.engines import DEFAULT_ENGINE, ENGINES
from lite.util.edge import run_edge
from lite.util.progress import progress


def parse_args(argv, prog="python bench_scripts/run_host.py"):
    parser = OneLineParser(prog=prog, description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sweep_arguments(parser, warmup=20, repeats=100, cooldown_s=0.0, power_mode=None, kind="host")
    parser.add_argument("--engines", type=comma_list(ENGINES, "engine"), default=[DEFAULT_ENGINE],
                        help="comma-separated engines, each running this host's FP32 model in its own format and "
                             "cell process: paddle-lite (the x86 .nb), paddle-inference and paddle-inference-mkldnn "
                             "(the Paddle export on Paddle Inference, oneDNN off / on), onnxruntime (the .onnx of "
                             "`mnv1 convert --targets onnx`) (default: paddle-lite)")
    parser.add_argument("--results", default="results",
                        help="results root; this host writes RESULTS/host (default: results)")
    return parser.parse_args(argv)


def main(argv=None, prog=None, unstable_is_a_warning=False):
    """The command's exit status; `unstable_is_a_warning`: the main job's (unstable cells end in a warning
    block and status 0, where this command alone exits 4 for its callers to parse)."""
    args = parse_args(argv, **({"prog": prog} if prog else {}))
    sweep, started = replace(sweep_options(args), engines=tuple(args.engines)), time.monotonic()
    def job():
        with progress("cell") as shown:
            outcome = sweep_this_host(sweep, say=shown.say, on_progress=lambda done, total: shown.update(
                done, total, "host sweep"))
        return print_summary(outcome, started, unstable_is_a_warning)
    return run_edge(job, lost_hint="finished cells are kept, rerun with --resume")


if __name__ == "__main__":
    sys.exit(main())
