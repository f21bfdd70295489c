"""One self-describing result file per benchmark cell, as a versioned type.

A file holds the cell's options, the model file's identity, every timed sample and every warm-up
sample in ms, the machine and its temperatures: enough to rebuild any table later. Statistics are
never stored; lite.bench.stats derives them from the samples. Loading checks every field the
reports read, migrates older versions, and names the file and what is wrong otherwise.
"""
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lite.bench.cells import CellOptions, cell_id
from lite.bench.stats import cell_stats
from lite.devices.machine_facts import MachineFacts, as_facts
from lite.errors import ResultFileError
from lite.models.engines import ENGINES
from lite.util.files import atomic_write_json

SCHEMA_NAME = "mnv1-bench-result"
# 4: the cell's `input_shape` and `engine` (before: 1x3x224x224 on paddle-lite), the schedule's `estimator` and
# `max_rounds` (a reader of 3 would take a 230x230
# run for a 224x224 one); 3: rounds (`rounds`, `schedule`, `earlier_attempts`); 2: warm-up samples kept; 1 had none
SCHEMA_VERSION = 4
SCHEMA = f"{SCHEMA_NAME}/{SCHEMA_VERSION}"
READABLE_VERSIONS = (1, 2, 3, 4)
RAW_DIR = "raw"
# The program's own summary is dropped: numbers in reports come from the samples alone.
_PROGRAM_SUMMARY_KEYS = ("min_ms", "max_ms", "mean_ms", "median_ms", "std_ms", "p90_ms")
_MEASUREMENT_FIELDS = ("samples_ms", "warmup_samples_ms", "init_ms", "first_run_ms", "cpus_used")


@dataclass(frozen=True)
class Measurement:
    samples_ms: tuple
    warmup_samples_ms: tuple = None  # None: not recorded (older files, benchmark_bin)
    init_ms: float = None
    first_run_ms: float = None
    cpus_used: tuple = ()
    extra: dict = field(default_factory=dict)  # the program's other keys: top5, math_threads, sample_kind ...

    @classmethod
    def from_program(cls, bench):
        """From a benchmark program's JSON dict; its own summary statistics are dropped."""
        extra = {k: v for k, v in bench.items() if k not in _MEASUREMENT_FIELDS and k not in _PROGRAM_SUMMARY_KEYS}
        warmup = bench.get("warmup_samples_ms")
        return cls(tuple(bench["samples_ms"]), None if warmup is None else tuple(warmup), bench.get("init_ms"),
                   bench.get("first_run_ms"), tuple(bench.get("cpus_used") or ()), extra)

    def as_dict(self):
        return {**self.extra, "samples_ms": list(self.samples_ms),
                "warmup_samples_ms": None if self.warmup_samples_ms is None else list(self.warmup_samples_ms),
                "init_ms": self.init_ms, "first_run_ms": self.first_run_ms, "cpus_used": list(self.cpus_used)}


@dataclass(frozen=True)
class RoundResult:
    """One round of a cell: one fresh process, its samples and what the machine did meanwhile."""
    round: int
    measurement: Measurement = None
    error: str = None
    position: int = None  # where the cell ran in its round's shuffled order (1 = first)
    started_at: str = ""
    finished_at: str = ""
    temperatures_before_c: dict = field(default_factory=dict)
    temperatures_after_c: dict = field(default_factory=dict)
    cooling: dict = field(default_factory=dict)
    interference: dict = field(default_factory=dict)  # machine.interference(): what else used the CPUs

    @property
    def ok(self):
        return self.error is None and self.measurement is not None

    def as_dict(self):
        return {"round": self.round, "position": self.position, "error": self.error,
                "started_at": self.started_at, "finished_at": self.finished_at,
                "temperatures_before_c": self.temperatures_before_c,
                "temperatures_after_c": self.temperatures_after_c, "cooling": self.cooling,
                "interference": self.interference,
                "measurement": None if self.measurement is None else self.measurement.as_dict()}


def pooled(measurements):
    """One Measurement of several rounds: their samples in order (the first round's other keys)."""
    measurements = [m for m in measurements if m is not None]
    if not measurements:
        return None
    if len(measurements) == 1:
        return measurements[0]
    first = measurements[0]
    warmups = [m.warmup_samples_ms for m in measurements]
    return Measurement(tuple(v for m in measurements for v in m.samples_ms),
                       None if any(w is None for w in warmups) else tuple(v for w in warmups for v in w),
                       first.init_ms, first.first_run_ms,
                       tuple(sorted({cpu for m in measurements for cpu in m.cpus_used})), first.extra)


@dataclass(frozen=True)
class CellResult:
    """A cell's rounds (the latest attempt's; `earlier_attempts` keeps the ones re-measured as unstable).

    `measurement`, the temperatures, times and interference are read from the rounds."""
    cell: CellOptions
    status: str  # "ok" or "failed"
    error: str = None
    runner: str = None
    model_file: dict = field(default_factory=dict)  # file, sha256, storage_bytes
    machine: MachineFacts = field(default_factory=MachineFacts)
    rounds: tuple = ()  # RoundResult, in the order they ran
    schedule: dict = field(default_factory=dict)  # rounds asked for, seed, attempt, stability limits
    earlier_attempts: tuple = ()  # dicts: {attempt, reasons, rounds: [round dicts]}

    def __post_init__(self):
        object.__setattr__(self, "machine", as_facts(self.machine))  # a dict (a test's, say) becomes the record

    @property
    def ok(self):
        return self.status == "ok"

    @cached_property  # computed once per (immutable) result; frozen dataclasses allow it
    def measurement(self):
        """Every timed sample of the rounds, pooled (None when no round measured)."""
        return pooled(r.measurement for r in self.rounds)

    @property
    def rounds_ms(self):
        """The timed samples of each measured round, in round order: what every estimator takes."""
        return [r.measurement.samples_ms for r in self.rounds if r.ok]

    @cached_property
    def stats(self):
        """lite.bench.stats.cell_stats of this result, computed once: the stability checks, the twins and
        the tables all read it, and its interval is a bootstrap."""
        return cell_stats(self)

    @property
    def temperatures_before_c(self):
        return self.rounds[0].temperatures_before_c if self.rounds else {}

    @property
    def temperatures_after_c(self):
        return self.rounds[-1].temperatures_after_c if self.rounds else {}

    @property
    def cooling(self):
        return self.rounds[0].cooling if self.rounds else {}

    @property
    def started_at(self):
        return min((r.started_at for r in self.rounds), default="")

    @property
    def finished_at(self):
        return max((r.finished_at for r in self.rounds), default="")

    @property
    def interference(self):
        """The round where other work took most of the CPUs (the one that matters for trust)."""
        return max((r.interference for r in self.rounds), key=lambda i: i.get("other_cores") or 0, default={})

    def as_dict(self):
        measurement = self.measurement
        return {"schema": SCHEMA, "status": self.status, "error": self.error, "cell": self.cell.as_dict(),
                "runner": self.runner, "model_file": self.model_file, "machine": self.machine.as_dict(),
                "schedule": self.schedule, "rounds": [r.as_dict() for r in self.rounds],
                "earlier_attempts": list(self.earlier_attempts),
                # Derived from the rounds, for readers of one file (loading reads the rounds):
                "started_at": self.started_at, "finished_at": self.finished_at,
                "temperatures_before_c": self.temperatures_before_c,
                "temperatures_after_c": self.temperatures_after_c, "interference": self.interference,
                "measurement": None if measurement is None else measurement.as_dict()}


def _numbers(values, what):
    if not isinstance(values, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                               and math.isfinite(v) for v in values):
        raise ValueError(f"'{what}' must be a list of finite numbers")
    return tuple(float(v) for v in values)


def _cell_options(data):
    if not isinstance(data, dict):
        raise ValueError("it has no 'cell' object")
    try:
        options = CellOptions(**{name: data[name] for name in CellOptions.__dataclass_fields__
                                 if name in data or name not in ("input_shape", "engine")})  # files before 4
    except KeyError as exc:
        raise ValueError(f"its 'cell' lacks '{exc.args[0]}'") from None
    except (TypeError, ValueError):
        raise ValueError("its cell's 'input_shape' is not a list of whole numbers") from None
    if len(options.input_shape) != 4 or not all(0 < n <= 4096 for n in options.input_shape):
        raise ValueError("its cell's 'input_shape' is not N,C,H,W within 1..4096")
    if options.engine not in ENGINES:
        raise ValueError(f"its cell's engine is none of {', '.join(ENGINES)}")
    if not isinstance(options.threads, int) or options.threads < 1:
        raise ValueError("its cell's 'threads' is not a positive whole number")
    return options


def _measurement(data, status):
    if data is None:
        if status == "ok":
            raise ValueError("status is 'ok' but it has no measurement")
        return None
    if not isinstance(data, dict) or "samples_ms" not in data:
        raise ValueError("its measurement lacks 'samples_ms'")
    samples = _numbers(data["samples_ms"], "samples_ms")
    if status == "ok" and not samples:
        raise ValueError("status is 'ok' but 'samples_ms' is empty")
    warmup = data.get("warmup_samples_ms")
    bench = dict(data, samples_ms=list(samples),
                 warmup_samples_ms=None if warmup is None else list(_numbers(warmup, "warmup_samples_ms")))
    return Measurement.from_program(bench)


def _round(data, status):
    if not isinstance(data, dict) or not isinstance(data.get("round"), int):
        raise ValueError("a round lacks its 'round' number")
    return RoundResult(round=data["round"], measurement=_measurement(data.get("measurement"), status if
                                                                    data.get("error") is None else "failed"),
                       error=data.get("error"), position=data.get("position"),
                       started_at=data.get("started_at") or "", finished_at=data.get("finished_at") or "",
                       temperatures_before_c=data.get("temperatures_before_c") or {},
                       temperatures_after_c=data.get("temperatures_after_c") or {},
                       cooling=data.get("cooling") or {}, interference=data.get("interference") or {})


def _rounds(data, status, version):
    if version < 3:  # one round, its fields at the top level
        return (_round(dict(data, round=1, error=None if status == "ok" else data.get("error")), status),)
    rounds = data.get("rounds")
    if not isinstance(rounds, list) or (status == "ok" and not rounds):
        raise ValueError("its 'rounds' is not a list of rounds")
    return tuple(_round(r, status) for r in rounds)


def parse_result(data):
    """A CellResult from a result file's JSON (pure); ValueError saying what is wrong.
    Version 1 and 2 files are read as one round (version 1 with `warmup_samples_ms` None)."""
    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    schema = str(data.get("schema", ""))
    name, _, version = schema.partition("/")
    if name != SCHEMA_NAME or not version.isdigit() or int(version) not in READABLE_VERSIONS:
        raise ValueError(f"unknown schema '{schema}' (this toolkit reads {SCHEMA_NAME}/"
                         f"{', /'.join(map(str, READABLE_VERSIONS))})")
    status = data.get("status")
    if status not in ("ok", "failed"):
        raise ValueError(f"its status is '{status}', not 'ok' or 'failed'")
    model_file = data.get("model_file")
    if not isinstance(model_file, dict) or not isinstance(model_file.get("storage_bytes"), int):
        raise ValueError("its 'model_file' lacks 'storage_bytes'")
    return CellResult(
        cell=_cell_options(data.get("cell")), status=status, error=data.get("error"), runner=data.get("runner"),
        model_file=model_file, machine=MachineFacts.from_dict(data.get("machine")), rounds=_rounds(data, status,
                                                                                                   int(version)),
        schedule=data.get("schedule") or {}, earlier_attempts=tuple(data.get("earlier_attempts") or ()))


def result_path(result_dir, cell):
    return Path(result_dir) / RAW_DIR / f"{cell_id(cell)}.json"


def write_result(result_dir, result):
    path = result_path(result_dir, result.cell)
    atomic_write_json(path, result.as_dict())
    return path


def load_result(path):
    """The CellResult in `path`; ResultFileError naming the file and what is wrong."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ResultFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        data = json.loads(text)
    except ValueError:
        raise ResultFileError(path, "is not valid JSON (truncated or edited?)") from None
    try:
        return parse_result(data)
    except ValueError as exc:
        raise ResultFileError(path, str(exc)) from None


def read_result(result_dir, cell):
    """The earlier result of `cell`, or None when there is none or it cannot be loaded."""
    try:
        return load_result(result_path(result_dir, cell))
    except ResultFileError:
        return None


@dataclass(frozen=True)
class LoadedResults:
    results: tuple
    problems: tuple  # ResultFileError per file that could not be loaded


def load_results(result_dir):
    """Every result file of a result folder, sorted by file name, and the files that failed to load."""
    folder = Path(result_dir) / RAW_DIR
    results, problems = [], []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            results.append(load_result(path))
        except ResultFileError as exc:
            problems.append(exc)
    return LoadedResults(tuple(results), tuple(problems))


def is_complete(result, cell, model_sha256=None, runner=None, device=None, rounds=1):
    """A result counts as done for `cell` only when it measured the same options successfully in at least
    `rounds` rounds, on the same model bytes (sha256), with the same runner, on the same device (each when given)."""
    if result is None or not result.ok or result.cell != cell.options:
        return False
    expected = {"model": model_sha256, "runner": runner, "device": device}
    recorded = {"model": result.model_file.get("sha256"), "runner": result.runner,
                "device": result.machine.short_name}
    if any(value is not None and recorded[key] != value for key, value in expected.items()):
        return False
    measured = [r for r in result.rounds if r.ok]
    if len(measured) < rounds or len(measured) != len(result.rounds):
        return False
    # benchmark_bin reports one average for all its repeats (sample_kind says so).
    return all(len(r.measurement.samples_ms) == cell.repeats or bool(r.measurement.extra.get("sample_kind"))
               for r in measured)
