"""The benchmark engine: models x variants x thread counts, one fresh process per cell.

Device-agnostic: a runner (this host, or a phone over adb) runs a cell and returns the benchmark
program's JSON; the engine decides what to run, waits for the device to cool, records every cell
in its own result file, and keeps going when one cell fails.
"""
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from lite.bench.cells import thread_label
from lite.bench.results import CellResult, Measurement, is_complete, read_result, write_result
from lite.bench.stats import latency_stats
from lite.devices.machine import hottest, interference
from lite.errors import CellFailed
from lite.util.files import sha256_file


@dataclass
class SweepSummary:
    ran: int = 0
    skipped: int = 0
    failed: int = 0


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def model_file_info(nb_path):
    return {"file": Path(nb_path).name, "sha256": sha256_file(nb_path), "storage_bytes": Path(nb_path).stat().st_size}


def wait_until_cool(read_temperatures, max_temp_c, timeout_s, say, sleep=time.sleep, clock=time.monotonic,
                    poll_s=5.0):
    """Block until the hottest zone is below `max_temp_c` or `timeout_s` passes.

    Returns (what happened, the temperatures read last), so the caller needs no second reading."""
    started = clock()
    temperatures = read_temperatures()
    if max_temp_c is None or not temperatures:
        return {"waited_s": 0.0, "timed_out": False, "readable": bool(temperatures)}, temperatures
    announced = False
    while hottest(temperatures) >= max_temp_c:
        if clock() - started >= timeout_s:
            say(f"  still {hottest(temperatures):.1f} °C after {timeout_s:.0f} s; measuring anyway (recorded)")
            return {"waited_s": clock() - started, "timed_out": True, "readable": True}, temperatures
        if not announced:
            say(f"  cooling: {hottest(temperatures):.1f} °C >= {max_temp_c:.1f} °C, waiting")
            announced = True
        sleep(poll_s)
        temperatures = read_temperatures()
    return {"waited_s": clock() - started, "timed_out": False, "readable": True}, temperatures


def _progress(index, total, cell, result):
    label = f"[{index}/{total}] {cell.model} {cell.variant} {thread_label(cell.threads)}:"
    if not result.ok:
        return f"{label} FAILED: {result.error}"
    stats = latency_stats(result.measurement.samples_ms)
    return (f"{label} median {stats['median_ms']:.2f} ms (p90 {stats['p90_ms']:.2f}, "
            f"CV {100 * stats['cv']:.1f}%)")


def run_sweep(cells, runner, result_dir, *, resume=False, cooldown_s=0.0, max_temp_c=None,
              max_temp_wait_s=300.0, say=print, sleep=time.sleep):
    """Run every cell not already complete (with `resume`); return a SweepSummary.

    Raises DeviceLost (after recording nothing for the interrupted cell) when the runner does.
    """
    summary = SweepSummary()
    machine = runner.describe()
    total = len(cells)
    if max_temp_c is not None and not runner.temperatures():
        say("note: no thermal zone is readable on this device, so --max-temp cannot wait for it")
    model_files = {path: model_file_info(path) for path in {cell.nb_path for cell in cells}}  # hash each once
    for index, cell in enumerate(cells, 1):
        model_file = model_files[cell.nb_path]
        if resume and is_complete(read_result(result_dir, cell), cell, model_file["sha256"], runner.name,
                                  machine.get("device")):
            summary.skipped += 1
            say(f"[{index}/{total}] {cell.model} {cell.variant} {thread_label(cell.threads)}: done earlier, kept")
            continue
        if summary.ran and cooldown_s > 0:
            sleep(cooldown_s)
        cooling, temperatures_before = wait_until_cool(runner.temperatures, max_temp_c, max_temp_wait_s, say, sleep)
        context = {"runner": runner.name, "model_file": model_file, "machine": machine,
                   "temperatures_before_c": temperatures_before, "cooling": cooling, "started_at": now_iso()}
        counters_before, started = runner.cpu_counters(), time.monotonic()
        try:
            measurement, error = Measurement.from_program(runner.run_cell(cell)), None
        except CellFailed as exc:
            measurement, error = None, str(exc)
            summary.failed += 1
        own_ms = measurement.extra.get("cpu_time_ms") if measurement else None
        context["interference"] = interference(counters_before, runner.cpu_counters(), time.monotonic() - started,
                                               None if own_ms is None else own_ms / 1000)
        result = CellResult(cell=cell.options, status="ok" if error is None else "failed", error=error,
                            measurement=measurement, temperatures_after_c=runner.temperatures(),
                            finished_at=now_iso(), **context)
        write_result(result_dir, result)
        summary.ran += 1
        say(_progress(index, total, cell, result))
    return summary
