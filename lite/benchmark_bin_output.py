"""Paddle Lite's own `benchmark_bin` prints text, not JSON; this reads it (pure).

Its summary block (v2.10+) looks like:
    ======= Perf Info =======
    Time(unit: ms):
    init  = 15.305
    first = 43.670
    min   = 32.577
    max   = 32.999
    avg   = 32.804
It reports no per-run samples, so a result from it holds the average as its only sample and says so.
"""
import re

from lite.bench_json import BenchOutputError

FIELDS = ("init", "first", "min", "max", "avg")


def parse_benchmark_bin(text):
    """{init, first, min, max, avg} in ms from benchmark_bin's output; BenchOutputError if absent."""
    if "Time(unit: ms)" not in text:
        raise BenchOutputError("benchmark_bin printed no 'Time(unit: ms):' block")
    block = text.split("Time(unit: ms)", 1)[1]
    values = {}
    for field in FIELDS:
        match = re.search(rf"^\s*{field}\s*=\s*([0-9.eE+-]+)", block, re.MULTILINE)
        if not match:
            raise BenchOutputError(f"benchmark_bin's output lacks '{field} = ' after 'Time(unit: ms):'")
        values[field] = float(match.group(1))
    return values


def to_contract(values, threads, power_mode, warmup, repeats):
    """The engine's measurement dict; `samples_ms` is the one average benchmark_bin reports."""
    return {"threads": threads, "power_mode": power_mode, "warmup": warmup, "repeats": 1,
            "requested_repeats": repeats, "sample_kind": "benchmark_bin average of the repeats",
            "init_ms": values["init"], "first_run_ms": values["first"], "samples_ms": [values["avg"]],
            "reported_min_ms": values["min"], "reported_max_ms": values["max"], "cpus_used": [],
            "output_shape": [], "output_checksum": None, "top5": []}
