#!/usr/bin/env python3
"""Rebuild latency.csv, latency.md and the plots of a result folder from its raw result files.

Example: python bench_scripts/report.py results/host
"""
import argparse
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lite.errors import ToolkitError  # noqa: E402
from lite.report import write_reports  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python bench_scripts/report.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result_dir", help="a folder with raw/*.json result files, e.g. results/host")
    args = parser.parse_args(argv)
    try:
        paths = write_reports(args.result_dir)
    except ToolkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print((Path(args.result_dir) / "latency.md").read_text())
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
