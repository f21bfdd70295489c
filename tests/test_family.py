import pytest

from lite.errors import UnknownModelError
from lite.models.registry import family, get_model, model_names, select_models


def test_registry_lists_the_five_published_models_in_order():
    assert model_names() == ("MobileNetV1_x0_25", "MobileNetV1_x0_5", "MobileNetV1_x0_75",
                           "MobileNetV1", "MobileNetV1_ssld")
    assert [spec.scale for spec in family().models] == [0.25, 0.5, 0.75, 1.0, 1.0]


def test_every_model_carries_input_preprocessing_weights_and_published_row():
    for spec in family().models:
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
    assert len({spec.synthetic_seed for spec in family().models}) == len(family().models)


def test_unknown_model_names_the_valid_ones():
    with pytest.raises(UnknownModelError) as err:
        get_model("MobileNetV2")
    assert "MobileNetV2" in str(err.value)
    assert all(name in str(err.value) for name in model_names())


def test_selection_keeps_registry_order():
    chosen = select_models(["MobileNetV1", "MobileNetV1_x0_25"])
    assert [s.name for s in chosen] == ["MobileNetV1_x0_25", "MobileNetV1"]


def test_the_registry_knows_which_models_share_an_architecture():
    assert family().same_architecture() == {"MobileNetV1_x1_0": ("MobileNetV1", "MobileNetV1_ssld")}


def test_variants_live_in_the_registry_with_flags_order_library_and_cpu_features():
    from lite.models.registry import get_variant, variant_names
    assert variant_names() == ("fp32", "fp16", "int16", "int8", "int8_full")  # the display order of every table
    fp16 = get_variant("fp16")
    assert fp16.opt_flags == ("--enable_fp16=true",) and fp16.library == "fp16" and "asimdhp" in fp16.cpu_features
    assert get_variant("int8").opt_flags == ("--quant_model=true", "--quant_type=QUANT_INT8")
    assert get_variant("int8").unsupported_reason("x86") and get_variant("fp32").unsupported_reason("x86") is None
    assert family().sort_key("MobileNetV1", "int8") > family().sort_key("MobileNetV1_ssld", "fp32")
    full = get_variant("int8_full")
    assert full.post_training and full.opt_flags == () and not get_variant("int8").post_training
    assert "weight-only" in get_variant("int8").about and "int8 kernels" in full.about  # nobody confuses them


def test_the_store_is_the_one_answer_to_where_a_models_files_are(tmp_path):
    from lite.models.store import ModelStore
    store = ModelStore(tmp_path)
    assert store.nb_file("arm", "MobileNetV1", "int8") == tmp_path / "arm" / "MobileNetV1_int8.nb"
    assert store.nb_manifest("arm", "MobileNetV1", "fp32") == tmp_path / "arm" / "MobileNetV1.json"
    assert store.reference_io("MobileNetV1") == tmp_path / "paddle" / "MobileNetV1" / "reference_io.npz"
    assert store.remake_command("MobileNetV1", "arm", "int8") == (
        f"python lite/opt_models.py --models MobileNetV1 --targets arm --variants int8 --models-dir {tmp_path}")
