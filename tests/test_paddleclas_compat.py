"""Our network against PaddleClas 2.6.0's reference implementation (from the installed package)."""
import numpy as np
import paddle
import pytest
from helpers import run_cli
from paddleclas_reference import load_reference_module, reference_network

from lite.errors import WeightsError
from lite.models.registry import family, get_model
from lite.models.weights import build_weighted_network, synthetic_images, weights_source


def test_reference_module_is_paddleclas_own_file():
    module = load_reference_module()
    assert module.__file__.endswith("paddleclas/ppcls/arch/backbone/legendary_models/mobilenet_v1.py")


@pytest.mark.parametrize("spec", family().models, ids=lambda s: s.name)
def test_pretrained_file_loads_with_identical_keys_shapes_and_outputs(spec, tmp_path):
    paddle.seed(spec.synthetic_seed)
    reference = reference_network(spec.name)
    reference.eval()
    # PaddleClas's pretrained files are its state_dict saved with paddle.save: make one.
    paddle.save(reference.state_dict(), str(tmp_path / spec.pretrained_file))

    ours = build_weighted_network(spec, weights_source(spec, tmp_path))
    ref_shapes = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    our_shapes = {k: tuple(v.shape) for k, v in ours.state_dict().items()}
    assert our_shapes == ref_shapes

    image = paddle.to_tensor(synthetic_images(3, 2, spec.input_shape, spec.preprocess))
    with paddle.no_grad():
        np.testing.assert_allclose(ours(image).numpy(), reference(image).numpy(), rtol=1e-5, atol=1e-6)


def test_weights_of_another_width_name_the_file_and_first_bad_key(tmp_path):
    wrong = reference_network("MobileNetV1_x0_5")
    spec = get_model("MobileNetV1")
    path = tmp_path / spec.pretrained_file
    paddle.save(wrong.state_dict(), str(path))
    with pytest.raises(WeightsError) as err:
        build_weighted_network(spec, weights_source(spec, tmp_path))
    assert str(path) in str(err.value)
    assert "'conv.conv.weight' has shape [16, 3, 3, 3]" in str(err.value)


def test_missing_and_unexpected_keys_are_named(tmp_path):
    spec = get_model("MobileNetV1_x0_25")
    state = reference_network(spec.name).state_dict()
    del state["fc.bias"]
    paddle.save(state, str(tmp_path / spec.pretrained_file))
    with pytest.raises(WeightsError, match="lacks parameter 'fc.bias'"):
        build_weighted_network(spec, weights_source(spec, tmp_path))
    state = reference_network(spec.name).state_dict()
    state["head.extra"] = paddle.zeros([2])
    paddle.save(state, str(tmp_path / spec.pretrained_file))
    with pytest.raises(WeightsError, match="unexpected parameter 'head.extra'"):
        build_weighted_network(spec, weights_source(spec, tmp_path))


def test_missing_weights_file_names_it_and_where_to_get_it(tmp_path):
    spec = get_model("MobileNetV1_ssld")
    with pytest.raises(WeightsError) as err:
        weights_source(spec, tmp_path)
    assert "MobileNetV1_ssld_pretrained.pdparams" in str(err.value)
    assert spec.pretrained_url in str(err.value)


class _RunsCode:
    """A pickle that calls os.system when it is loaded, as a hostile .pdparams would."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return os.system, (f"touch {self.marker}",)


def test_a_weights_file_that_runs_code_is_refused_and_its_code_never_runs(tmp_path):
    import pickle
    spec = get_model("MobileNetV1_x0_25")
    marker = tmp_path / "code-ran"
    state = {key: value.numpy() for key, value in reference_network(spec.name).state_dict().items()}
    state["fc.bias"] = _RunsCode(marker)
    (tmp_path / spec.pretrained_file).write_bytes(pickle.dumps(state, protocol=4))
    with pytest.raises(WeightsError) as err:
        build_weighted_network(spec, weights_source(spec, tmp_path))
    assert not marker.exists()
    message = str(err.value)
    assert spec.pretrained_file in message and "posix.system" in message and "never code" in message
    done = run_cli("lite/opt_models.py", "--models", spec.name, "--targets", "arm", "--weights", tmp_path,
                   "--models-dir", tmp_path / "m", "--results", tmp_path / "r")
    assert done.returncode == 2 and not marker.exists()
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: weights file {tmp_path / spec.pretrained_file} asks to run")


@pytest.mark.parametrize("protocol", [2, 4])
def test_paddle_save_files_and_tensor_tuples_load_without_paddle_load(tmp_path, protocol):
    from lite.models.pdparams import read_pdparams
    reference = reference_network("MobileNetV1_x0_25").state_dict()
    path = tmp_path / "w.pdparams"
    paddle.save(reference, str(path), protocol=protocol)
    loaded = read_pdparams(path)
    assert set(loaded) == set(reference)
    for key, value in reference.items():
        np.testing.assert_array_equal(loaded[key], value.numpy())
    nested = {"layer": {"w": paddle.ones([2, 2])}}  # paddle.save pickles a nested tensor as (name, array)
    paddle.save(nested, str(path), protocol=protocol)
    with pytest.raises(WeightsError, match="'layer' is not a named array"):
        read_pdparams(path)
    import pickle  # a parameter stored as Paddle's tensor tuple reads as its array
    path.write_bytes(pickle.dumps({"fc.bias": ("linear_0.b_0", np.arange(3.0))}, protocol=protocol))
    np.testing.assert_array_equal(read_pdparams(path)["fc.bias"], np.arange(3.0))


@pytest.mark.slow
def test_the_real_paddleclas_weights_load_through_the_restricted_reader(real_data):
    from lite.models.pdparams import read_pdparams
    loaded = read_pdparams(real_data / "weights" / "MobileNetV1_x0_75_pretrained.pdparams")
    assert len(loaded) == 137 and loaded["conv.conv.weight"].shape == (24, 3, 3, 3)
