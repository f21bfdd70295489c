"""One profiling pass per cell on the device, after the timed rounds (`run_sd855.py --profile`).

`mnv1_bench` built against a Paddle Lite library with its operator profiler (`--profile-build-dir`) is
pushed beside the timed one (WORKDIR/profile/bin, WORKDIR/profile/lib) and run once per model, variant and
thread count with no warm-up and PROFILE_REPEATS runs; its log holds the operator tables. Profiling adds
time to every operator, so nothing of this pass ever enters a latency figure.
"""
from pathlib import Path

from lite.bench.device_runners import CxxRunner, q, shape_argument
from lite.bench.op_profile import PROFILER_BUILD, has_profiler
from lite.devices.facts import join
from lite.errors import DeviceTimeout, ToolkitError
from lite.runtime.arm_check import PROFILE_ATTEMPTS, PROFILE_REPEATS
from lite.runtime.arm_library import LIGHT_API
from lite.runtime.failures import failure_reason
from lite.util.text import exit_reason


class ProfileRunner(CxxRunner):
    """The profiler build of mnv1_bench in WORKDIR/profile, run on the models the timed runner pushed."""
    name = "cxx-profile"

    def __init__(self, device, workdir, machine, cell_timeout_s, build_dir):
        super().__init__(device, join(workdir, "profile"), machine, cell_timeout_s, build_dir)
        self.models_dir = join(workdir, "models")

    def remote_model(self, cell):
        return join(self.models_dir, Path(cell.nb_path).name)

    def command(self, cell):
        return (f"cd {q(self.workdir)} && LD_LIBRARY_PATH={q(join(self.workdir, 'lib'))} "
                f"{q(join(self.workdir, 'bin', 'mnv1_bench'))} --model {q(self.remote_model(cell))} "
                f"--threads {int(cell.threads)} --power_mode {q(cell.power_mode)} --warmup 0 "
                f"--repeats {PROFILE_REPEATS} --input_shape {shape_argument(cell)}")

    def profile(self, cell):
        """(the pass's log, its seconds as the device shell took them) or (None, the reason it failed). A pass
        killed by a signal runs again, up to PROFILE_ATTEMPTS in all, as on this host (lite.runtime.arm_check)."""
        import time
        for _attempt in range(PROFILE_ATTEMPTS):
            started = time.monotonic()
            try:
                done = self.device.shell(self.command(cell), timeout_s=self.cell_timeout_s)
            except DeviceTimeout:
                return None, f"timed out after {self.cell_timeout_s:.0f} s"
            if done.exit_code == 0:
                return done.stdout + done.stderr, time.monotonic() - started
            if 0 < done.exit_code <= 128:  # an exit of its own, not a signal: no second try
                break
        return None, f"{exit_reason(done.exit_code)}: {failure_reason(done.stderr + done.stdout)}"


def profile_build(build_dir):
    """The profiler build's folder, checked: its mnv1_bench is there and its library has the profiler;
    ToolkitError (one line, what to build) when not."""
    build_dir = Path(build_dir)
    library = build_dir / "lib" / LIGHT_API
    if not (build_dir / "bin" / "mnv1_bench").is_file() or not library.is_file():
        raise ToolkitError(f"--profile needs mnv1_bench built against Paddle Lite with its operator profiler in "
                           f"--profile-build-dir (no bin/mnv1_bench and lib/{LIGHT_API} in {build_dir}): "
                           f"{PROFILER_BUILD}")
    if not has_profiler(library.read_bytes()):
        raise ToolkitError(f"{library} has no operator profiler (a release library never has): {PROFILER_BUILD}")
    return build_dir
