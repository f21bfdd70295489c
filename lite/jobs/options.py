"""The options and outcome a sweep job takes and returns: plain records, built from argparse by the CLI."""
from dataclasses import dataclass, field
from pathlib import Path

from lite.bench.cells import DEFAULT_INPUT_SHAPE
from lite.bench.stability import Limits
from lite.models.engines import DEFAULT_ENGINE


@dataclass(frozen=True)
class SweepOptions:
    """What every sweep takes, on this host or on a device."""
    threads: tuple
    models: tuple = None  # None: every model of the family
    variants: tuple = ("fp32",)
    models_dir: Path = Path("models")
    results_root: Path = Path("results")
    power_mode: str = "high"
    warmup: int = 20
    repeats: int = 100
    cooldown_s: float = 0.0
    max_temp_c: float = None
    max_temp_wait_s: float = 300.0
    cell_timeout_s: float = 600.0
    resume: bool = False
    rounds: int = 3
    seed: int = None
    max_retries: int = 1
    limits: Limits = field(default_factory=Limits)
    twins: dict = field(default_factory=dict)  # {architecture: model names}: the same-network check
    input_shape: tuple = DEFAULT_INPUT_SHAPE  # NCHW of the timed input
    estimator: str = "median"  # the tables' headline (lite.bench.estimators)
    max_rounds: int = None  # early stopping: rounds for a cell whose rounds disagree; None: `rounds`
    engines: tuple = (DEFAULT_ENGINE,)  # this host: lite.models.engines

    def engine_options(self):
        """The run_sweep keyword arguments these options set."""
        return {"resume": self.resume, "cooldown_s": self.cooldown_s, "max_temp_c": self.max_temp_c,
                "max_temp_wait_s": self.max_temp_wait_s, "rounds": self.rounds, "seed": self.seed,
                "max_retries": self.max_retries, "limits": self.limits, "twins": self.twins,
                "estimator": self.estimator, "max_rounds": self.max_rounds}


@dataclass(frozen=True)
class DeviceOptions:
    """What a sweep on a device takes beyond the sweep itself."""
    runner: str = "cxx"  # cxx, benchmark_bin or python
    build_dirs: tuple = ()  # ((ABI or None, path), ...) from --build-dir
    benchmark_bin: str = None
    lib_dir: str = None
    device_dir: str = None  # None: the device's default folder
    model_target: str = "auto"  # auto, arm or x86
    name: str = None  # results subfolder; None: the device's short name
    profile: bool = False  # one operator-profiling pass per cell after the timed rounds (cxx runner)
    profile_build_dir: str = None  # mnv1_bench built against the profiler library (None: <the build>-profile)


@dataclass(frozen=True)
class Connection:
    """How to reach the device or devices."""
    transport: str = "auto"
    serial: str = None
    tcp: tuple = ()  # HOST:PORT, one or several
    adb_server: str = None
    command_timeout_s: float = 60.0
    devices: object = None  # None, "all" or a tuple of serials
    overlap_push: bool = False

    @property
    def many(self):
        return bool(self.devices) or len(self.tcp) > 1


@dataclass(frozen=True)
class SweepOutcome:
    """What one sweep made: its folder, the files written, result files that could not be read, and the
    engine's SweepSummary (ran, kept, failed, unstable)."""
    result_dir: Path
    paths: tuple
    problems: tuple
    summary: object
