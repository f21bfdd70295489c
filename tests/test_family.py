import pytest

from lite.errors import UnknownModelError
from lite.family import FAMILY, MODEL_NAMES, get_model, select_models


def test_registry_lists_the_five_published_models_in_order():
    assert MODEL_NAMES == ("MobileNetV1_x0_25", "MobileNetV1_x0_5", "MobileNetV1_x0_75",
                           "MobileNetV1", "MobileNetV1_ssld")
    assert [spec.scale for spec in FAMILY] == [0.25, 0.5, 0.75, 1.0, 1.0]


def test_every_model_carries_input_preprocessing_weights_and_published_row():
    for spec in FAMILY:
        assert spec.input_shape == (1, 3, 224, 224)
        assert (spec.preprocess.resize_short, spec.preprocess.crop_size) == (256, 224)
        assert spec.preprocess.mean == (0.485, 0.456, 0.406)
        assert spec.pretrained_file == f"{spec.name}_pretrained.pdparams"
        assert spec.pretrained_url.endswith("/" + spec.pretrained_file)
        for column in ("params_m", "flops_g", "storage_size_m", "sd855_ms_bs1_threads1", "top1"):
            assert spec.published[column] > 0, (spec.name, column)


def test_ssld_shares_the_architecture_but_not_the_synthetic_seed():
    base, ssld = get_model("MobileNetV1"), get_model("MobileNetV1_ssld")
    assert base.scale == ssld.scale
    assert len({spec.synthetic_seed for spec in FAMILY}) == len(FAMILY)


def test_unknown_model_names_the_valid_ones():
    with pytest.raises(UnknownModelError) as err:
        get_model("MobileNetV2")
    assert "MobileNetV2" in str(err.value)
    assert all(name in str(err.value) for name in MODEL_NAMES)


def test_selection_keeps_registry_order():
    chosen = select_models(["MobileNetV1", "MobileNetV1_x0_25"])
    assert [s.name for s in chosen] == ["MobileNetV1_x0_25", "MobileNetV1"]
