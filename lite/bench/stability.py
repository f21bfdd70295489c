"""Which measured cells cannot be trusted, and why (pure).

A cell is unstable when its figure is not precise enough (the 95% two-level bootstrap interval of the
run's estimator reaches further than `max_spread` from it: rounds that disagree widen it, more rounds
narrow it), when its timed runs scatter (coefficient of variation), when other work took more than a share
of a core in any round,
or when a model of the same architecture (same network, other weights: it must take the same time)
disagrees with it. The sweep re-measures such cells; the tables mark what is still unstable.
"""
from dataclasses import asdict, dataclass

from lite.bench.cells import cell_id, thread_label
from lite.bench.estimators import ESTIMATORS


@dataclass(frozen=True)
class Limits:
    max_spread: float = 0.03  # the estimate's interval half-width, relative; also the twins' ratio - 1
    max_cv: float = 0.15  # std / mean of the timed runs, pooled over rounds
    max_other_cores: float = 0.25  # CPU-seconds per second that other work may take in any round

    def as_dict(self):
        return asdict(self)

    def text(self):
        """'figure within ±3%, CV off, other work 0.25 core' for headers and messages."""
        def limit(value, scale, unit):
            return "off" if value == float("inf") else f"{scale * value:g}{unit}"
        return (f"figure within ±{limit(self.max_spread, 100, '%')}, CV {limit(self.max_cv, 100, '%')}, "
                f"other work {limit(self.max_other_cores, 1, ' core')}")

    @classmethod
    def from_dict(cls, data):
        data = data or {}
        return cls(**{k: float(data[k]) for k in cls.__dataclass_fields__ if isinstance(data.get(k), (int, float))})


def imprecise(result, limits):
    """Whether a measured cell's figure is less precise than the limit: what more rounds can mend (a high CV or
    other work in a round stay what they were)."""
    if not result.ok:
        return False
    stats = result.stats
    return stats["rounds"] > 1 and stats["precision"] > limits.max_spread


def cell_reasons(result, limits):
    """Why one measured cell is unstable: a list of short reasons, empty when it is not."""
    if not result.ok:
        return []
    stats, reasons = result.stats, []
    if stats["rounds"] > 1 and stats["precision"] > limits.max_spread:
        reasons.append(f"figure within ±{100 * stats['precision']:.1f}% only (round "
                       f"{ESTIMATORS[stats['estimator']].per_round_name} {100 * stats['round_spread']:.1f}% apart; "
                       f"limit ±{100 * limits.max_spread:g}%)")
    if stats["cv"] > limits.max_cv:
        reasons.append(f"CV {100 * stats['cv']:.1f}% (limit {100 * limits.max_cv:g}%)")
    busiest = max((r.interference.get("other_cores") or 0 for r in result.rounds), default=0)
    if busiest > limits.max_other_cores:
        reasons.append(f"other work used {busiest:.2f} cores (limit {limits.max_other_cores:g})")
    return reasons


def twin_reasons(results, groups, limits):
    """{cell id: reasons} for cells whose figure (the run's estimator) differs from a same-architecture twin's
    (same variant, threads, power mode) by more than `limits.max_spread`. `groups`: {architecture: model names}."""
    by_key = {(r.cell.model, r.cell.variant, r.cell.threads, r.cell.power_mode, r.cell.engine): r
              for r in results if r.ok}
    figure_ms = {key: result.stats["estimate_ms"] for key, result in by_key.items()}
    found = {}
    for architecture, models in groups.items():
        for (model, variant, threads, power_mode, engine), result in sorted(by_key.items()):
            if model not in models:
                continue
            for other in models:
                twin = (other, variant, threads, power_mode, engine)
                if other == model or twin not in figure_ms:
                    continue
                ratio = figure_ms[(model, variant, threads, power_mode, engine)] / figure_ms[twin]
                if abs(ratio - 1) > limits.max_spread:
                    found.setdefault(cell_id(result.cell), []).append(
                        f"{ratio:.2f}x the time of {other} {thread_label(threads)}, the same {architecture} "
                        f"network (limit {100 * limits.max_spread:g}%)")
    return found


def unstable_cells(results, groups, limits):
    """{cell id: reasons} of every unstable cell among `results`."""
    found = {cell_id(r.cell): cell_reasons(r, limits) for r in results}
    for key, reasons in twin_reasons(results, groups, limits).items():
        found.setdefault(key, []).extend(reasons)
    return {key: reasons for key, reasons in found.items() if reasons}


def limits_of(results):
    """The limits the run was measured with (its result files' schedule), else the defaults."""
    recorded = [r.schedule.get("limits") for r in results if r.schedule.get("limits")]
    return Limits.from_dict(recorded[-1]) if recorded else Limits()
