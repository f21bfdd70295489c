"""Runners that measure a cell on a device through the Device interface, for the sweep engine.

cxx            our mnv1_bench (cxx_demo), the default
benchmark_bin  Paddle Lite's own benchmark tool (text output, averages only)
python         lite/runtime/bench_program.py run with the device's python3 and paddlelite (ARM Linux boards)
Every path and name that reaches the device shell goes through shlex.quote.
"""
import re
import shlex
from pathlib import Path

from lite.bench.outputs import benchmark_bin_contract, parse_bench_output, parse_benchmark_bin
from lite.bench.support import refusal
from lite.devices.facts import dump_command, join, parse_snapshot, temperatures
from lite.devices.machine import CPU_COUNTER_FILES, CUR_FREQ_FILES, parse_cpu_counters, parse_cur_freqs
from lite.errors import BenchOutputError, CellFailed, DeviceTimeout
from lite.models.registry import get_variant
from lite.runtime import bench_program
from lite.runtime.arm_library import LIGHT_API, has_fp16_kernels
from lite.runtime.failures import failure_reason
from lite.util.text import exit_reason

RUNNERS = ("cxx", "benchmark_bin", "python")
BENCH_PROGRAM = Path(bench_program.__file__)


def q(text):
    return shlex.quote(str(text))


def unmatchable_by_itself(path):
    """A `pkill -f` regex for `path` that does not match the shell running pkill itself: with the
    plain path, pkill finds its own command line first and kills the shell that runs it."""
    name = Path(path).name
    escaped_dir = re.escape(str(Path(path).parent) + "/")
    return f"{escaped_dir}[{re.escape(name[0])}]{re.escape(name[1:])}" if name else re.escape(path)


class DeviceRunner:
    """Shared by the three runners: device facts, temperatures, running one command per cell."""

    name = "device"

    def __init__(self, device, workdir, machine, cell_timeout_s):
        self.device, self.workdir, self.cell_timeout_s = device, workdir, cell_timeout_s
        self._machine = machine  # MachineFacts, read once by the job that opened the device

    def temperatures(self):
        return temperatures(self.device)

    def cpu_counters(self):
        """From the device's own /proc, in one command."""
        try:
            files = parse_snapshot(self.device.shell(dump_command((*CPU_COUNTER_FILES, CUR_FREQ_FILES)),
                                                     timeout_s=30).stdout)
        except DeviceTimeout:
            return None
        return parse_cpu_counters(*(files.get(path) for path in CPU_COUNTER_FILES), parse_cur_freqs(files))

    def remote_model(self, cell):
        return join(self.workdir, "models", Path(cell.nb_path).name)

    def command(self, cell):
        raise NotImplementedError

    def files(self):
        """{device path: local path} this runner needs on the device, besides the models."""
        return {}

    def executables(self):
        return []

    def program_with_libs(self, device_name, program, lib_dir):
        """{device path: local path}: `program` as bin/<device_name>, every shared library of `lib_dir`
        (`*.so` and versioned ones such as libgomp.so.1) into lib/."""
        files = {join(self.workdir, "bin", device_name): Path(program)}
        for lib in sorted(p for p in Path(lib_dir).glob("*.so*") if p.is_file()) if lib_dir else ():
            files[join(self.workdir, "lib", lib.name)] = lib
        return files

    def library_fp16(self):
        """Whether the Paddle Lite pushed has FP16 kernels; None when this runner cannot tell."""
        return None

    def _library_has_fp16(self):
        """library_fp16(), read once: it scans the library (benchmark_bin: 17.7 MB) and never changes."""
        if not hasattr(self, "_fp16_answer"):
            self._fp16_answer = self.library_fp16()
        return self._fp16_answer

    def run_cell(self, cell, first_round=True):
        why_not = refusal(get_variant(cell.variant), self._machine.cpu_features or None,
                          self._library_has_fp16())
        if why_not:
            raise CellFailed(why_not)
        try:
            result = self.device.shell(self.command(cell), timeout_s=self.cell_timeout_s)
        except DeviceTimeout as exc:
            self.device.shell(f"pkill -f {q(unmatchable_by_itself(self.remote_model(cell)))} 2>/dev/null; true",
                              timeout_s=30)
            raise CellFailed(f"timed out after {self.cell_timeout_s:.0f} s") from exc
        if result.exit_code != 0:
            raise CellFailed(f"{exit_reason(result.exit_code)}: {failure_reason(result.stderr + result.stdout)}")
        try:
            return self.parse(result.stdout, cell)
        except BenchOutputError as exc:
            raise CellFailed(str(exc)) from exc

    def parse(self, stdout, cell):
        return parse_bench_output(stdout)


class CxxRunner(DeviceRunner):
    name = "cxx"

    def __init__(self, device, workdir, machine, cell_timeout_s, build_dir):
        super().__init__(device, workdir, machine, cell_timeout_s)
        self.build_dir = Path(build_dir)

    def files(self):
        return self.program_with_libs("mnv1_bench", self.build_dir / "bin" / "mnv1_bench", self.build_dir / "lib")

    def executables(self):
        return [join(self.workdir, "bin", "mnv1_bench")]

    def library_fp16(self):
        library = self.build_dir / "lib" / LIGHT_API
        return has_fp16_kernels(library) if library.is_file() else None

    def command(self, cell):
        return (f"cd {q(self.workdir)} && LD_LIBRARY_PATH={q(join(self.workdir, 'lib'))} "
                f"{q(join(self.workdir, 'bin', 'mnv1_bench'))} --model {q(self.remote_model(cell))} "
                f"--threads {int(cell.threads)} --power_mode {q(cell.power_mode)} --warmup {int(cell.warmup)} "
                f"--repeats {int(cell.repeats)} --input_shape {shape_argument(cell)}")


def shape_argument(cell):
    """'1,3,224,224': the cell's input shape as the programs take it (whole numbers only, nothing to quote)."""
    return ",".join(str(int(n)) for n in cell.input_shape)


class PythonRunner(DeviceRunner):
    name = "python"

    def files(self):
        return {join(self.workdir, "bin", "mnv1_bench.py"): BENCH_PROGRAM}

    def command(self, cell):
        program = q(join(self.workdir, "bin", "mnv1_bench.py"))
        return (f"cd {q(self.workdir)} && OPENBLAS_NUM_THREADS=1 python3 {program} "
                f"--model {q(self.remote_model(cell))} --threads {int(cell.threads)} --power_mode {q(cell.power_mode)} "
                f"--warmup {int(cell.warmup)} --repeats {int(cell.repeats)} --input_shape {shape_argument(cell)}")


class BenchmarkBinRunner(DeviceRunner):
    name = "benchmark_bin"

    def __init__(self, device, workdir, machine, cell_timeout_s, benchmark_bin, lib_dir=None):
        super().__init__(device, workdir, machine, cell_timeout_s)
        self.benchmark_bin, self.lib_dir = Path(benchmark_bin), Path(lib_dir) if lib_dir else None

    def files(self):
        return self.program_with_libs("benchmark_bin", self.benchmark_bin, self.lib_dir)

    def executables(self):
        return [join(self.workdir, "bin", "benchmark_bin")]

    def library_fp16(self):
        return has_fp16_kernels(self.benchmark_bin)  # Paddle Lite is linked into it statically

    def command(self, cell):
        return (f"cd {q(self.workdir)} && LD_LIBRARY_PATH={q(join(self.workdir, 'lib'))} "
                f"{q(join(self.workdir, 'bin', 'benchmark_bin'))} --optimized_model_file={q(self.remote_model(cell))} "
                f"--input_shape={shape_argument(cell)} --threads={int(cell.threads)} "
                f"--power_mode={bench_program.POWER_MODE_NUMBERS[cell.power_mode]} --warmup={int(cell.warmup)} "
                f"--repeats={int(cell.repeats)} --backend=arm")

    def parse(self, stdout, cell):
        values = parse_benchmark_bin(stdout)
        return benchmark_bin_contract(values, cell.threads, cell.power_mode, cell.warmup, cell.repeats)
