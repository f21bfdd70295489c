"""Write every table and plot of a result folder from its result files alone."""
import os
import tempfile
from pathlib import Path

from lite.bench.results import RAW_DIR, load_results
from lite.errors import ToolkitError
from lite.report import devices as by_device
from lite.report.accuracy import measured_top1
from lite.report.latency import latency_rows, thread_counts, to_csv, to_markdown
from lite.report.plots import plot_devices, write_plots
from lite.util.files import atomic_write_bytes, atomic_write_text


def write_reports(result_dir):
    """Write latency.csv, latency.md and the plots into `result_dir` from the result files it can load.

    Returns (paths written, problems): one ResultFileError per file that could not be loaded.
    Raises when no file could be loaded."""
    result_dir = Path(result_dir)
    loaded = load_results(result_dir)
    results = loaded.results
    if not results:
        unreadable = (f" ({len(loaded.problems)} could not be read; first: {loaded.problems[0]})"
                      if loaded.problems else "")
        raise ToolkitError(f"no readable result files in {result_dir / RAW_DIR}{unreadable}; run a benchmark first "
                           f"(python bench_scripts/run_host.py or run_sd855.py)")
    machine = max(results, key=lambda r: r.finished_at).machine
    rows = latency_rows(results)
    threads = thread_counts(results)
    measured = measured_top1(result_dir)
    atomic_write_text(result_dir / "latency.csv", to_csv(rows, threads, machine, measured))
    atomic_write_text(result_dir / "latency.md", to_markdown(rows, threads, machine, results, measured))
    with tempfile.TemporaryDirectory() as scratch:  # draw elsewhere, then move each in whole
        drawn = write_plots(rows, machine, Path(scratch), measured)
        plots = []
        for path in drawn:
            atomic_write_bytes(result_dir / path.name, path.read_bytes())
            plots.append(result_dir / path.name)
    return [result_dir / "latency.csv", result_dir / "latency.md", *plots], loaded.problems


def write_devices_report(folders, out=None, say=print):
    """devices.csv, devices.md and devices_latency.png for several devices' result folders, into `out`
    (default: their common parent). Returns (paths, problems); folders with no result files are skipped."""
    folders = [Path(folder) for folder in dict.fromkeys(folders)]
    names = [folder.resolve().name for folder in folders]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ToolkitError(f"two folders are both named {twice[0]}: the table names devices by their folder")
    runs, problems = [], []
    for folder in folders:
        loaded = load_results(folder) if (folder / RAW_DIR).is_dir() else None
        if not loaded or not loaded.results:
            say(f"note: skipped {folder}: no readable result files in {folder / RAW_DIR}")
            problems += loaded.problems if loaded else []
            continue
        problems += loaded.problems
        runs.append(by_device.device_run(folder.resolve().name, loaded.results))
    if not runs:
        raise ToolkitError(f"none of {', '.join(map(str, folders))} holds result files; run a benchmark first")
    out = Path(out) if out else Path(os.path.commonpath([str(folder.resolve().parent) for folder in folders]))
    out.mkdir(parents=True, exist_ok=True)
    rows = by_device.cross_rows(runs)
    paths = [out / "devices.csv", out / "devices.md", out / "devices_latency.png"]
    atomic_write_text(paths[0], by_device.to_csv(runs, rows))
    atomic_write_text(paths[1], by_device.to_markdown(runs, rows))
    with tempfile.TemporaryDirectory() as scratch:
        plot_devices(runs, rows, Path(scratch) / paths[2].name)
        atomic_write_bytes(paths[2], (Path(scratch) / paths[2].name).read_bytes())
    return paths, problems
