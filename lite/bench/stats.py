"""Statistics of latency samples (pure). Results store samples; these are always derived."""
import math

import numpy as np


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


def spread(values):
    """(max - min) / min of a few medians: how far back-to-back runs drift apart."""
    values = list(values)
    return (max(values) - min(values)) / min(values)


def cell_stats(result):
    """The figures a table shows for a measured cell: latency_stats of every timed sample pooled over its
    rounds, except `median_ms`, which is the median of the rounds' medians (robust to one bad round);
    `rounds` and `round_spread` (spread of the round medians, 0 with one round) besides."""
    medians = result.round_medians_ms
    stats = latency_stats(result.measurement.samples_ms)
    return {**stats, "median_ms": float(np.median(medians)), "rounds": len(medians),
            "round_spread": spread(medians) if len(medians) > 1 else 0.0}
