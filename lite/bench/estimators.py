"""Estimators of a cell's latency from its rounds of timed samples (pure).

Each estimator is a statistic of one round's samples, aggregated over the rounds by their median (one
bad round cannot move it), except `min_round_median`, which takes the fastest round's median. Which one
heads the tables is chosen per kind of machine by experiment (docs/host.md, benchmarks/bench_fidelity.py):
the median on phones, whose published figures are averages, and on a shared host the one that held in
the A/A and A/B experiments. Every estimator's value goes into latency.csv, so a reader can recompute.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np


def shorth_mean(samples):
    """The mean of the shortest half: the densest half of the samples (the fast mode of a bimodal set).
    Along the last axis, so that a bootstrap's resamples (one per row) are done at once."""
    ordered = np.sort(np.asarray(samples, dtype=float), axis=-1)
    count = ordered.shape[-1]
    half = max(1, (count + 1) // 2)
    widths = ordered[..., half - 1:] - ordered[..., :count - half + 1]
    start = np.argmin(widths, axis=-1)[..., None]
    sums = np.concatenate([np.zeros(ordered.shape[:-1] + (1,)), np.cumsum(ordered, axis=-1)], axis=-1)
    window = np.take_along_axis(sums, start + half, axis=-1) - np.take_along_axis(sums, start, axis=-1)
    return (window / half)[..., 0]


def trimmed_mean(samples, cut=0.1):
    """The mean with the lowest and highest `cut` share of the samples left out (along the last axis)."""
    ordered = np.sort(np.asarray(samples, dtype=float), axis=-1)
    drop = int(ordered.shape[-1] * cut)
    return ordered[..., drop:ordered.shape[-1] - drop].mean(axis=-1)


def _median(samples):
    return np.median(samples, axis=-1)


def _lower_quartile(samples):
    return np.percentile(samples, 25, axis=-1)


def _fastest(samples):
    return np.min(samples, axis=-1)


@dataclass(frozen=True)
class Estimator:
    name: str
    per_round: Callable  # samples of one round (along the last axis) -> ms
    about: str  # what it is, for table headers
    per_round_name: str  # what each round contributes, for messages: "round medians 4.4% apart"
    over_rounds: Callable = np.median  # the rounds' values (along the last axis) -> ms

    def rounds(self, rounds_ms):
        """The per-round values, in round order."""
        return [float(self.per_round(np.asarray(samples, dtype=float))) for samples in rounds_ms]

    def __call__(self, rounds_ms):
        return float(self.over_rounds(self.rounds(rounds_ms)))

    def bootstrap(self, rounds_ms, rng, resamples):
        """`resamples` values of the estimator by a two-level bootstrap: the rounds drawn with replacement, and
        each drawn round's samples resampled within it. Resampling samples alone treats every run as
        independent and misses how far whole rounds move together (on a shared VM most of the noise): its
        intervals were a third as wide, and an A/A pair of sweeps was called different in 10 of 15 cells."""
        per_round = np.stack([self.per_round(rng.choice(np.asarray(samples, dtype=float), (resamples, len(samples))))
                              for samples in rounds_ms], axis=1)
        picks = rng.integers(0, len(rounds_ms), per_round.shape)
        return self.over_rounds(np.take_along_axis(per_round, picks, axis=1), axis=1)


ESTIMATORS = {e.name: e for e in (
    Estimator("median", _median, "the median over rounds of each round's median", "medians"),
    Estimator("min_round_median", _median, "the fastest round's median", "medians", over_rounds=np.min),
    Estimator("lower_quartile", _lower_quartile, "the median over rounds of each round's 25th percentile",
              "25th percentiles"),
    Estimator("shorth", shorth_mean, "the median over rounds of each round's shortest-half mean",
              "shortest-half means"),
    Estimator("trimmed_mean", trimmed_mean, "the median over rounds of each round's 10%-trimmed mean",
              "trimmed means"),
    Estimator("min", _fastest, "the median over rounds of each round's fastest run", "fastest runs"),
)}
ESTIMATOR_NAMES = tuple(ESTIMATORS)


def estimates(rounds_ms):
    """{estimator name: ms} of one cell's rounds."""
    return {name: estimator(rounds_ms) for name, estimator in ESTIMATORS.items()}


def round_spread(values):
    """(max - min) / min of per-round values: how far the rounds disagree (0 with one round)."""
    values = list(values)
    return (max(values) - min(values)) / min(values) if len(values) > 1 else 0.0


def estimator_of(results):
    """The estimator a run's tables use: the one its result files' schedule records (the newest), else the
    median (files from before the choice, and phones)."""
    names = [r.schedule.get("estimator") for r in results if r.schedule.get("estimator") in ESTIMATORS]
    return ESTIMATORS[names[-1]] if names else ESTIMATORS["median"]


WHY = {"median": "comparable with the published averages; on a shared host no other estimator held better in the "
                 "A/A and A/B experiment of docs/host.md"}


def why_chosen(name):
    """Why a run's tables use this estimator, in a few words."""
    return WHY.get(name, "chosen with --estimator")


@dataclass(frozen=True)
class MeasurementDefaults:
    """How a kind of machine is measured by default: the estimator, the rounds every cell gets, and how many
    a cell whose rounds disagree may get (early stopping: one that agrees stops at `rounds`)."""
    estimator: str
    rounds: int
    max_rounds: int
    max_cv: float  # the CV limit (inf: off)


# Chosen by benchmarks/bench_fidelity.py on a 2-core VM (docs/host.md, 2026-12-05). The host: the median did as
# well as any estimator; its figure judged by a two-level interval, with up to 6 rounds for a cell not yet within
# ±3%; no CV limit (the cells it flagged reproduced as well as the rest: A/A 0.99-1.04). Phones: as before, for
# want of a phone to measure on.
MEASUREMENT_DEFAULTS = {
    "device": MeasurementDefaults("median", rounds=3, max_rounds=3, max_cv=0.15),
    "host": MeasurementDefaults("median", rounds=3, max_rounds=6, max_cv=float("inf")),
}


PRECISION_RESAMPLES = 1000


def precision(rounds_ms, estimator, resamples=PRECISION_RESAMPLES, seed=0):
    """How far the estimate may be off: the larger distance from the estimate to either end of its 95%
    two-level bootstrap interval, relative to the estimate (0.03 = ±3%). Seeded, so a report rebuilt from the
    same files says the same. Unlike the range of the rounds, it narrows as rounds are added, so a cell can
    stop as soon as it is precise enough (early stopping)."""
    if len(rounds_ms) < 2:
        return 0.0
    draws = estimator.bootstrap(rounds_ms, np.random.default_rng(seed), resamples)
    value = estimator(rounds_ms)
    low, high = np.quantile(draws, [0.025, 0.975])
    return float(max(value - low, high - value) / value)
