"""Runs benchmark cells on this host with the real Paddle Lite x86 runtime, one fresh process each.

Each cell (and round) runs in a new process forked by `lite.runtime.cell_server`, a fork server that
has imported numpy and paddlelite and done nothing else: no predictor, no math threads, no affinity.
The process is as fresh as one started from nothing, but costs about 45 ms beyond its runs (predictor
creation included) instead of about 0.9 s for `python -m` (interpreter, numpy, paddlelite), which was
most of the toolkit's overhead in a sweep.
"""
import json
import os
import platform
import select
import signal
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from lite.bench.outputs import parse_bench_output
from lite.devices.machine import (
    CPU_COUNTER_FILES,
    local_cur_freqs,
    local_list_dir,
    local_read_text,
    parse_cpu_counters,
    read_host_facts,
    read_temperatures,
)
from lite.errors import BenchOutputError, CellFailed, ToolkitError
from lite.models.engines import DEFAULT_ENGINE
from lite.util.children import die_with_parent
from lite.util.edge import EXIT_BAD_INPUT
from lite.util.text import exit_reason, last_line

SERVER_MODULE = "lite.runtime.cell_server"


class CellServer:
    """The fork server's end on this side: one JSON line each way (see lite/runtime/cell_server.py)."""

    def __init__(self, engine=DEFAULT_ENGINE, start_timeout_s=120.0):
        # numpy's OpenBLAS threads spin after numpy work and steal the cores MKL is timed on.
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        self.process = subprocess.Popen([sys.executable, "-m", SERVER_MODULE, engine], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env, preexec_fn=die_with_parent)
        self._buffer = b""
        if self._answer(start_timeout_s) != {"ready": True}:
            raise ToolkitError(f"the cell server ({SERVER_MODULE}) did not start")

    def _answer(self, timeout_s):
        """The next JSON line, or None when none came within `timeout_s` (or the server ended)."""
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def run(self, argv, stdout_path, stderr_path, timeout_s):
        """The cell's exit status (negative: killed by that signal), or None when it timed out (killed)."""
        request = {"argv": argv, "stdout": str(stdout_path), "stderr": str(stderr_path)}
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        started = self._answer(60.0)
        if not started:
            raise ToolkitError(f"the cell server ({SERVER_MODULE}) stopped answering")
        ended = self._answer(timeout_s)
        if ended is None:
            os.kill(started["pid"], signal.SIGKILL)
            self._answer(60.0)
            return None
        return ended["status"]

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def host_facts():
    """This host's MachineFacts with the versions of the runtime the host runner measures."""
    versions = {"paddlelite": metadata.version("paddlelite"), "python": platform.python_version()}
    for package in ("paddlepaddle", "onnxruntime"):  # the other engines', where installed
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return read_host_facts().with_(tool_versions=versions)


class HostRunner:
    name = "host-python"

    def __init__(self, cell_timeout_s=600.0):
        self.cell_timeout_s = cell_timeout_s
        self._servers = {}  # one fork server per engine: each has imported its engine's library only

    def temperatures(self):
        return read_temperatures(local_read_text, local_list_dir)

    def cpu_counters(self):
        return parse_cpu_counters(*(local_read_text(path) for path in CPU_COUNTER_FILES), local_cur_freqs())

    def arguments(self, cell, first_round=True):
        """The cell process's command line (`python -m lite.runtime.bench_cell ARGS` runs the same by hand).
        The logits are checked against Paddle's in the first round only: later rounds time the same bytes."""
        arguments = [str(cell.nb_path), "--threads", str(cell.threads), "--warmup", str(cell.warmup),
                     "--repeats", str(cell.repeats), "--variant", cell.variant,
                     "--input-shape", ",".join(str(n) for n in cell.input_shape), "--engine", cell.engine]
        if cell.reference_npz and first_round:
            arguments += ["--reference", str(cell.reference_npz)]
        return arguments

    def run_cell(self, cell, first_round=True):
        server = self._servers.get(cell.engine)
        if server is None or server.process.poll() is not None:
            server = self._servers[cell.engine] = CellServer(cell.engine)
        with tempfile.TemporaryDirectory(prefix="mnv1-cell-") as scratch:
            out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
            status = server.run(self.arguments(cell, first_round), out, err, self.cell_timeout_s)
            if status is None:
                raise CellFailed(f"timed out after {self.cell_timeout_s:.0f} s")
            status = status if status >= 0 else 128 - status
            stdout = out.read_text(errors="replace") if out.is_file() else ""
            stderr = err.read_text(errors="replace") if err.is_file() else ""
        if status != 0:
            reason = last_line(stderr, "no output").removeprefix("error: ")
            raise CellFailed(reason if status == EXIT_BAD_INPUT else f"{exit_reason(status)}: {reason}")
        try:
            return parse_bench_output(stdout)
        except BenchOutputError as exc:
            raise CellFailed(str(exc)) from exc

    def close(self):
        for server in self._servers.values():
            server.close()
