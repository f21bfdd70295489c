"""The one-device job: read the device's facts, plan, choose the runner, push what changed, sweep, and
write the latency and size tables into RESULTS/<name>/."""
from dataclasses import dataclass
from pathlib import Path

from lite.bench.cells import cell_id
from lite.bench.device_profile import ProfileRunner, profile_build
from lite.bench.device_runners import BenchmarkBinRunner, CxxRunner, PythonRunner
from lite.bench.parallel import FolderClaims, ProgressBoard
from lite.bench.plan import plan_cells
from lite.bench.push_gate import GatedDevice, PushGate
from lite.bench.sweep import run_sweep
from lite.devices.facts import abi_mismatch, cxx_build_target, is_sd855, model_target_for, read_device_facts
from lite.devices.sync import sync_files
from lite.errors import ToolkitError
from lite.jobs.options import SweepOutcome
from lite.models.store import ModelStore
from lite.report.ops import profiled_cell, write_ops
from lite.report.sizes import size_rows_of, write_size_report
from lite.report.writer import write_reports
from lite.runtime.library_checks import pre_push_warnings
from lite.util.files import ensure_writable_dir
from lite.util.text import safe_name


@dataclass(frozen=True)
class DeviceSlot:
    """One device's place in a many-device sweep: the push gate and folder claims shared with the other
    devices, the progress board, and the facts recorded in every result's schedule."""
    serial: str
    gate: PushGate
    board: ProgressBoard
    claims: FolderClaims
    devices: tuple  # every serial of the sweep
    overlap_push: bool

    def mark(self, **changes):
        self.board.update(self.serial, **changes)

    def say(self):
        return self.board.device_say(self.serial)

    def schedule_facts(self):
        return {"fleet": {"devices": list(self.devices), "overlap_push": self.overlap_push}}


def result_folder(results_root, machine, requested=None):
    """RESULTS/<name>: `requested` (--name), else the device's short name; always a plain child of the root."""
    name = safe_name(requested) if requested else safe_name(machine.short_name)
    folder = Path(results_root) / name
    if folder.resolve().parent != Path(results_root).resolve():  # never outside the results root
        raise ToolkitError(f"results folder {folder} is not inside {results_root}")
    return folder


def build_dir_for(build_dirs, abi):
    """The --build-dir given for `abi`, else the one given for every ABI, else None (pure)."""
    chosen = dict(build_dirs)
    return chosen.get(abi) or chosen.get(None)


def make_runner(on_device, cell_timeout_s, device, machine, workdir):
    """The runner chosen by `on_device.runner`, after checking that its program is there and fits the ABI."""
    if on_device.runner == "python":
        return PythonRunner(device, workdir, machine, cell_timeout_s)
    if on_device.runner == "benchmark_bin":
        if not on_device.benchmark_bin or not Path(on_device.benchmark_bin).is_file():
            raise ToolkitError("--runner benchmark_bin needs --benchmark-bin PATH (Paddle Lite's benchmark_bin "
                               "for the device's ABI, from its releases or its build)")
        mismatch = abi_mismatch(on_device.benchmark_bin, machine.abi)
        if mismatch:
            raise ToolkitError(f"{mismatch}: pass the benchmark_bin built for {machine.abi}")
        return BenchmarkBinRunner(device, workdir, machine, cell_timeout_s, on_device.benchmark_bin, on_device.lib_dir)
    build = cxx_build_target(machine)
    build_dir = Path(build_dir_for(on_device.build_dirs, machine.abi) or f"build/cxx_demo/{build or 'unknown'}")
    how = (f"cxx_demo/build.sh --target {build} --lite-dir <Paddle Lite inference library>"
           + (" --ndk <Android NDK>" if build and build.startswith("android") else "")) if build else \
        f"a build for ABI {machine.abi} (none is known)"
    if not (build_dir / "bin" / "mnv1_bench").is_file():
        raise ToolkitError(f"no mnv1_bench for {machine.abi} in {build_dir}; build it with: {how}")
    mismatch = abi_mismatch(build_dir / "bin" / "mnv1_bench", machine.abi)
    if mismatch:
        raise ToolkitError(f"{mismatch}; build for it with: {how}")
    return CxxRunner(device, workdir, machine, cell_timeout_s, build_dir)


def make_profiler(on_device, cell_timeout_s, device, machine, workdir):
    """The profiling runner of `--profile`, its build checked before anything is pushed."""
    if on_device.runner != "cxx":
        raise ToolkitError(f"--profile runs mnv1_bench (the cxx runner), not --runner {on_device.runner}")
    build = cxx_build_target(machine)
    build_dir = profile_build(on_device.profile_build_dir or f"build/cxx_demo/{build or 'unknown'}-profile")
    mismatch = abi_mismatch(build_dir / "bin" / "mnv1_bench", machine.abi)
    if mismatch:
        raise ToolkitError(f"--profile-build-dir: {mismatch}")
    return ProfileRunner(device, workdir, machine, cell_timeout_s, build_dir)


def profile_cells(profiler, cells, machine, result_dir, say, mark):
    """One profiling pass per cell, after every timed round; ops/<cell>.json, ops.csv and ops.md. Their paths."""
    mark(phase="profiling")
    sync_files(profiler.device, profiler.files(), profiler.executables(), say=say)
    entries, documents = [], {}
    for cell in cells:
        name = cell_id(cell)
        log, seconds = profiler.profile(cell)
        done = profiled_cell(name, log, seconds, machine.emulated) if log is not None else None
        if done is None:
            say(f"profile {name}: FAIL: {seconds if log is None else 'the library printed no operator table'}")
            continue
        entry, documents[name] = done
        entries.append(entry)
        say(f"profile {name}: {len(entry[2])} layers, {entry[3]}"
            + (" (EMULATED" if machine.emulated else " (") + f"; pass {seconds:.1f} s, never a latency figure)")
    return write_ops(result_dir, entries, documents, emulated=machine.emulated) if entries else []


def say_what_it_is(machine, result_dir, say):
    say(f"  {machine.model_name or '?'}, SoC {machine.soc or '?'}, ABI {machine.abi}, "
        f"{machine.core_count} CPUs, {machine.os}")
    if machine.emulated:
        say(f"note: this device says it is emulated (ro.kernel.qemu=1): its figures are never a phone's; "
            f"results go to {result_dir}, marked emulated, and are not compared with published figures")
    elif not is_sd855(machine):
        say(f"warning: this device's SoC is {machine.soc or 'unknown'}, not a Snapdragon 855 "
            f"(SM8150/msmnile); results go to {result_dir} and are not compared with the "
            f"published SD855 figures")


def _progress_only(on_progress):
    """A device alone has no board: of its marks, only the measurement count goes to `on_progress`."""
    def mark(**changes):
        if on_progress and "done" in changes:
            on_progress(changes["done"], changes["total"])
    return mark


def sweep_one_device(device, sweep, on_device, *, say=print, slot=None, on_progress=None):
    """Check, push, sweep and report on one opened device; a SweepOutcome. `slot`: the device's DeviceSlot
    in a many-device sweep (its folder is then RESULTS/<short name>-<serial>/), None alone; `on_progress(done,
    total)` after each measurement of a device alone (a many-device sweep shows its board instead)."""
    mark = slot.mark if slot else _progress_only(on_progress)
    say(f"device: {device.description}")
    mark(phase="reading its facts")
    machine = read_device_facts(device)  # once: the runner and the engine are given these
    if slot:
        result_dir = result_folder(sweep.results_root, machine, f"{machine.short_name}-{slot.serial}")
        slot.claims.claim(result_dir, slot.serial)
    else:
        result_dir = result_folder(sweep.results_root, machine, on_device.name)
    mark(folder=result_dir.name)
    say_what_it_is(machine, result_dir, say)
    if slot:
        device = GatedDevice(device, slot.gate, slot.serial)
    target = on_device.model_target if on_device.model_target != "auto" else model_target_for(machine.abi)
    cells = plan_cells(ModelStore(sweep.models_dir), sweep.models, sweep.variants, sweep.threads, target,
                       power_mode=sweep.power_mode, warmup=sweep.warmup, repeats=sweep.repeats, with_reference=False,
                       input_shape=sweep.input_shape)
    ensure_writable_dir(result_dir / "raw")
    workdir = on_device.device_dir or device.default_workdir
    runner = make_runner(on_device, sweep.cell_timeout_s, device, machine, workdir)
    profiler = make_profiler(on_device, sweep.cell_timeout_s, device, machine, workdir) if on_device.profile else None
    files = dict(runner.files())
    opt_versions = {(cell.model_file.manifest or {}).get("opt_version") for cell in cells}
    for warning in pre_push_warnings(files.values(), opt_versions, android=machine.kind == "android"):
        say(f"warning: {warning}")
    for cell in cells:
        files[runner.remote_model(cell)] = cell.model_file
    mark(phase="pushing")
    sync_files(device, files, runner.executables(), say=say)
    say(f"benchmarking {len(cells)} cells with the {runner.name} runner (power mode {sweep.power_mode}, "
        f"warm-up {sweep.warmup}, repeats {sweep.repeats}, cooldown {sweep.cooldown_s:g} s)")
    mark(phase="measuring")
    summary = run_sweep(cells, runner, machine, result_dir, say=say,
                        guard=(lambda: slot.gate.measuring(slot.serial)) if slot else None,
                        on_progress=lambda done, total: mark(done=done, total=total),
                        schedule_extra=slot.schedule_facts() if slot else None, **sweep.engine_options())
    profile_paths = profile_cells(profiler, cells, machine, result_dir, say, mark) if profiler else []
    mark(phase="writing reports")
    paths, problems = write_reports(result_dir)
    paths += profile_paths
    paths += write_size_report(size_rows_of(cells), result_dir)
    return SweepOutcome(result_dir, tuple(paths), tuple(problems), summary)
