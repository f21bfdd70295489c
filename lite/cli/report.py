"""Rebuild latency.csv, latency.md and the plots of a result folder from its raw result files.

Files that cannot be read (truncated, another schema, missing fields) are named on stderr, left
out of the tables, and make the exit status 2.
Example: python bench_scripts/report.py results/host
"""
import argparse
import sys
from pathlib import Path

from lite.util.edge import EXIT_BAD_INPUT, run_edge
from lite.cli.summary import print_problems
from lite.report.writer import write_reports


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python bench_scripts/report.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result_dir", help="a folder with raw/*.json result files, e.g. results/host")
    args = parser.parse_args(argv)
    return run_edge(lambda: rebuild(args.result_dir))


def rebuild(result_dir):
    paths, problems = write_reports(result_dir)
    print((Path(result_dir) / "latency.md").read_text())
    print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_BAD_INPUT if print_problems(problems) else 0


if __name__ == "__main__":
    sys.exit(main())
