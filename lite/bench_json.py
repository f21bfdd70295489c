"""The one-line JSON contract that every benchmark program prints last on stdout.

`mnv1_bench` (C++, on the phone) and `python -m lite.host_bench_cell` (this host) both print it;
`parse_bench_output` reads it. Keys (ms throughout):
  model, threads, power_mode, warmup, repeats, input_shape  - the options the run used
  init_ms, first_run_ms                                      - load time, first (untimed) run
  samples_ms                                                 - every timed run, in order
  min_ms, max_ms, mean_ms, median_ms, std_ms, p90_ms          - the program's own summary (not stored)
  peak_rss_kb                                                 - VmHWM at the end (null if unknown)
  cpus_used                                                   - CPUs the process ran on while timed
  output_shape, output_checksum, top5                         - what the model answered
"""
import json

from lite.errors import ToolkitError

REQUIRED_KEYS = ("threads", "warmup", "repeats", "init_ms", "first_run_ms", "samples_ms",
                 "cpus_used", "output_shape", "output_checksum", "top5")


class BenchOutputError(ToolkitError):
    pass


def parse_bench_output(stdout):
    """The contract's dict from a program's stdout (its last non-empty line)."""
    lines = [line for line in stdout.strip().splitlines() if line.strip()]
    if not lines:
        raise BenchOutputError("the benchmark program printed nothing")
    try:
        data = json.loads(lines[-1])
    except ValueError as exc:
        raise BenchOutputError(f"the benchmark program's last line is not JSON: {lines[-1][:120]}") from exc
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise BenchOutputError(f"the benchmark program's JSON lacks {', '.join(missing)}")
    if len(data["samples_ms"]) != data["repeats"]:
        raise BenchOutputError(f"the benchmark program reported {len(data['samples_ms'])} samples "
                               f"for {data['repeats']} repeats")
    return data
