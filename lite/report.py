"""Write every table and plot of a result folder from its result files alone."""
import tempfile
import time
from pathlib import Path

from lite.errors import ToolkitError
from lite.files import atomic_write_bytes, atomic_write_text
from lite.latency_report import latency_rows, thread_counts, to_csv, to_markdown
from lite.plots import write_plots
from lite.result_files import RAW_DIR, load_results


def print_summary(result_dir, paths, summary, started_monotonic):
    """What a sweep command prints at its end; its exit status (1 when a cell failed)."""
    print()
    print((Path(result_dir) / "latency.md").read_text())
    print(f"{summary.ran} cells run, {summary.skipped} kept, {summary.failed} failed "
          f"in {time.monotonic() - started_monotonic:.0f} s")
    print("wrote " + ", ".join(str(p) for p in paths))
    return 1 if summary.failed else 0


def write_reports(result_dir):
    """(latency.csv, latency.md, plots...) written into `result_dir`; raises if it has no results."""
    result_dir = Path(result_dir)
    results = load_results(result_dir)
    if not results:
        raise ToolkitError(f"no result files in {result_dir / RAW_DIR}; run a benchmark first "
                           f"(python bench_scripts/run_host.py or run_sd855.py)")
    machine = max(results, key=lambda r: r.get("finished_at", ""))["machine"]
    rows = latency_rows(results)
    threads = thread_counts(results)
    atomic_write_text(result_dir / "latency.csv", to_csv(rows, threads, machine))
    atomic_write_text(result_dir / "latency.md", to_markdown(rows, threads, machine, results))
    with tempfile.TemporaryDirectory() as scratch:  # draw elsewhere, then move each in whole
        drawn = write_plots(rows, machine, Path(scratch))
        plots = []
        for path in drawn:
            atomic_write_bytes(result_dir / path.name, path.read_bytes())
            plots.append(result_dir / path.name)
    return [result_dir / "latency.csv", result_dir / "latency.md", *plots]
