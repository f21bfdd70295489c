"""The estimators of a cell's latency (lite/bench/estimators.py): documented values on fixed sample sets."""
import numpy as np
import pytest

from lite.bench.estimators import ESTIMATOR_NAMES, ESTIMATORS, estimates, round_spread, shorth_mean, trimmed_mean

OUTLIER = [10, 11, 12, 13, 14, 15, 16, 17, 18, 50]  # one slow run
FAST_MOSTLY = [34.0] * 60 + [46.0] * 40  # the two modes of this VM's MobileNetV1, the fast one dominating
SLOW_MOSTLY = [34.0] * 40 + [46.0] * 60  # the next round: the slow one dominates


def test_each_estimator_on_a_round_with_one_outlier():
    values = estimates([OUTLIER])
    assert values == {"median": 14.5, "min_round_median": 14.5, "lower_quartile": 12.25, "shorth": 12.0,
                      "trimmed_mean": 14.5, "min": 10.0}
    assert shorth_mean(OUTLIER) == 12.0  # the shortest half is 10..14 (width 4; the last holds the outlier)
    assert trimmed_mean(OUTLIER) == 14.5  # 10% off each end: 11..18


def test_bimodal_rounds_move_the_median_and_not_the_lower_quartile_or_the_minimum():
    rounds = [FAST_MOSTLY, SLOW_MOSTLY, SLOW_MOSTLY]
    per_round = {name: ESTIMATORS[name].rounds(rounds) for name in ESTIMATOR_NAMES}
    assert per_round["median"] == [34.0, 46.0, 46.0] and ESTIMATORS["median"](rounds) == 46.0
    assert per_round["shorth"] == [34.0, 46.0, 46.0]
    assert per_round["lower_quartile"] == [34.0, 34.0, 34.0] and per_round["min"] == [34.0, 34.0, 34.0]
    assert ESTIMATORS["min_round_median"](rounds) == 34.0
    assert per_round["trimmed_mean"] == [38.5, 41.5, 41.5]
    assert round_spread(per_round["median"]) == pytest.approx(12 / 34)
    assert round_spread(per_round["lower_quartile"]) == 0.0 and round_spread([5.0]) == 0.0


def test_the_bootstrap_is_the_same_estimator_on_every_resample():
    rng = np.random.default_rng(1)
    rounds = [rng.normal(10, 1, 50), rng.normal(10, 1, 50), rng.normal(11, 1, 50)]
    for name, estimator in ESTIMATORS.items():
        draws = estimator.bootstrap(rounds, np.random.default_rng(0), 400)
        assert draws.shape == (400,), name
        assert np.quantile(draws, 0.025) <= estimator(rounds) <= np.quantile(draws, 0.975), name
    # one resample done by hand equals the vectorized one (same seed, same draws): every round's samples
    # resampled, then the rounds themselves drawn with replacement (two levels)
    by_hand = np.random.default_rng(0)
    values = [shorth_mean(by_hand.choice(np.asarray(r), (1, len(r)))[0]) for r in rounds]
    picks = by_hand.integers(0, len(rounds), (1, len(rounds)))[0]
    assert ESTIMATORS["shorth"].bootstrap(rounds, np.random.default_rng(0), 1)[0] == pytest.approx(
        np.median([values[i] for i in picks]))


def test_the_bootstrap_counts_the_noise_between_rounds():
    # rounds that are each tight but sit 6% apart: the interval spans them, as a later sweep may land anywhere
    rounds = [np.full(100, 10.0) + 0.01 * np.arange(100) % 0.05, np.full(100, 10.6), np.full(100, 10.3)]
    draws = ESTIMATORS["median"].bootstrap(rounds, np.random.default_rng(0), 2000)
    assert np.quantile(draws, 0.025) < 10.1 and np.quantile(draws, 0.975) > 10.5
