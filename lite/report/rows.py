"""The rows the latency tables are built from: typed records made from result files, read by the tables,
the plots and the many-device comparison alike (pure data)."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CellFigures:
    """A measured cell: the median over rounds, the pooled samples' spread, and why it is untrusted (if so)."""
    median_ms: float  # the median of the rounds' medians
    estimate_ms: float  # the run's estimator's value: the tables' headline (lite.bench.estimators)
    estimator: str  # its name
    estimates: dict  # {estimator name: ms}: every estimator's value, for the CSV
    p90_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float
    std_ms: float
    cv: float
    n: int  # timed samples, every round pooled
    rounds: int
    round_spread: float  # (max - min) / min of the estimator's per-round values; 0 with one round
    precision: float  # the half-width of the estimate's 95% two-level bootstrap interval, relative
    cpus_used: tuple = ()
    unstable: tuple = ()  # the reasons not to trust it; empty when it can be trusted
    init_ms: float = None  # predictor creation (model load), the first round's
    first_run_ms: float = None  # the first inference after it, the first round's
    peak_rss_mib: float = None  # the benchmark process's peak resident memory, the first round's
    threads_used: int = None  # the threads the math library ran (fewer than asked when capped at the CPUs there are)
    gflop_per_s: float = None  # the model's FLOPs (at the cell's input) / the figure
    peak_gflop_per_s: float = None  # the cores it ran on at their peak (lite.devices.cores); None: unknown
    placement: tuple = ()  # why its threads may not have had the big cores (lite.devices.placement)
    failed = False

    @property
    def peak_share(self):
        return self.gflop_per_s / self.peak_gflop_per_s if self.gflop_per_s and self.peak_gflop_per_s else None


@dataclass(frozen=True)
class FailedCell:
    error: str
    failed = True


@dataclass(frozen=True)
class LatencyRow:
    """One model, variant and engine of one device: its cells by thread count."""
    model: str
    variant: str
    target: str
    storage_bytes: int
    engine: str = "paddle-lite"
    spec: object = None  # the registry's ModelSpec (None for a model the registry no longer has)
    weights_origin: str = None
    calibration: str = None
    published: dict = field(default_factory=dict)  # the registry's published figures of the model
    cells: dict = field(default_factory=dict)  # {threads: CellFigures or FailedCell}


@dataclass(frozen=True)
class ComparisonRow:
    """One model, variant and thread count across devices (report.py --device-folders)."""
    model: str
    variant: str
    threads: int
    cells: dict  # {device folder name: CellFigures, FailedCell or None}
    published: float = None  # the published SD855 ms, when a device is one and the variant has a figure
    spreads: dict = field(default_factory=dict)  # {SoC: (units, spread)} of SoCs with several units
