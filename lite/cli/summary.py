"""What the sweep commands print at their end, and their exit status."""
import sys
import time
from pathlib import Path

from lite.util.edge import EXIT_BAD_INPUT, EXIT_FAILED_CELLS, EXIT_UNSTABLE


def print_problems(problems):
    """One line per result file that could not be loaded; True if there was any."""
    for problem in problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    if problems:
        print(f"error: {len(problems)} result file(s) could not be read; the tables leave them out", file=sys.stderr)
    return bool(problems)


def print_summary(result_dir, paths, problems, summary, started_monotonic):
    print()
    print((Path(result_dir) / "latency.md").read_text())
    retried = f", {summary.retried} re-measured as unstable" if summary.retried else ""
    print(f"{summary.ran} cells run, {summary.skipped} kept, {summary.failed} failed{retried} "
          f"in {time.monotonic() - started_monotonic:.0f} s (rounds shuffled with seed {summary.seed})")
    for key, reasons in sorted(summary.unstable.items()):
        print(f"unstable: {key}: {'; '.join(reasons)}")
    print("wrote " + ", ".join(str(p) for p in paths))
    if print_problems(problems):
        return EXIT_BAD_INPUT
    if summary.failed:
        return EXIT_FAILED_CELLS
    if summary.unstable:
        print(f"warning: {len(summary.unstable)} cell(s) still unstable after re-measuring; they are marked in "
              f"every table (exit status {EXIT_UNSTABLE})", file=sys.stderr)
        return EXIT_UNSTABLE
    return 0
