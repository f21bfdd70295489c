"""Statistics of latency samples (pure). Results store samples; these are always derived."""
import math

import numpy as np

from lite.bench.estimators import estimates, estimator_of, precision, round_spread


def latency_stats(samples_ms):
    """min, max, mean, median, std (population), p90 and coefficient of variation, in ms."""
    samples = np.asarray(samples_ms, dtype="float64")
    if samples.size == 0:
        raise ValueError("no samples")
    mean = float(samples.mean())
    std = float(samples.std())
    return {
        "n": int(samples.size),
        "min_ms": float(samples.min()),
        "max_ms": float(samples.max()),
        "mean_ms": mean,
        "median_ms": float(np.median(samples)),
        "std_ms": std,
        "p90_ms": float(np.percentile(samples, 90)),
        "cv": std / mean if mean > 0 else math.nan,
    }


def cell_stats(result):
    """The figures a table shows for a measured cell: latency_stats of every timed sample pooled over its
    rounds, except `median_ms`, which is the median of the rounds' medians (robust to one bad round);
    `estimates` (every estimator's value), `estimator` (the name of the one the run chose),
    `estimate_ms` (its value: the tables' headline), `rounds`, `round_spread` (how far that estimator's
    per-round values lie apart, 0 with one round) and `precision` (the half-width of its two-level bootstrap
    interval, relative: what the stability limit judges) besides."""
    rounds = result.rounds_ms
    stats = latency_stats(result.measurement.samples_ms)
    chosen = estimator_of([result])
    values = estimates(rounds)
    return {**stats, "median_ms": values["median"], "rounds": len(rounds), "estimates": values,
            "estimator": chosen.name, "estimate_ms": values[chosen.name],
            "round_spread": round_spread(chosen.rounds(rounds)), "precision": precision(rounds, chosen)}
