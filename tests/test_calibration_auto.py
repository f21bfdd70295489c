"""int8_full on real weights: the held-back check, `--skip-quant-layers auto`, and the cost in the tables.

The pure parts (the check's figures, the greedy search, the tables' text) run on crafted numbers; the
search itself runs on ../shared/real's trained MobileNetV1_x0_75 weights and a slice of its images, and
the layers it keeps are read back from Paddle Lite's own profile on its real ARM kernels under qemu."""
import json

import numpy as np
import pytest
from helpers import md_row, run_cli

from lite.bench.op_profile import parse_profile
from lite.convert.pipeline import check_warnings
from lite.convert.quant_check import CheckFigures, check_figures, flops_share, keep_layers
from lite.report.accuracy import int8_cost, int8_cost_text
from lite.report.sensitivity import read_ranking

MODEL = "MobileNetV1_x0_75"


def test_check_figures_compare_int8_with_fp32_on_the_labels():
    fp32 = np.eye(4)[[0, 1, 2, 3]]  # right on all four
    int8 = np.eye(4)[[0, 1, 3, 3]]  # wrong on the third
    figures = check_figures(fp32, int8, [0, 1, 2, 3])
    assert (figures.fp32_top1, figures.int8_top1, figures.agreement) == (1.0, 0.75, 0.75)
    assert figures.top1_loss_points == pytest.approx(25.0) and figures.cosine == pytest.approx(0.75)


def test_the_defaults_are_the_measured_ones_and_depthwise_names_every_depthwise_conv():
    from lite.convert.ptq import Calibration, expand_skip
    default = Calibration()
    assert (default.algo, default.samples, default.weight_quant, default.skip_layers) == (
        "mse", 32, "channel_wise_abs_max", ("depthwise",))  # docs/converting.md's table chose them
    types = {"conv2d_0.w_0": "conv2d", "conv2d_1.w_0": "depthwise_conv2d", "conv2d_2.w_0": "conv2d",
             "conv2d_3.w_0": "depthwise_conv2d", "linear_0.w_0": "matmul_v2"}
    assert expand_skip(("depthwise", "linear_0.w_0", "conv2d_3.w_0"), types) == (
        "conv2d_1.w_0", "conv2d_3.w_0", "linear_0.w_0")


def figures_with_loss(points):
    return CheckFigures(images=100, fp32_top1=0.6, int8_top1=0.6 - points / 100, agreement=0.9, cosine=0.95)


def scripted_check(losses):
    """The check as a table {kept layers: loss in points}: what the search asks, and in which order."""
    asked = []

    def check(kept):
        asked.append(kept)
        return figures_with_loss(losses[kept])
    return check, asked


FLOPS = {"a": 10, "b": 30, "c": 60}


def test_auto_keeps_the_most_sensitive_layers_until_the_loss_is_within_the_limit():
    check, asked = scripted_check({(): 9.0, ("b",): 3.0, ("b", "a"): 0.5})
    decision = keep_layers(["b", "a", "c"], FLOPS, check, max_top1_loss=1.0, max_fp32_flops_share=0.5)
    assert decision.kept == ("b", "a") and asked == [(), ("b",), ("b", "a")]
    assert "loss 0.5 points <= 1" in decision.reason
    tries = decision.as_dict()["tries"]
    assert [t["kept"] for t in tries] == [[], ["b"], ["b", "a"]] and tries[2]["fp32_flops_share"] == 0.4


def test_auto_keeps_nothing_when_every_layer_in_int8_passes():
    check, asked = scripted_check({(): 0.8})
    decision = keep_layers(["b", "a"], FLOPS, check, max_top1_loss=1.0, max_fp32_flops_share=0.5)
    assert decision.kept == () and asked == [()]


def test_auto_stops_before_the_flops_cap_and_says_the_loss_it_reached():
    check, asked = scripted_check({(): 9.0, ("b",): 3.0})
    decision = keep_layers(["b", "c", "a"], FLOPS, check, max_top1_loss=1.0, max_fp32_flops_share=0.5)
    assert decision.kept == ("b",) and asked == [(), ("b",)]  # c would take 90% of the FLOPs out of int8
    assert "keeping c too would leave 90.0% of the FLOPs outside int8 (cap 50%); loss still 3.0" in decision.reason
    assert flops_share(("b", "c"), FLOPS) == 0.9


def test_the_warning_names_the_model_and_the_loss():
    class Done:
        name, variant, target = MODEL, "int8_full", "arm"
        manifest = {"calibration": {"check": {**figures_with_loss(4.0).as_dict()}}}
    assert check_warnings([Done()], 1.0) == [
        f"warning: {MODEL} int8_full (arm) loses 4.0 points of Top-1 on 100 held-back images, more than "
        "--max-top1-loss 1: try --skip-quant-layers auto or more --calib-samples"]
    assert check_warnings([Done()], 5.0) == []


def test_the_tables_say_the_int8_cost_or_not_measured():
    measured = {(MODEL, "fp32", "w"): {"top1": 0.528, "images": 500},
                (MODEL, "int8_full", "w"): {"top1": 0.512, "images": 500, "top1_agreement_with_fp32": 0.914}}
    assert int8_cost(MODEL, "w", measured) == pytest.approx((1.6, 0.914, 500))
    assert int8_cost_text("int8_full", MODEL, "w", measured) == "-1.6 points, 91.4% agreement (n=500)"
    assert int8_cost_text("int8_full", MODEL, "other weights", measured) == "not measured"
    assert int8_cost_text("fp32", MODEL, "w", measured) == ""


def test_models_md_carries_the_cost_column_for_int8_full(tmp_path):
    from lite.report.sizes import to_markdown
    row = {"model": MODEL, "target": "arm", "storage_mib": 2.6, "storage_mb": 2.8, "published_storage_m": 10,
           "storage_ratio_mib": 0.26, "params_m": 2.586, "published_params_m": 2.55, "flops_g": 0.651,
           "published_flops_g": 0.63, "flops_ratio": 1.03, "weights_origin": "w", "paddlepaddle_version": "2.6.2",
           "paddlelite_version": "2.13rc0", "opt_version": "v2.13-rc"}
    rows = [{**row, "variant": "fp32"}, {**row, "variant": "int8_full", "calibration": "x: 32 images"}]
    markdown = to_markdown(rows)
    assert md_row(markdown, MODEL, "arm", "int8_full")[-1] == "not measured"
    assert md_row(markdown, MODEL, "arm", "fp32")[-1] == ""


def test_a_ranking_report_is_read_in_order_and_its_baseline_left_out(tmp_path):
    (tmp_path / f"quant_sensitivity_{MODEL}.csv").write_text(
        "model,kept_fp32,cosine_mean,cosine_gain,top1_agreement,int8_kernels,seconds\n"
        f"{MODEL},(none: every layer int8),0.9,0,0.7,,1\n{MODEL},conv2d_3.w_0,0.95,0.05,0.8,,1\n"
        f"{MODEL},conv2d_0.w_0,0.89,-0.01,0.7,,1\nOther,conv2d_9.w_0,0.9,0,0.7,,1\n")
    assert read_ranking(tmp_path, MODEL) == ["conv2d_3.w_0", "conv2d_0.w_0"]
    assert read_ranking(tmp_path, "MobileNetV1") is None


def test_auto_without_real_images_is_one_line(tmp_path):
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm", "--variants",
                   "int8_full", "--models-dir", tmp_path / "m", "--skip-quant-layers", "auto")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "--skip-quant-layers auto needs --calib-data" in done.stderr


# ---- on the real weights and images (slow) ----

@pytest.fixture(scope="module")
def real_export(real_data, tmp_path_factory):
    """MobileNetV1_x0_75 exported from the trained weights, and a host sensitivity ranking of one layer
    on a slice of sample1000 (4 calibration images, the next 8 held back)."""
    root = tmp_path_factory.mktemp("real-auto")
    models, results = root / "models", root / "results"
    done = run_cli("lite/opt_models.py", "--models", MODEL, "--weights", real_data / "weights", "--targets", "arm",
                   "--variants", "fp32", "--models-dir", models, "--results", results)
    assert done.returncode == 0, done.stderr
    ranked = run_cli("bench_scripts/quant_sensitivity.py", "--model", MODEL, "--weights", real_data / "weights",
                     "--runtime", "host", "--models-dir", models, "--results", results, "--calib-data",
                     real_data / "sample1000", *SLICE, "--layers", "conv2d_3.w_0",
                     "--skip-quant-layers", "none")
    assert ranked.returncode == 0, ranked.stderr
    return models, results


# abs_max: the fastest calibration (mse takes a minute on 32 images), and the search is what is tested here
SLICE = ("--calib-samples", "4", "--calib-check-samples", "8", "--calib-algo", "abs_max")


def convert_auto(real_data, models, results, limit):
    return run_cli("lite/opt_models.py", "--models", MODEL, "--weights", real_data / "weights", "--targets", "arm",
                   "--variants", "int8_full", "--models-dir", models, "--results", results, "--force",
                   "--calib-data", real_data / "sample1000", *SLICE, "--skip-quant-layers", "auto",
                   "--max-top1-loss", str(limit))


@pytest.mark.slow
@pytest.mark.real_arm
def test_auto_on_real_weights_keeps_layers_for_a_tiny_limit_and_none_for_a_loose_one(real_data, real_export,
                                                                                    paddle_lite_arm):
    models, results = real_export
    ranking = read_ranking(results, MODEL)
    assert ranking == ["conv2d_3.w_0"]
    report = results / f"quant_sensitivity_{MODEL}.csv"  # a report is a file: a name it invents is dropped
    header, *rows = report.read_text().splitlines()
    report.write_text("\n".join([header, rows[0], f"{MODEL},$(touch pwned) ../x.w_0,0.99,0.1,1,,1", *rows[1:]]) + "\n")

    loose = convert_auto(real_data, models, results, 100)
    assert loose.returncode == 0, loose.stderr
    manifest = json.loads((models / "arm" / f"{MODEL}_int8_full.json").read_text())["calibration"]
    assert manifest["skip_layers"] == [] and manifest["auto"]["kept"] == [] and len(manifest["auto"]["tries"]) == 1
    assert "warning" not in loose.stderr

    tight = convert_auto(real_data, models, results, -100)  # no int8 model can pass: every ranked layer is kept
    assert tight.returncode == 0, tight.stderr
    nb = models / "arm" / f"{MODEL}_int8_full.nb"
    manifest = json.loads(nb.with_suffix(".json").read_text())["calibration"]
    kept = manifest["auto"]["kept"]
    assert kept and kept == manifest["skip_layers"] and kept == ranking[:len(kept)]  # the invented name: dropped
    assert manifest["auto"]["reason"].startswith(("the ranking is used up", "keeping"))
    assert [t["kept"] for t in manifest["auto"]["tries"]] == [ranking[:k] for k in range(len(kept) + 1)]
    assert (manifest["algo"], manifest["samples"], manifest["check"]["images"]) == ("abs_max", 4, 8)
    assert len(manifest["image_sha256"]) == 4 and len(manifest["check"]["image_sha256"]) == 8
    assert not set(manifest["image_sha256"]) & set(manifest["check"]["image_sha256"])
    assert "warning: MobileNetV1_x0_75 int8_full (arm) loses" in tight.stderr  # the limit cannot be met

    # The kept layers run FP32 kernels on the real ARM library, the others int8 (Paddle Lite's profile).
    from lite.runtime.arm_check import prepare_library, profile_on_arm
    from lite.runtime.arm_library import FP16_CPU
    library = prepare_library(paddle_lite_arm["fp32"].parent / "profile" / "inference_lite_lib.armlinux.armv8",
                              say=lambda text: None)  # the build --verify-arm --profile makes (once per library)
    log, _seconds = profile_on_arm(library, nb, FP16_CPU)
    convs = [layer for layer in parse_profile(log) if "conv" in layer.op_type]
    assert len(convs) == 27
    for index, layer in enumerate(convs):
        assert ("int8" in layer.kernel) == (f"conv2d_{index}.w_0" not in kept), (index, layer.kernel)


def test_held_back_images_are_refused_for_evaluation_like_calibration_images(tmp_path):
    from lite.errors import ToolkitError
    from lite.jobs.evaluation import refuse_calibration_images
    from lite.models.image_sets import Dataset
    from lite.util.files import sha256_file
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / name).write_bytes(name.encode())
    dataset = Dataset(tmp_path, "list", (("a.jpg", 0), ("b.jpg", 1)))
    held_back = {"calibration": {"image_sha256": [], "check": {"image_sha256": [sha256_file(tmp_path / "b.jpg")]}}}
    with pytest.raises(ToolkitError, match="1 of these images calibrated M int8_full .first: b.jpg"):
        refuse_calibration_images(dataset, {"M int8_full": held_back})
    refuse_calibration_images(dataset, {"M int8_full": {"calibration": {"image_sha256": ["elsewhere"]}}})
