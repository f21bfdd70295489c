import numpy as np
import pytest

from lite.models.counts import conv_output_size, count_model
from lite.models.network import build_network
from lite.models.registry import family


@pytest.mark.parametrize("spec", family().models, ids=lambda s: s.name)
def test_param_count_equals_the_paddle_networks_learnable_parameters(spec):
    network = build_network(spec)
    learnable = sum(int(np.prod(p.shape)) for p in network.parameters() if p.trainable)
    assert count_model(spec.scale).params == learnable


@pytest.mark.parametrize("spec", family().models, ids=lambda s: s.name)
def test_params_within_3_percent_of_published(spec):
    ratio = count_model(spec.scale).params_m / spec.published["params_m"]
    assert abs(ratio - 1) <= 0.03, ratio


def test_macs_of_mobilenetv1_match_the_paper():
    # Howard et al. 2017, Table 2: 569 million mult-adds, 4.2 million parameters at width 1.0.
    counts = count_model(1.0)
    assert round(counts.macs / 1e6) in range(568, 571)
    assert counts.flops_g == pytest.approx(2 * counts.macs_g)


def test_conv_output_size():
    assert conv_output_size(224, 3, 2, 1) == 112
    assert conv_output_size(7, 3, 1, 1) == 7
