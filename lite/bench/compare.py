"""Two runs side by side, cell by cell, the way `pyperf compare_to` reads them (pure).

For each cell measured in both runs: the ratio of medians NEW / OLD and a bootstrap confidence interval
of that ratio (the samples of each run resampled with replacement); "slower" when the whole interval
lies above 1, "faster" when it lies below, else "no significant difference".
"""
from dataclasses import dataclass

import numpy as np

from lite.bench.cells import cell_id

RESAMPLES = 2000
CONFIDENCE = 0.95
# Twins of one architecture are flagged only when the whole interval lies more than this far from 1:
# with 100 samples a run-to-run drift of 2-4% is already "significant" and says nothing about trust.
TWIN_TOLERANCE = 0.05


@dataclass(frozen=True)
class CellComparison:
    cell: str
    old_median_ms: float
    new_median_ms: float
    ratio: float
    low: float
    high: float

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


def compare_runs(old_results, new_results, **options):
    """(comparisons of the cells both runs measured, cell ids only one run measured)."""
    old = {cell_id(r.cell): r for r in old_results if r.ok}
    new = {cell_id(r.cell): r for r in new_results if r.ok}
    rows = []
    for key in sorted(old.keys() & new.keys()):
        old_ms, new_ms = old[key].measurement.samples_ms, new[key].measurement.samples_ms
        ratio, low, high = ratio_interval(old_ms, new_ms, **options)
        rows.append(CellComparison(key, float(np.median(old_ms)), float(np.median(new_ms)), ratio, low, high))
    return rows, sorted(old.keys() ^ new.keys())


def to_text(rows, unmatched, old_name, new_name):
    lines = [f"{'cell':<36} {old_name[-18:]:>18} {new_name[-18:]:>18}   ratio (95% CI)          verdict"]
    for row in rows:
        lines.append(f"{row.cell:<36} {row.old_median_ms:>15.2f} ms {row.new_median_ms:>15.2f} ms   "
                     f"{row.ratio:.3f} ({row.low:.3f}-{row.high:.3f})   {row.verdict}")
    if unmatched:
        lines.append(f"measured in one run only: {', '.join(unmatched)}")
    return "\n".join(lines) + "\n"


def architecture_disagreements(results, groups, **options):
    """Sentences for models of one architecture (`groups`: {architecture: model names}, from the registry)
    whose medians differ beyond the measured noise (and TWIN_TOLERANCE) in the same variant and thread count: the same network
    with other weights must take the same time, so such a run is not trustworthy (pure)."""
    by_cell = {(r.cell.model, r.cell.variant, r.cell.threads, r.cell.power_mode): r for r in results if r.ok}
    found = []
    for architecture, models in groups.items():
        first, *others = models
        for (model, variant, threads, power_mode), result in sorted(by_cell.items()):
            if model != first:
                continue
            for other in others:
                twin = by_cell.get((other, variant, threads, power_mode))
                if twin is None:
                    continue
                ratio, low, high = ratio_interval(result.measurement.samples_ms, twin.measurement.samples_ms, **options)
                if low > 1 + TWIN_TOLERANCE or high < 1 / (1 + TWIN_TOLERANCE):
                    found.append(f"{other} and {first} share the {architecture} network, yet {other} {variant} at "
                                 f"{threads} thread(s) took {ratio:.2f}x the time of {first} (95% interval "
                                 f"{low:.2f}-{high:.2f}): this run is not trustworthy (interference, throttling "
                                 f"or frequency changes); rerun it")
    return found
