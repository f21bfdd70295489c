"""The real Paddle Lite x86 runtime on this host, with a thread count that really applies.

Paddle Lite's light predictor calls `MKL_Set_Num_Threads(x86_math_num_threads)` when it is
created, and that setting defaults to 1; the Python binding has no `set_x86_math_num_threads`
(and `MobileConfig` no `set_threads`), so OMP_NUM_THREADS/MKL_NUM_THREADS are overridden. We
call MKL's own setter on the very library the runtime loaded, after the predictor exists.
"""
import ctypes
import os
import time
from pathlib import Path

import numpy as np

from lite.errors import ModelFileError
from lite.nb_format import check_nb_file


def _paddlelite_libs_dir():
    import paddlelite
    return Path(paddlelite.__file__).resolve().parent / "libs"


def set_math_threads(threads):
    """Set the MKL and OpenMP thread counts of the runtime's math library; return MKL's max."""
    libs = _paddlelite_libs_dir()
    mkl = ctypes.CDLL(str(libs / "libmklml_intel.so"))
    omp = ctypes.CDLL(str(libs / "libiomp5.so"))
    mkl.MKL_Set_Num_Threads(int(threads))
    omp.omp_set_num_threads(int(threads))
    return int(mkl.MKL_Get_Max_Threads())


def pin_to_cpus(threads):
    """Restrict this process to the first `threads` CPUs it may use; return the CPU set."""
    allowed = sorted(os.sched_getaffinity(0))
    chosen = set(allowed[:max(1, min(threads, len(allowed)))])
    os.sched_setaffinity(0, chosen)
    return sorted(chosen)


def thread_cpu_ticks():
    """{thread id: (CPU it last ran on, CPU ticks used)} for this process's threads, from /proc."""
    threads = {}
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        # After the ')' field 3 of stat(5) is index 0: utime 14, stime 15, processor 39.
        threads[task] = (int(fields[36]), int(fields[11]) + int(fields[12]))
    return threads


def cpus_that_worked(before, after):
    """CPUs of threads that used CPU time between two `thread_cpu_ticks` snapshots (pure)."""
    return {cpu for tid, (cpu, ticks) in after.items() if ticks > before.get(tid, (None, 0))[1]}


class HostPredictor:
    """A loaded x86 `.nb` with one input, timed around `run()` only."""

    def __init__(self, nb_path, threads=1):
        from paddlelite.lite import MobileConfig, create_paddle_predictor
        check_nb_file(nb_path)
        config = MobileConfig()
        config.set_model_from_file(str(nb_path))
        started = time.perf_counter()
        try:
            self._predictor = create_paddle_predictor(config)
        except Exception as exc:
            raise ModelFileError(f"Paddle Lite could not load {nb_path}: {exc}") from exc
        self.init_ms = (time.perf_counter() - started) * 1e3
        self.math_threads = set_math_threads(threads)

    def set_input(self, array):
        self._predictor.get_input(0).from_numpy(np.ascontiguousarray(array, dtype="float32"))

    def run_ms(self):
        started = time.perf_counter()
        self._predictor.run()
        return (time.perf_counter() - started) * 1e3

    def output(self):
        return self._predictor.get_output(0).numpy().copy()

    def infer(self, array):
        self.set_input(array)
        self.run_ms()
        return self.output()
