import numpy as np
import paddle
import pytest

from lite.models.registry import family, get_model
from lite.models.weights import build_weighted_network, synthetic_images, weights_source


def logits(spec, seed=11, count=2):
    network = build_weighted_network(spec, weights_source(spec))
    with paddle.no_grad():
        return network(paddle.to_tensor(synthetic_images(seed, count, spec.input_shape, spec.preprocess))).numpy()


@pytest.mark.parametrize("spec", family().models, ids=lambda s: s.name)
def test_synthetic_networks_are_well_conditioned_and_input_dependent(spec):
    out = logits(spec)
    assert np.isfinite(out).all()
    assert 0.1 <= out.std(axis=1).min() and out.std(axis=1).max() <= 100
    assert np.abs(out[0] - out[1]).max() > 0.05 * np.abs(out).max()  # two images, two answers


def test_synthetic_weights_are_deterministic():
    spec = get_model("MobileNetV1_x0_25")
    np.testing.assert_array_equal(logits(spec), logits(spec))


def test_mobilenetv1_and_ssld_get_different_synthetic_weights():
    base, ssld = get_model("MobileNetV1"), get_model("MobileNetV1_ssld")
    assert weights_source(base).origin == "synthetic:1100"
    assert weights_source(ssld).origin == "synthetic:2100"
    assert np.abs(logits(base) - logits(ssld)).max() > 0.1


def test_file_weights_are_identified_by_sha256(tmp_path):
    spec = get_model("MobileNetV1_x0_25")
    (tmp_path / spec.pretrained_file).write_bytes(b"abc")
    origin = weights_source(spec, tmp_path).origin
    assert origin == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
