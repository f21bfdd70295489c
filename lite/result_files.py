"""One self-describing JSON file per benchmark cell (model x variant x threads).

A file holds the cell's options, the model file's identity, every sample in ms, the machine and
its temperatures: enough to rebuild any table later. Statistics are never stored; `lite.stats`
derives them from `samples_ms`.
"""
from pathlib import Path

from lite.files import atomic_write_json, read_json

SCHEMA = "mnv1-bench-result/1"
RAW_DIR = "raw"
# The program's own summary is dropped: numbers in reports come from the samples alone.
_PROGRAM_SUMMARY_KEYS = ("min_ms", "max_ms", "mean_ms", "median_ms", "std_ms", "p90_ms")


def cell_id(cell):
    return f"{cell.model}__{cell.variant}__t{cell.threads}"


def result_path(result_dir, cell):
    return Path(result_dir) / RAW_DIR / f"{cell_id(cell)}.json"


def cell_fields(cell):
    return {"model": cell.model, "variant": cell.variant, "target": cell.target,
            "threads": cell.threads, "power_mode": cell.power_mode, "warmup": cell.warmup,
            "repeats": cell.repeats}


def build_result(cell, context, bench=None, error=None):
    """The result document for a cell: `bench` (the program's JSON) on success, `error` if not."""
    measurement = None
    if bench is not None:
        measurement = {k: v for k, v in bench.items() if k not in _PROGRAM_SUMMARY_KEYS}
    return {
        "schema": SCHEMA,
        "status": "ok" if error is None else "failed",
        "error": error,
        "cell": cell_fields(cell),
        **context,
        "measurement": measurement,
    }


def is_complete(result, cell):
    if not (result and result.get("schema") == SCHEMA and result.get("status") == "ok"
            and result.get("cell") == cell_fields(cell)):
        return False
    measurement = result["measurement"]
    # benchmark_bin reports one average for all its repeats (sample_kind says so).
    return len(measurement["samples_ms"]) == cell.repeats or bool(measurement.get("sample_kind"))


def write_result(result_dir, cell, result):
    path = result_path(result_dir, cell)
    atomic_write_json(path, result)
    return path


def read_result(result_dir, cell):
    return read_json(result_path(result_dir, cell))


def load_results(result_dir):
    """Every result file of a result folder, sorted by file name; unreadable ones skipped."""
    folder = Path(result_dir) / RAW_DIR
    results = [read_json(p) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return [r for r in results if r and r.get("schema") == SCHEMA]
