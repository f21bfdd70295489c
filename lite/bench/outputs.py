"""What benchmark programs print, read into the engine's measurement dict (pure).

1. The one-line JSON contract that `mnv1_bench` (C++, on the phone), `lite/runtime/bench_program.py`
   and `python -m lite.runtime.bench_cell` (this host) print last on stdout. Keys (ms throughout):
     model, threads, power_mode, warmup, repeats, input_shape  - the options the run used
     init_ms, first_run_ms                                      - load time, first (untimed) run
     samples_ms                                                 - every timed run, in order
     warmup_samples_ms                                          - every warm-up run (optional)
     min_ms, max_ms, mean_ms, median_ms, std_ms, p90_ms          - the program's own summary (not stored)
     peak_rss_kb                                                 - VmHWM at the end (null if unknown)
     cpus_used                                                   - CPUs the process ran on while timed
     cpu_time_ms                                                 - the process's own CPU time (optional), so the
                                                                   sweep can tell other work from its own
     output_shape, output_checksum, top5                         - what the model answered
2. Paddle Lite's own `benchmark_bin`, which prints text; its summary block (v2.10+) is
     ======= Perf Info =======
     Time(unit: ms):
     init  = 15.305
     first = 43.670  ...  min, max, avg
   It reports no per-run samples, so a result from it holds the average as its only sample and says so.
   Its `first` is the first warm-up run (with --warmup=0, one of the averaged repeats), unlike
   mnv1_bench's `first_run_ms`, which is a run of its own before the warm-up.
Why a program failed is read by lite.runtime.failures.failure_reason.
"""
import json
import re

from lite.errors import BenchOutputError
from lite.util.text import last_line

REQUIRED_KEYS = ("threads", "warmup", "repeats", "init_ms", "first_run_ms", "samples_ms",
                 "cpus_used", "output_shape", "output_checksum", "top5")
BENCHMARK_BIN_FIELDS = ("init", "first", "min", "max", "avg")
BENCHMARK_BIN_USAGE = "Must set --backend option!"


def parse_bench_output(stdout):
    """The contract's dict from a program's stdout (its last non-empty line)."""
    line = last_line(stdout)
    if not line:
        raise BenchOutputError("the benchmark program printed nothing")
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise BenchOutputError(f"the benchmark program's last line is not JSON: {line[:120]}") from exc
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise BenchOutputError(f"the benchmark program's JSON lacks {', '.join(missing)}")
    if len(data["samples_ms"]) != data["repeats"]:
        raise BenchOutputError(f"the benchmark program reported {len(data['samples_ms'])} samples "
                               f"for {data['repeats']} repeats")
    return data


def parse_benchmark_bin(text):
    """{init, first, min, max, avg} in ms from benchmark_bin's output; BenchOutputError if absent."""
    if "Time(unit: ms)" not in text:
        if BENCHMARK_BIN_USAGE in text:  # it exits 0 after its usage text when --backend is missing
            raise BenchOutputError(f"benchmark_bin printed its usage instead of measuring: {BENCHMARK_BIN_USAGE}")
        raise BenchOutputError("benchmark_bin printed no 'Time(unit: ms):' block")
    block = text.split("Time(unit: ms)", 1)[1]
    values = {}
    for name in BENCHMARK_BIN_FIELDS:
        match = re.search(rf"^\s*{name}\s*=\s*([0-9.eE+-]+)", block, re.MULTILINE)
        if not match:
            raise BenchOutputError(f"benchmark_bin's output lacks '{name} = ' after 'Time(unit: ms):'")
        values[name] = float(match.group(1))
    shape = re.search(r"^output shape\(NCHW\):([ 0-9]*)$", text, re.MULTILINE)
    values["output_shape"] = [int(d) for d in shape.group(1).split()] if shape else []
    precision = re.search(r"^cpu precision:\s*(\S+)", text, re.MULTILINE)
    values["cpu_precision"] = precision.group(1) if precision else None
    return values


def benchmark_bin_contract(values, threads, power_mode, warmup, repeats):
    """The engine's measurement dict; `samples_ms` is the one average benchmark_bin reports."""
    return {"threads": threads, "power_mode": power_mode, "warmup": warmup, "repeats": 1,
            "requested_repeats": repeats, "sample_kind": "benchmark_bin average of the repeats",
            "init_ms": values["init"], "first_run_ms": values["first"], "samples_ms": [values["avg"]],
            "reported_min_ms": values["min"], "reported_max_ms": values["max"], "cpus_used": [],
            "first_run_kind": "benchmark_bin: the first warm-up run",
            "output_shape": values.get("output_shape", []), "output_checksum": None, "top5": []}
