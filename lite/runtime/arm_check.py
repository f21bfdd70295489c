"""Run converted ARM `.nb` files on Paddle Lite's real ARM kernels, on this x86 host, under qemu-aarch64.

cxx_demo's mnv1_bench is built once per library (cxx_demo/build.sh --target armlinux-aarch64, kept in
build/arm_check/<library sha256 prefix>/) and run on the export's reference inputs with --input_file
and --output_file. Nothing here is a speed figure: qemu emulates every instruction.
"""
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lite.errors import ArmToolError, CellFailed
from lite.runtime.arm_library import has_fp16_kernels, light_api_library, qemu_command
from lite.runtime.failures import failure_reason
from lite.util.children import die_with_parent
from lite.util.files import sha256_file
from lite.util.text import exit_reason

CXX_DEMO = Path(__file__).resolve().parent.parent.parent / "cxx_demo"
BUILD_TOOLS = {"cmake": "cmake", "aarch64-linux-gnu-g++": "g++-aarch64-linux-gnu"}


@dataclass(frozen=True)
class ArmLibrary:
    """A Paddle Lite ARM Linux library and mnv1_bench built against it."""
    lite_dir: Path
    build_dir: Path
    fp16: bool

    @property
    def program(self):
        return self.build_dir / "bin" / "mnv1_bench"


def prepare_library(lite_dir, build_root="build/arm_check", say=print):
    """Check the library, build mnv1_bench against it unless built before; ArmToolError on what is missing."""
    library = light_api_library(lite_dir)
    build_dir = Path(build_root) / sha256_file(library)[:12]
    if not (build_dir / "bin" / "mnv1_bench").is_file():
        missing = [package for tool, package in BUILD_TOOLS.items() if not shutil.which(tool)]
        if missing:
            raise ArmToolError(f"building mnv1_bench for ARM needs {', '.join(missing)}: "
                               f"apt-get install {' '.join(missing)}")
        if not (CXX_DEMO / "build.sh").is_file():
            raise ArmToolError(f"cxx_demo/build.sh is not beside the lite package ({CXX_DEMO}); run from a clone")
        say(f"building mnv1_bench for armlinux-aarch64 against {lite_dir} (once per library)")
        # built aside and renamed into place: two processes preparing the same library never share a build
        staging = build_dir.with_name(f"{build_dir.name}.building-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        done = subprocess.run(["bash", str(CXX_DEMO / "build.sh"), "--target", "armlinux-aarch64", "--lite-dir",
                               str(lite_dir), "--build-dir", str(staging)], capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise ArmToolError(f"building mnv1_bench against {lite_dir} failed: "
                               f"{failure_reason(done.stderr + done.stdout)}")
        try:
            staging.rename(build_dir)
        except OSError:  # another process put its build there first: the same library, the same program
            shutil.rmtree(staging, ignore_errors=True)
    return ArmLibrary(Path(lite_dir), build_dir, has_fp16_kernels(library))


PROFILE_REPEATS = 11  # the profiler's concise tables leave out 10 warm-ups; its per-layer table, the first run


PROFILE_ATTEMPTS = 3  # the profiler build crashed (SIGSEGV) in 1 of 3 passes under qemu here: a crash is retried


def profile_on_arm(library, nb_path, cpu, threads=1, timeout_s=900):
    """One profiling pass of mnv1_bench built against a profiler library: (its stderr, where the operator tables
    are, and its wall seconds). A pass killed by a signal is run again, up to PROFILE_ATTEMPTS in all (the
    profile is an extra pass, never a latency figure); CellFailed with the program's own reason otherwise."""
    import time
    command = [*qemu_command(cpu), str(library.program), "--model", str(nb_path), "--threads", str(int(threads)),
               "--warmup", "0", "--repeats", str(PROFILE_REPEATS)]
    for attempt in range(1, PROFILE_ATTEMPTS + 1):
        started = time.monotonic()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                                  preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired as exc:
            raise CellFailed(f"the profiling pass of {Path(nb_path).name} did not finish within {timeout_s} s") from exc
        crashed = done.returncode < 0 or "uncaught target signal" in done.stderr
        if done.returncode == 0 or not crashed or attempt == PROFILE_ATTEMPTS:
            break
    if done.returncode != 0:
        raise CellFailed(f"{exit_reason(done.returncode)}: {failure_reason(done.stderr + done.stdout)}"
                         + (f" ({PROFILE_ATTEMPTS} attempts)" if crashed else ""))
    return done.stderr, time.monotonic() - started


def run_on_arm(library, nb_path, inputs, cpu, timeout_s=900):
    """Paddle Lite's output (N x classes) for `inputs` (N x C x H x W float32), one process, one thread.
    CellFailed with the program's own reason when it fails."""
    inputs = np.ascontiguousarray(inputs, dtype="<f4")
    with tempfile.TemporaryDirectory(prefix="arm-check-") as scratch:
        input_file, output_file = Path(scratch) / "input.f32", Path(scratch) / "output.f32"
        inputs.tofile(input_file)
        command = [*qemu_command(cpu), str(library.program), "--model", str(nb_path), "--threads", "1",
                   "--warmup", "0", "--repeats", "1", "--input_shape", ",".join(map(str, inputs.shape)),
                   "--input_file", str(input_file), "--output_file", str(output_file)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                                  preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired as exc:
            raise CellFailed(f"{Path(nb_path).name} did not finish within {timeout_s} s under qemu") from exc
        if done.returncode != 0:
            raise CellFailed(f"{exit_reason(done.returncode)}: {failure_reason(done.stderr + done.stdout)}")
        output = np.fromfile(output_file, dtype="<f4")
    if output.size % inputs.shape[0]:
        raise CellFailed(f"{Path(nb_path).name} gave {output.size} outputs for {inputs.shape[0]} inputs")
    return output.reshape(inputs.shape[0], -1)


# With GLOG_v=3 Paddle Lite names the kernel it picked for every op when it builds the program:
#   "Found the attr '__@kernel_type_attr@__': conv2d/int8_out/4/2/1 for conv2d"  (op/alias/target/precision/layout)
KERNEL_LINE = re.compile(r"kernel_type_attr@__': ([A-Za-z0-9_]+)/([A-Za-z0-9_]+)/(\d+)/(\d+)/(\d+) for ")
PRECISIONS = {0: "unknown", 1: "fp32", 2: "int8", 3: "int32", 4: "any", 5: "fp16", 6: "bool", 7: "int64", 8: "int16"}
COMPUTE_OPS = ("conv2d", "depthwise_conv2d", "fc", "matmul", "matmul_v2", "mul")


def parse_kernels(log):
    """{"conv2d/int8_out int8": count, ...} from a GLOG_v=3 log of Paddle Lite (pure)."""
    picked = {}
    for op, alias, _target, precision, _layout in KERNEL_LINE.findall(log):
        key = f"{op}/{alias} {PRECISIONS.get(int(precision), precision)}"
        picked[key] = picked.get(key, 0) + 1
    return picked


def int8_share(picked):
    """(conv/fc kernels that are int8, all conv/fc kernels) of parse_kernels' answer (pure)."""
    compute = {k: n for k, n in picked.items() if k.split("/")[0] in COMPUTE_OPS}
    return sum(n for k, n in compute.items() if k.endswith(" int8")), sum(compute.values())


def arm_kernels(library, nb_path, cpu, timeout_s=900):
    """The kernels Paddle Lite's ARM library picks for a model, from its verbose log (one run, one input)."""
    command = [*qemu_command(cpu), str(library.program), "--model", str(nb_path), "--warmup", "0", "--repeats", "1"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, preexec_fn=die_with_parent,
                              env={**os.environ, "GLOG_v": "3"})
    except subprocess.TimeoutExpired as exc:
        raise CellFailed(f"{Path(nb_path).name} did not finish within {timeout_s} s under qemu") from exc
    if done.returncode != 0:
        raise CellFailed(f"{exit_reason(done.returncode)}: {failure_reason(done.stderr + done.stdout)}")
    return parse_kernels(done.stderr)
