"""What the sweep commands print at their end, and their exit status."""
import sys
import time
from pathlib import Path

from lite.bench.parallel import FINISHED
from lite.jobs.many_devices import many_devices_status, place_summary
from lite.util.edge import EXIT_DEVICE_LOST, EXIT_FAILED_CELLS, EXIT_UNREADABLE_RESULTS, EXIT_UNSTABLE


def print_problems(problems):
    """One line per result file that could not be loaded; True if there was any."""
    for problem in problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    if problems:
        print(f"error: {len(problems)} result file(s) could not be read; the tables leave them out", file=sys.stderr)
    return bool(problems)


def unstable_block(unstable, total_cells, tables):
    """The warning a run that did its job ends with when cells stayed unstable (pure): which cells and why,
    what would make them stable, and that the tables mark them. `unstable`: {cell id: reasons}."""
    lines = [f"warning: {len(unstable)} of {total_cells} cell(s) stayed unstable after re-measuring; every table "
             f"marks them [n] with the reason, so no unstable figure reads as a trusted one:"]
    lines += [f"  {key}: {'; '.join(reasons)}" for key, reasons in sorted(unstable.items())]
    lines += ["  to make them stable: measure on a quieter machine (close other programs; on a VM the neighbours "
              "count too), allow more rounds to the loose ones (--max-rounds 10), or set the limits (--max-spread 5, "
              "--max-cv, --max-other-cores; 'off' turns one off; docs/host.md has what this VM allows)",
              "  the tables are written: " + ", ".join(str(t) for t in tables)]
    return lines


def print_summary(outcome, started_monotonic, unstable_is_a_warning=False):
    """The one-device or this-host sweep's end (a SweepOutcome); its exit status. With
    `unstable_is_a_warning` (the main job) unstable cells end in a warning block and status 0."""
    summary = outcome.summary
    print()
    print((Path(outcome.result_dir) / "latency.md").read_text())
    retried = f", {summary.retried} re-measured as unstable" if summary.retried else ""
    print(f"{summary.ran} cells run, {summary.skipped} kept, {summary.failed} failed{retried} "
          f"in {time.monotonic() - started_monotonic:.0f} s (rounds shuffled with seed {summary.seed})")
    for key, reasons in sorted(summary.unstable.items()):
        print(f"unstable: {key}: {'; '.join(reasons)}")
    print("wrote " + ", ".join(str(p) for p in outcome.paths))
    if print_problems(outcome.problems):
        return EXIT_UNREADABLE_RESULTS
    if summary.failed:
        return EXIT_FAILED_CELLS
    if summary.unstable and unstable_is_a_warning:
        tables = [Path(outcome.result_dir) / "latency.md"]
        print("\n".join(unstable_block(summary.unstable, summary.ran + summary.skipped, tables)), file=sys.stderr)
        return 0
    if summary.unstable:
        print(f"warning: {len(summary.unstable)} cell(s) still unstable after re-measuring; they are marked in "
              f"every table (exit status {EXIT_UNSTABLE})", file=sys.stderr)
        return EXIT_UNSTABLE
    return 0


def print_many_devices_summary(places, elapsed_s, unstable_is_a_warning=False):
    """The many-device sweep's end: a line per device; its exit status (see print_summary)."""
    print()
    print(f"devices ({elapsed_s:.0f} s):")
    for place in places:
        print("  " + place_summary(place))
    finished = [str(place.outcome.result_dir) for place in places if place.status == FINISHED]
    if len(finished) > 1:
        print("compare them: python bench_scripts/report.py --device-folders " + " ".join(finished))
    status = many_devices_status(places)
    if status == EXIT_DEVICE_LOST:
        unfinished = [place.serial for place in places if place.status != FINISHED]
        print(f"error: {len(unfinished)} of {len(places)} device(s) did not finish: {', '.join(unfinished)} "
              f"(see above); the others' results are complete", file=sys.stderr)
    if status == EXIT_UNSTABLE and unstable_is_a_warning:
        outcomes = [place.outcome for place in places]
        unstable = {f"{o.result_dir.name}/{key}": why for o in outcomes for key, why in o.summary.unstable.items()}
        total = sum(o.summary.ran + o.summary.skipped for o in outcomes)
        print("\n".join(unstable_block(unstable, total, [o.result_dir / "latency.md" for o in outcomes])),
              file=sys.stderr)
        return 0
    return status
