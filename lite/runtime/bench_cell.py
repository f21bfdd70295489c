"""Benchmark one x86 `.nb` at one thread count in this (fresh) process; print the JSON contract.

Run by the host runner in a process forked for the cell by `lite.runtime.cell_server` (`child_main`), or by
hand as `python -m lite.runtime.bench_cell ...`: one process per cell, so that the thread setting
and CPU affinity of one cell never leak into the next. When a reference
(`reference_io.npz` from the export) is given, the logits must match Paddle's before any timing.
"""
import argparse
import ctypes
import json
import os
import sys

import numpy as np

from lite.convert.export import load_reference_io
from lite.convert.logits import compare_logits, verdict
from lite.errors import CellFailed
from lite.models.engines import ENGINES
from lite.runtime.bench_program import fixed_input, input_shape, pin_to_cpus, time_runs
from lite.runtime.engines import open_predictor
from lite.util.children import die_with_parent
from lite.util.edge import run_edge


def checked_input(predictor, reference_npz, variant, what):
    """(the first reference input, batch 1; the comparison) once `predictor`'s logits on every reference input
    match Paddle's for this variant; CellFailed naming `what` and the difference when they do not."""
    image, reference = load_reference_io(reference_npz)
    logits = np.concatenate([predictor.infer(image[i:i + 1]) for i in range(len(image))])  # batch-1 exports
    check = compare_logits(reference, logits)
    problem = verdict(check, variant)
    if problem:
        raise CellFailed(f"{what}: logits do not match Paddle's ({problem}); not timed")
    return image[:1], check  # timed at batch 1, as every published figure is


def bench(nb_path, threads, warmup, repeats, reference_npz=None, variant="fp32", shape=(1, 3, 224, 224),
          engine="paddle-lite"):
    cpus = pin_to_cpus(threads)
    predictor = open_predictor(engine, nb_path, threads)
    check, image = None, None
    if reference_npz:
        image, check = checked_input(predictor, reference_npz, variant, f"{engine} on {nb_path}")
    if image is None or tuple(image.shape) != tuple(shape):  # another size: checked at the reference's, timed at it
        image = fixed_input(shape)
    return {"model": str(nb_path), "threads": threads, "power_mode": "no_bind", "warmup": warmup,
            "repeats": repeats, **time_runs(predictor, image, warmup, repeats), "cpus_allowed": cpus,
            "logit_check": check, "engine": engine, "engine_threads_asked": threads,
            "engine_threads": predictor.math_threads}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("nb_path")
    parser.add_argument("--threads", type=int, default=1, help="math threads and CPUs (default: 1)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs (default: 20)")
    parser.add_argument("--repeats", type=int, default=100, help="timed runs (default: 100)")
    parser.add_argument("--reference", help="reference_io.npz: check logits before timing")
    parser.add_argument("--variant", default="fp32", help="fp32/int8/...: the logit tolerance")
    parser.add_argument("--engine", choices=ENGINES, default="paddle-lite",
                        help="which engine runs the file (lite.models.engines; default: paddle-lite)")
    parser.add_argument("--input-shape", type=input_shape, default=(1, 3, 224, 224),
                        help="N,C,H,W of the timed input (default: 1,3,224,224; the logit check stays at the "
                             "reference's own shape)")
    args = parser.parse_args(argv)
    return run_edge(lambda: print(json.dumps(bench(args.nb_path, args.threads, args.warmup, args.repeats,
                                                   args.reference, args.variant, args.input_shape,
                                                   args.engine))) or 0)


PROCESS_NAME = "mnv1-cell"  # what ps and /proc/PID/comm call a cell process
PR_SET_NAME = 15


def child_main(argv, stdout_path, stderr_path):
    """The entry of a forked cell process: output to two files, exit with main's status."""
    die_with_parent()  # the fork server ends with the sweep, and this cell with the fork server
    try:
        ctypes.CDLL(None).prctl(PR_SET_NAME, PROCESS_NAME.encode())
    except (OSError, AttributeError):
        pass
    for fd, path in ((1, stdout_path), (2, stderr_path)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse
        status = exc.code if isinstance(exc.code, int) else 2
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)


if __name__ == "__main__":
    sys.exit(main())
