"""Two runs side by side, cell by cell, the way `pyperf compare_to` reads them (pure).

For each cell measured in both runs: the ratio of medians NEW / OLD and a bootstrap confidence interval
of that ratio (the samples of each run resampled with replacement); "slower" when the whole interval
lies above 1, "faster" when it lies below, else "no significant difference"; a cell marked unstable
in either run says so.
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

    @property
    def verdict(self):
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


def compare_runs(old_results, new_results, groups=None, **options):
    """(comparisons of the cells both runs measured, cell ids only one run measured). The medians are
    the tables' (over rounds); the interval resamples every timed run. `groups`: the registry's
    architectures, for the stability marks."""
    old = {cell_id(r.cell): r for r in old_results if r.ok}
    new = {cell_id(r.cell): r for r in new_results if r.ok}
    marks = [unstable_cells(list(run.values()), groups or {}, limits_of(list(run.values()))) for run in (old, new)]
    rows = []
    for key in sorted(old.keys() & new.keys()):
        old_ms, new_ms = old[key].measurement.samples_ms, new[key].measurement.samples_ms
        _, low, high = ratio_interval(old_ms, new_ms, **options)
        old_median, new_median = cell_stats(old[key])["median_ms"], cell_stats(new[key])["median_ms"]
        where = " and ".join(name for name, found in zip(("OLD", "NEW"), marks) if key in found)
        rows.append(CellComparison(key, old_median, new_median, new_median / old_median, low, high, where))
    return rows, sorted(old.keys() ^ new.keys())


def to_text(rows, unmatched, old_name, new_name):
    lines = [f"{'cell':<36} {old_name[-18:]:>18} {new_name[-18:]:>18}   ratio (95% CI)          verdict"]
    for row in rows:
        lines.append(f"{row.cell:<36} {row.old_median_ms:>15.2f} ms {row.new_median_ms:>15.2f} ms   "
                     f"{row.ratio:.3f} ({row.low:.3f}-{row.high:.3f})   {row.verdict}"
                     + (f" (unstable in {row.unstable}: not to be trusted)" if row.unstable else ""))
    if unmatched:
        lines.append(f"measured in one run only: {', '.join(unmatched)}")
    return "\n".join(lines) + "\n"
