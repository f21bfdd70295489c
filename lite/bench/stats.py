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
