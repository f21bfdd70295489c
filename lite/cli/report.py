"""Rebuild latency.csv, latency.md and the plots of a result folder from its raw result files.

Files that cannot be read (truncated, another schema, missing fields) are named on stderr, left
out of the tables, and make the exit status 2.

With --compare OLD NEW, two runs are set side by side instead: per cell the ratio of medians NEW/OLD
with a 95% bootstrap interval, and faster / slower / no significant difference (like pyperf compare_to).
Examples: python bench_scripts/report.py results/host
          python bench_scripts/report.py --compare results/before results/after
"""
import argparse
import sys
from pathlib import Path

from lite.util.edge import EXIT_BAD_INPUT, run_edge
from lite.cli.summary import print_problems
from lite.bench.compare import compare_runs, to_text
from lite.bench.results import load_results
from lite.errors import ToolkitError
from lite.models.registry import family
from lite.report.writer import write_reports


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python bench_scripts/report.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result_dir", nargs="?", help="a folder with raw/*.json result files, e.g. results/host")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), help="compare two result folders")
    args = parser.parse_args(argv)
    if bool(args.result_dir) == bool(args.compare):
        parser.error("give a result folder, or --compare OLD NEW")
    if args.compare:
        return run_edge(lambda: compare(*args.compare))
    return run_edge(lambda: rebuild(args.result_dir))


def compare(old_dir, new_dir):
    loaded = [load_results(folder) for folder in (old_dir, new_dir)]
    for folder in (old_dir, new_dir):
        if not (Path(folder) / "raw").is_dir():
            raise ToolkitError(f"{folder} holds no raw/ folder of result files")
    unreadable = print_problems([p for one in loaded for p in one.problems])
    rows, unmatched = compare_runs(loaded[0].results, loaded[1].results, family().same_architecture())
    if not rows:
        raise ToolkitError(f"{old_dir} and {new_dir} have no measured cell in common")
    print(to_text(rows, unmatched, str(old_dir), str(new_dir)), end="")
    return EXIT_BAD_INPUT if unreadable else 0


def rebuild(result_dir):
    paths, problems = write_reports(result_dir)
    print((Path(result_dir) / "latency.md").read_text())
    print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_BAD_INPUT if print_problems(problems) else 0


if __name__ == "__main__":
    sys.exit(main())
