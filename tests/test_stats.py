import math

import pytest

from lite.bench.estimators import round_spread as spread
from lite.bench.stats import latency_stats


def test_stats_of_known_samples():
    stats = latency_stats([1.0, 2.0, 3.0, 4.0, 10.0])
    assert stats["n"] == 5
    assert (stats["min_ms"], stats["max_ms"], stats["median_ms"]) == (1.0, 10.0, 3.0)
    assert stats["mean_ms"] == pytest.approx(4.0)
    assert stats["std_ms"] == pytest.approx(math.sqrt((9 + 4 + 1 + 0 + 36) / 5))
    assert stats["p90_ms"] == pytest.approx(7.6)  # linear interpolation between 4 and 10
    assert stats["cv"] == pytest.approx(stats["std_ms"] / 4.0)


def test_stats_refuse_no_samples():
    with pytest.raises(ValueError):
        latency_stats([])


def test_spread_of_medians():
    assert spread([100.0, 102.0, 101.0]) == pytest.approx(0.02)
