"""Two runs side by side, cell by cell, the way `pyperf compare_to` reads them (pure).

For each cell measured in both runs: the ratio NEW / OLD of the tables' estimate (the median of the round
medians) and a bootstrap confidence interval of that same estimate (each round's samples resampled with
replacement, then the median of the resampled round medians), so the ratio and its interval come from one
estimator; "slower" when the whole interval lies above 1, "faster" when it lies below, else "no
significant difference"; a cell marked unstable in either run says so.

Only like is compared with like: a cell whose model file (sha256), runner or target differs between
the runs gets no verdict ("not comparable", with the reason); other option differences (warm-up,
repeats, power mode) are named beside the verdict. Runs from different machines (SoC, CPU model, ABI)
are refused unless the caller allows it (`--across-machines`), and the header then says so.
"""
from dataclasses import dataclass

import numpy as np

from lite.bench.cells import cell_id
from lite.bench.estimators import ESTIMATORS, estimator_of
from lite.bench.stability import limits_of, unstable_cells
from lite.models.engines import DEFAULT_ENGINE

RESAMPLES = 2000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class CellComparison:
    cell: str
    old_ms: float  # the estimator's value
    new_ms: float
    ratio: float
    low: float
    high: float
    unstable: str = ""  # "OLD", "NEW" or "OLD and NEW": where the cell was marked unstable
    not_comparable: str = ""  # why no verdict is given (another model file, runner or target)
    differs: str = ""  # options that differ but leave the cell comparable (warm-up, repeats, power mode)

    @property
    def verdict(self):
        if self.not_comparable:
            return f"not comparable: {self.not_comparable}"
        if self.low > 1:
            return "slower"
        if self.high < 1:
            return "faster"
        return "no significant difference"


def ratio_interval(old_rounds_ms, new_rounds_ms, estimator=ESTIMATORS["median"], resamples=RESAMPLES,
                   confidence=CONFIDENCE, seed=0):
    """(ratio, low, high) of NEW / OLD: the ratio of the `estimator`'s values and its bootstrap interval, the
    same estimator on every resample. Each argument is a list of rounds, each a sequence of samples in ms."""
    rng = np.random.default_rng(seed)
    ratios = estimator.bootstrap(new_rounds_ms, rng, resamples) / estimator.bootstrap(old_rounds_ms, rng, resamples)
    tail = (1 - confidence) / 2
    return (estimator(new_rounds_ms) / estimator(old_rounds_ms), float(np.quantile(ratios, tail)),
            float(np.quantile(ratios, 1 - tail)))


BLOCKING = {"model file": lambda r: (r.model_file or {}).get("sha256"), "runner": lambda r: r.runner,
            "target": lambda r: r.cell.target}
NOTED = {"warm-up": lambda r: r.cell.warmup, "repeats": lambda r: r.cell.repeats,
         "power mode": lambda r: r.cell.power_mode, "input": lambda r: "x".join(map(str, r.cell.input_shape))}


def machine_identity(result):
    """What makes two results come from the same kind of machine (pure): kind, SoC, CPU model, ABI."""
    machine = result.machine
    return machine.kind, machine.soc, machine.cpu_model or machine.model_name, machine.abi


def machines_differ(old_results, new_results):
    """'' when both runs come from the same machines, else a sentence naming them (pure)."""
    old, new = ({machine_identity(r) for r in run} for run in (old_results, new_results))
    if old == new:
        return ""
    def show(ids):
        return "; ".join(", ".join(str(part) for part in i if part) for i in sorted(ids, key=str))
    return f"OLD ran on {show(old) or '?'}, NEW on {show(new) or '?'}"


def _differences(checks, old, new):
    found = []
    for name, value in checks.items():
        if value(old) != value(new):
            shown = [str(value(r))[:12] for r in (old, new)]
            found.append(f"{name} {shown[0]} vs {shown[1]}")
    return ", ".join(found)


def compare_runs(old_results, new_results, groups=None, estimator=None, **options):
    """(comparisons of the cells both runs measured, cell ids only one run measured). The figures are the
    tables' estimator (`estimator`, else the one the OLD run's tables use), and so are the ratio and its
    interval (ratio_interval). `groups`: the registry's architectures, for the stability marks. Whether the
    machines match is the caller's check (machines_differ)."""
    estimator = estimator or estimator_of(old_results)
    old = {cell_id(r.cell): r for r in old_results if r.ok}
    new = {cell_id(r.cell): r for r in new_results if r.ok}
    marks = [unstable_cells(list(run.values()), groups or {}, limits_of(list(run.values()))) for run in (old, new)]
    rows = []
    for key in sorted(old.keys() & new.keys()):
        old_rounds, new_rounds = old[key].rounds_ms, new[key].rounds_ms
        ratio, low, high = ratio_interval(old_rounds, new_rounds, estimator, **options)
        where = " and ".join(name for name, found in zip(("OLD", "NEW"), marks) if key in found)
        rows.append(CellComparison(key, estimator(old_rounds), estimator(new_rounds),
                                   ratio, low, high, where, _differences(BLOCKING, old[key], new[key]),
                                   _differences(NOTED, old[key], new[key])))
    return rows, sorted(old.keys() ^ new.keys())


def compare_engines(results, groups=None, baseline=DEFAULT_ENGINE, **options):
    """Each other engine's cells against `baseline`'s in the same run (same model, variant, threads and input):
    CellComparisons whose OLD is the baseline, by the run's estimator and its two-level interval."""
    ok = [r for r in results if r.ok]
    estimator = estimator_of(ok)
    marks = unstable_cells(ok, groups or {}, limits_of(ok))
    by_key = {(r.cell.model, r.cell.variant, r.cell.threads, r.cell.input_shape, r.cell.engine): r for r in ok}
    rows = []
    for (model, variant, threads, shape, engine), result in sorted(by_key.items()):
        base = by_key.get((model, variant, threads, shape, baseline))
        if engine == baseline or base is None:
            continue
        ratio, low, high = ratio_interval(base.rounds_ms, result.rounds_ms, estimator, **options)
        where = " and ".join(name for name, r in ((baseline, base), (engine, result)) if cell_id(r.cell) in marks)
        rows.append(CellComparison(cell_id(result.cell), estimator(base.rounds_ms), estimator(result.rounds_ms),
                                   ratio, low, high, where))
    return rows


def slower_than(rows, percent):
    """The trusted rows significantly slower by more than `percent` (whole interval above 1, ratio above
    1 + percent/100); unstable and not comparable rows are never counted."""
    return [row for row in rows if not row.not_comparable and not row.unstable and row.low > 1
            and row.ratio > 1 + percent / 100]
