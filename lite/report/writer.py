"""Write every table and plot of a result folder from its result files alone."""
import tempfile
from pathlib import Path

from lite.bench.results import RAW_DIR, load_results
from lite.errors import ToolkitError
from lite.report.latency import latency_rows, thread_counts, to_csv, to_markdown
from lite.report.plots import write_plots
from lite.util.files import atomic_write_bytes, atomic_write_text


def write_reports(result_dir):
    """Write latency.csv, latency.md and the plots into `result_dir` from the result files it can load.

    Returns (paths written, problems): one ResultFileError per file that could not be loaded.
    Raises when no file could be loaded."""
    result_dir = Path(result_dir)
    loaded = load_results(result_dir)
    results = loaded.results
    if not results:
        unreadable = f" ({len(loaded.problems)} could not be read; first: {loaded.problems[0]})" if loaded.problems else ""
        raise ToolkitError(f"no readable result files in {result_dir / RAW_DIR}{unreadable}; run a benchmark first "
                           f"(python bench_scripts/run_host.py or run_sd855.py)")
    machine = max(results, key=lambda r: r.finished_at).machine
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
    return [result_dir / "latency.csv", result_dir / "latency.md", *plots], loaded.problems
