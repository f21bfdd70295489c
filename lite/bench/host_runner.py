"""Runs benchmark cells on this host with the real Paddle Lite x86 runtime, one process each."""
import os
import platform
import subprocess
import sys
from importlib import metadata

from lite.bench.outputs import parse_bench_output
from lite.devices.machine import (CPU_COUNTER_FILES, describe_host, local_list_dir, local_read_text,
                                  parse_cpu_counters, read_temperatures)
from lite.errors import BenchOutputError, CellFailed
from lite.util.children import die_with_parent
from lite.util.edge import EXIT_BAD_INPUT
from lite.util.text import exit_reason, last_line

BENCH_CELL_MODULE = "lite.runtime.bench_cell"  # one fresh process per cell


class HostRunner:
    name = "host-python"

    def __init__(self, cell_timeout_s=600.0):
        self.cell_timeout_s = cell_timeout_s

    def describe(self):
        machine = describe_host()
        machine["tool_versions"] = {"paddlelite": metadata.version("paddlelite"),
                                    "python": platform.python_version()}
        return machine

    def temperatures(self):
        return read_temperatures(local_read_text, local_list_dir)

    def cpu_counters(self):
        return parse_cpu_counters(*(local_read_text(path) for path in CPU_COUNTER_FILES))

    def command(self, cell):
        command = [sys.executable, "-m", BENCH_CELL_MODULE, str(cell.nb_path),
                   "--threads", str(cell.threads), "--warmup", str(cell.warmup),
                   "--repeats", str(cell.repeats), "--variant", cell.variant]
        if cell.reference_npz:
            command += ["--reference", str(cell.reference_npz)]
        return command

    def run_cell(self, cell):
        # numpy's OpenBLAS threads spin after numpy work and steal the cores MKL is timed on.
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        try:
            done = subprocess.run(self.command(cell), capture_output=True, text=True, env=env,
                                  timeout=self.cell_timeout_s, preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired as exc:
            raise CellFailed(f"timed out after {self.cell_timeout_s:.0f} s") from exc
        if done.returncode != 0:
            reason = last_line(done.stderr, "no output").removeprefix("error: ")
            raise CellFailed(reason if done.returncode == EXIT_BAD_INPUT else f"{exit_reason(done.returncode)}: {reason}")
        try:
            return parse_bench_output(done.stdout)
        except BenchOutputError as exc:
            raise CellFailed(str(exc)) from exc
