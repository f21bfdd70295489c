"""Two runs side by side, cell by cell, the way `pyperf compare_to` reads them (pure).

For each cell measured in both runs: the ratio of medians NEW / OLD and a bootstrap confidence interval
of that ratio (the samples of each run resampled with replacement); "slower" when the whole interval
lies above 1, "faster" when it lies below, else "no significant difference"; a cell marked unstable
in either run says so.

Only like is compared with like: a cell whose model file (sha256), runner or target differs between
the runs gets no verdict ("not comparable", with the reason); other option differences (warm-up,
repeats, power mode) are named beside the verdict. Runs from different machines (SoC, CPU model, ABI)
are refused unless the caller allows it (`--across-machines`), and the header then says so.
"""
from dataclasses import dataclass

import numpy as np

from lite.bench.cells import cell_id
from lite.bench.stability import limits_of, unstable_cells
from lite.bench.stats import cell_stats

RESAMPLES = 2000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class CellComparison:
    cell: str
    old_median_ms: float
    new_median_ms: float
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


def ratio_interval(old_ms, new_ms, resamples=RESAMPLES, confidence=CONFIDENCE, seed=0):
    """(median ratio, low, high) of NEW / OLD by the bootstrap."""
    old_ms, new_ms = np.asarray(old_ms, dtype=float), np.asarray(new_ms, dtype=float)
    rng = np.random.default_rng(seed)
    old_boot = np.median(rng.choice(old_ms, (resamples, old_ms.size)), axis=1)
    new_boot = np.median(rng.choice(new_ms, (resamples, new_ms.size)), axis=1)
    ratios = new_boot / old_boot
    tail = (1 - confidence) / 2
    return (float(np.median(new_ms) / np.median(old_ms)), float(np.quantile(ratios, tail)),
            float(np.quantile(ratios, 1 - tail)))


BLOCKING = {"model file": lambda r: (r.model_file or {}).get("sha256"), "runner": lambda r: r.runner,
            "target": lambda r: r.cell.target}
NOTED = {"warm-up": lambda r: r.cell.warmup, "repeats": lambda r: r.cell.repeats,
         "power mode": lambda r: r.cell.power_mode}


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


def compare_runs(old_results, new_results, groups=None, **options):
    """(comparisons of the cells both runs measured, cell ids only one run measured). The medians are
    the tables' (over rounds); the interval resamples every timed run. `groups`: the registry's
    architectures, for the stability marks. Whether the machines match is the caller's check
    (machines_differ)."""
    old = {cell_id(r.cell): r for r in old_results if r.ok}
    new = {cell_id(r.cell): r for r in new_results if r.ok}
    marks = [unstable_cells(list(run.values()), groups or {}, limits_of(list(run.values()))) for run in (old, new)]
    rows = []
    for key in sorted(old.keys() & new.keys()):
        old_ms, new_ms = old[key].measurement.samples_ms, new[key].measurement.samples_ms
        _, low, high = ratio_interval(old_ms, new_ms, **options)
        old_median, new_median = cell_stats(old[key])["median_ms"], cell_stats(new[key])["median_ms"]
        where = " and ".join(name for name, found in zip(("OLD", "NEW"), marks) if key in found)
        rows.append(CellComparison(key, old_median, new_median, new_median / old_median, low, high, where,
                                   _differences(BLOCKING, old[key], new[key]), _differences(NOTED, old[key], new[key])))
    return rows, sorted(old.keys() ^ new.keys())


def to_text(rows, unmatched, old_name, new_name, across_machines=""):
    lines = [f"ACROSS MACHINES (asked for with --across-machines): {across_machines}; a ratio then mixes the "
             f"machines' speed with the change"] if across_machines else []
    lines.append(f"{'cell':<36} {old_name[-18:]:>18} {new_name[-18:]:>18}   ratio (95% CI)          verdict")
    for row in rows:
        ratio = "-" if row.not_comparable else f"{row.ratio:.3f} ({row.low:.3f}-{row.high:.3f})"
        lines.append(f"{row.cell:<36} {row.old_median_ms:>15.2f} ms {row.new_median_ms:>15.2f} ms   "
                     f"{ratio:<23} {row.verdict}"
                     + (f" ({row.differs} differ)" if row.differs and not row.not_comparable else "")
                     + (f" (unstable in {row.unstable}: not to be trusted)" if row.unstable else ""))
    if unmatched:
        lines.append(f"measured in one run only: {', '.join(unmatched)}")
    return "\n".join(lines) + "\n"
