#!/usr/bin/env python3
"""Rebuild latency.csv, latency.md and the plots of a result folder from its raw result files.

Example: python bench_scripts/report.py results/host
"""
import argparse
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lite.cli_edge import run_edge  # noqa: E402
from lite.report import write_reports  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python bench_scripts/report.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result_dir", help="a folder with raw/*.json result files, e.g. results/host")
    args = parser.parse_args(argv)
    return run_edge(lambda: rebuild(args.result_dir))


def rebuild(result_dir):
    paths = write_reports(result_dir)
    print((Path(result_dir) / "latency.md").read_text())
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
