#!/usr/bin/env python3
"""Time a Paddle Lite `.nb` with the Python API and print the benchmark JSON contract.

Self-contained on purpose (standard library, numpy and paddlelite only; it imports nothing from
the toolkit): the host's child processes import it, and the `python` device runner pushes this very
file to ARM Linux boards that have python3 and paddlelite, where it runs as
`python3 mnv1_bench.py --model M.nb --threads N ...`. The JSON keys are those of cxx_demo's
mnv1_bench (see lite/bench/outputs.py).
"""
import argparse
import ctypes
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

# Paddle Lite's PowerMode enum (paddle_place.h): the one table of power modes in the toolkit.
POWER_MODE_NUMBERS = {"high": 0, "low": 1, "full": 2, "no_bind": 3, "rand_high": 4, "rand_low": 5}
POWER_MODES = tuple(POWER_MODE_NUMBERS)


def set_math_threads(threads):
    """x86 builds: Paddle Lite's light predictor resets MKL to 1 thread when it is created and the
    Python binding has no set_x86_math_num_threads, so set MKL's and OpenMP's counts on the very
    libraries the runtime loaded. Returns MKL's thread count, or None where there is no MKL."""
    import paddlelite
    libs = Path(paddlelite.__file__).resolve().parent / "libs"
    if not (libs / "libmklml_intel.so").exists():
        return None
    mkl = ctypes.CDLL(str(libs / "libmklml_intel.so"))
    ctypes.CDLL(str(libs / "libiomp5.so")).omp_set_num_threads(int(threads))
    mkl.MKL_Set_Num_Threads(int(threads))
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


class Predictor:
    """A loaded `.nb` with one input; `threads` applied the way this build of Paddle Lite allows."""

    def __init__(self, nb_path, threads=1, power_mode="no_bind"):
        from paddlelite.lite import MobileConfig, PowerMode, create_paddle_predictor
        config = MobileConfig()
        config.set_model_from_file(str(nb_path))
        if hasattr(config, "set_threads"):  # ARM builds
            config.set_threads(int(threads))
            config.set_power_mode(getattr(PowerMode, f"LITE_POWER_{power_mode.upper()}"))
        started = time.perf_counter()
        self._predictor = create_paddle_predictor(config)
        self.init_ms = (time.perf_counter() - started) * 1e3
        self.math_threads = set_math_threads(threads) if not hasattr(config, "set_threads") else threads

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


def own_cpu_ms():
    """CPU time of this whole process so far (all threads, user + system), in ms."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return 1000.0 * (usage.ru_utime + usage.ru_stime)


def time_runs(predictor, image, warmup, repeats):
    """First run, warm-up, then `repeats` timed runs; the contract's measurement keys.
    Warm-up runs are timed too and kept apart (`warmup_samples_ms`), as pyperf keeps them."""
    predictor.set_input(image)
    first_run_ms = predictor.run_ms()
    warmup_samples = [predictor.run_ms() for _ in range(warmup)]
    cpus_used, samples = set(), []
    snapshot = thread_cpu_ticks()
    for _ in range(repeats):
        samples.append(predictor.run_ms())
        latest = thread_cpu_ticks()
        cpus_used |= cpus_that_worked(snapshot, latest)
        snapshot = latest
    output = predictor.output()
    ordered = np.sort(samples)
    return {
        "input_shape": list(image.shape), "init_ms": predictor.init_ms, "first_run_ms": first_run_ms,
        "samples_ms": samples, "warmup_samples_ms": warmup_samples, "min_ms": float(ordered[0]),
        "max_ms": float(ordered[-1]),
        "mean_ms": float(np.mean(samples)), "median_ms": float(np.median(samples)), "std_ms": float(np.std(samples)),
        "p90_ms": float(np.percentile(samples, 90)),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "cpus_used": sorted(cpus_used),
        "cpu_time_ms": own_cpu_ms(),
        "math_threads": predictor.math_threads, "output_shape": list(output.shape),
        "output_checksum": float(output.sum()), "top5": [int(i) for i in np.argsort(-output.ravel())[:5]],
    }


def fixed_input(shape=(1, 3, 224, 224)):
    return np.random.default_rng(0).standard_normal(shape).astype("float32")


MAX_INPUT_SIDE = 4096  # an input bound before anything is allocated


def input_shape(text):
    """'1,3,230,230' -> (1, 3, 230, 230): four whole numbers from 1 to MAX_INPUT_SIDE (batch 1 .. 64)."""
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 4 or not all(1 <= n <= MAX_INPUT_SIDE for n in shape) or shape[0] > 64:
        raise argparse.ArgumentTypeError(f"'{text}' is not N,C,H,W (four whole numbers, each 1 to {MAX_INPUT_SIDE}, "
                                         f"N at most 64), e.g. 1,3,224,224")
    return shape


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="the .nb file")
    parser.add_argument("--threads", type=int, default=1, help="threads (default: 1)")
    parser.add_argument("--power_mode", choices=POWER_MODES, default="no_bind",
                        help="ARM builds only (default: no_bind)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs (default: 10)")
    parser.add_argument("--repeats", type=int, default=100, help="timed runs (default: 100)")
    parser.add_argument("--input_shape", type=input_shape, default=(1, 3, 224, 224),
                        help="N,C,H,W of the timed input (default: 1,3,224,224)")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--threads and --repeats must be at least 1, --warmup at least 0")
    if not os.path.isfile(args.model):
        print(f"mnv1_bench.py: error: model file {args.model} is missing", file=sys.stderr)
        return 3
    allowed = sorted(os.sched_getaffinity(0))  # what the shell's cpuset left us, as mnv1_bench reports it
    pin_to_cpus(args.threads)
    predictor = Predictor(args.model, args.threads, args.power_mode)
    result = {"model": args.model, "threads": args.threads, "power_mode": args.power_mode, "warmup": args.warmup,
              "repeats": args.repeats, "cpus_allowed": allowed}
    result.update(time_runs(predictor, fixed_input(args.input_shape), args.warmup, args.repeats))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
