"""int8_full: post-training static quantization (Paddle's PostTrainingQuantization) then paddle_lite_opt for
ARM, checked on Paddle Lite's REAL ARM kernels under qemu (their log says which kernels ran), the calibration
set's rules, the per-layer sensitivity command, and the published int8 figure beside it in the tables."""
import csv
import json
from types import SimpleNamespace

import pytest
from helpers import made_once, md_row, run_cli
from test_accuracy import make_images

from lite.convert.logits import ARM_CHECK_THRESHOLDS
from lite.models.registry import get_model
from lite.runtime.arm_check import int8_share, parse_kernels

pytestmark = pytest.mark.slow  # ARM programs under qemu or whole sweeps: left out of make test-fast

MODEL = "MobileNetV1_x0_25"


@pytest.fixture(scope="module")
def full_int8(converted, paddle_lite_arm, tmp_path_factory):
    """MODEL as int8_full for arm (synthetic calibration), checked on the real ARM kernels: made once per run
    (under xdist the module's tests sit on both workers, and two conversions would write into the session's
    models at once)."""
    def make(results):
        done = run_cli("lite/opt_models.py", "--models", MODEL, "--targets", "arm,x86", "--variants",
                       "fp32,int8_full", "--models-dir", converted["models"], "--results", results, "--verify-arm",
                       "--lite-dir", paddle_lite_arm["fp32"], "--profile",  # the profile/ library beside the others
                       "--skip-quant-layers", "none",  # every layer in int8 (the default keeps the depthwise convs)
                       "--calib-samples", "8")  # mse, the default, takes 12 s on 32 images here
        return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr, "results": results}
    made = made_once(tmp_path_factory, "ptq-full-int8", make)
    return SimpleNamespace(**made), made["results"], converted["models"]


@pytest.mark.real_arm
def test_the_quantized_model_is_small_and_runs_on_int8_kernels(full_int8):
    done, results, models = full_int8
    assert done.returncode == 0, done.stdout + done.stderr
    nb, fp32 = models / "arm" / f"{MODEL}_int8_full.nb", models / "arm" / f"{MODEL}.nb"
    assert nb.stat().st_size < 0.4 * fp32.stat().st_size  # weights in int8, not FP32
    manifest = json.loads(nb.with_suffix(".json").read_text())
    calibration = manifest["calibration"]
    assert calibration["origin"] == "synthetic: 8 images" and calibration["algo"] == "mse"
    assert calibration["skip_layers"] == [] and calibration["check"] is None  # synthetic images: nothing to check
    assert calibration["weight_quant"] == "channel_wise_abs_max" and calibration["ptq_seconds"] > 0
    # The x86 runtime cannot run it (NaN logits seen): it is skipped with the reason, not converted.
    assert f"skipped {MODEL} x86 int8_full: paddlelite 2.13rc0's x86 runtime" in done.stdout
    assert not (models / "x86" / f"{MODEL}_int8_full.nb").exists()
    with open(results / "arm_check.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["variant"] == "int8_full")
    assert row["result"] == "pass" and row["int8_kernels"] == "28/28"  # every conv and the fc on int8 kernels
    limits = ARM_CHECK_THRESHOLDS["int8_full"]
    assert float(row["cosine_min"]) >= limits["cosine_min"] and float(row["max_rel_diff"]) <= limits["max_rel_diff"]
    models_md = (results / "models.md").read_text()
    assert "calibrated on synthetic: 8 images" in models_md


def test_kernel_log_parsing():
    log = ("[3 ...] Found the attr '__@kernel_type_attr@__': conv2d/int8_out/4/2/1 for conv2d\n"
           "[3 ...] Found the attr '__@kernel_type_attr@__': depthwise_conv2d/fp32_out/4/1/1 for depthwise_conv2d\n"
           "[3 ...] Found the attr '__@kernel_type_attr@__': pool2d/def/4/1/1 for pool2d\n")
    picked = parse_kernels(log)
    assert picked == {"conv2d/int8_out int8": 1, "depthwise_conv2d/fp32_out fp32": 1, "pool2d/def fp32": 1}
    assert int8_share(picked) == (1, 2)


@pytest.mark.real_arm
def test_layers_kept_in_fp32_leave_int8_kernels_and_the_sensitivity_command_ranks_them(full_int8, paddle_lite_arm,
                                                                                      tmp_path):
    _done, _results, models = full_int8
    done = run_cli("bench_scripts/quant_sensitivity.py", "--model", MODEL, "--models-dir", models, "--results",
                   tmp_path, "--lite-dir", paddle_lite_arm["fp32"], "--layers", "conv2d_0.w_0,linear_0.w_0",
                   "--calib-samples", "8", "--skip-quant-layers", "none", "--calib-algo", "abs_max")  # the fastest
    assert done.returncode == 0, done.stdout + done.stderr
    with open(tmp_path / f"quant_sensitivity_{MODEL}.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["kept_fp32"].startswith("(none") and rows[0]["int8_kernels"] == "28/28"
    assert {r["kept_fp32"] for r in rows[1:]} == {"conv2d_0.w_0", "linear_0.w_0"}
    assert all(r["int8_kernels"] == "27/28" for r in rows[1:])  # the kept layer really ran in FP32
    gains = [float(r["cosine_gain"]) for r in rows[1:]]
    assert gains == sorted(gains, reverse=True)
    bad = run_cli("bench_scripts/quant_sensitivity.py", "--model", MODEL, "--models-dir", models, "--layers", "nope")
    assert bad.returncode == 2 and "no quantizable layer" in bad.stderr


@pytest.mark.parametrize("case", ["empty", "corrupt", "unknown layer"])
def test_bad_calibration_is_one_line(converted, tmp_path, case):
    data = tmp_path / "calib"
    (data / "n01").mkdir(parents=True)
    extra = []
    if case == "corrupt":
        (data / "n01" / "a.jpg").write_bytes(b"\xff\xd8 broken")
        (data / "n01" / "b.png").write_text("not a png")
    if case == "unknown layer":
        make_images(data / "n01", 2)
        extra = ["--skip-quant-layers", "conv2d_99.w_0"]
    done = run_cli("lite/opt_models.py", "--models", MODEL, "--targets", "arm", "--variants", "int8_full",
                   "--models-dir",
                   tmp_path / "models", "--results", tmp_path / "r", "--calib-data", data, *extra)
    message = {"empty": "holds no image", "corrupt": "none of its 2 files could be read as an image",
               "unknown layer": "conv2d_99.w_0, which is no quantizable layer"}[case]
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_model_is_never_graded_on_its_own_calibration_images(converted, tmp_path):
    data = tmp_path / "images"
    make_images(data / "n00", 3)
    models = tmp_path / "models"
    converted_again = run_cli("lite/opt_models.py", "--models", MODEL, "--targets", "arm", "--variants", "int8_full",
                              "--models-dir", models, "--results", tmp_path / "r", "--calib-data", data,
                              "--calib-samples",
                              "3")
    assert converted_again.returncode == 0, converted_again.stderr
    manifest = json.loads((models / "arm" / f"{MODEL}_int8_full.json").read_text())
    assert manifest["calibration"]["origin"].endswith("(class folders): 3 images")
    assert len(manifest["calibration"]["image_sha256"]) == 3
    done = run_cli("bench_scripts/eval_accuracy.py", "--data", data, "--models", MODEL, "--variants", "int8_full",
                   "--models-dir", models, "--results", tmp_path / "r", "--no-cache")
    assert done.returncode == 2 and "3 of these images calibrated MobileNetV1_x0_25 int8_full" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_int8_full_stands_beside_paddle_lites_published_int8_figures():
    from lite.models.registry import LITE_INT8_TABLE, REFERENCE_DIR
    with open(REFERENCE_DIR / LITE_INT8_TABLE) as f:  # Paddle Lite's own benchmark page, as copied
        published = {int(r["threads"]): float(r["latency_ms"]) for r in csv.DictReader(f)
                     if (r["precision"], r["abi"]) == ("int8", "armv8")}
    spec = get_model("MobileNetV1")
    assert {t: spec.published_sd855_ms(t, "int8_full") for t in (1, 2, 4)} == published
    assert spec.published_sd855_ms(1) == spec.published["sd855_ms_bs1_threads1"]  # FP32 stays PaddleClas's
    assert get_model("MobileNetV1_x0_25").published_sd855_ms(1, "int8_full") is None  # Paddle Lite has no row


@pytest.mark.real_arm
def test_the_accuracy_evaluation_grades_int8_full_on_arm_kernels(full_int8, paddle_lite_arm, tmp_path):
    _done, _results, models = full_int8
    make_images(tmp_path / "data" / "n00", 3, seed=4)
    done = run_cli("bench_scripts/eval_accuracy.py", "--data", tmp_path / "data", "--models", MODEL, "--variants",
                   "int8_full", "--models-dir", models, "--results", tmp_path / "r", "--no-cache", "--lite-dir",
                   paddle_lite_arm["fp32"], timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(tmp_path / "r" / "host" / "accuracy.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["variant"] == "int8_full")
    assert row["runtime"] == "arm-qemu" and row["images"] == "3" and row["calibration"].startswith("synthetic: 8")
    assert float(row["cosine_with_fp32"]) > ARM_CHECK_THRESHOLDS["int8_full"]["cosine_min"]
    assert "Calibrated (post-training quantization): MobileNetV1_x0_25 int8_full on synthetic" in (
        tmp_path / "r" / "host" / "accuracy.md").read_text()


def test_a_snapdragon_855_latency_table_sets_the_published_int8_figure_beside_int8_full(tmp_path):
    from lite.bench.cells import CellOptions
    from lite.bench.results import (
        CellResult,
        Measurement,
        RoundResult,
        load_results,
        write_result,
    )
    from lite.devices.machine_facts import MachineFacts
    from lite.report.latency import latency_rows, to_markdown
    machine = MachineFacts.from_dict({"device": "sd855", "soc": "SM8150", "board_platform": "msmnile",
                                      "model_name": "phone"})
    for variant in ("fp32", "int8_full"):
        cell = CellOptions("MobileNetV1", variant, "arm", 1, "high", 1, 3)
        model_file = {"file": "m.nb", "sha256": "0" * 64, "storage_bytes": 1,
                      "calibration": "synthetic: 32 images, abs_max, channel_wise_abs_max weights"}
        write_result(tmp_path, CellResult(cell=cell, status="ok", runner="cxx", model_file=model_file, machine=machine,
                                          rounds=(RoundResult(1, Measurement((10.0, 10.0, 10.0))),)))
    results = load_results(tmp_path).results
    markdown = to_markdown(latency_rows(results), [1], machine, results)
    spec = get_model("MobileNetV1")
    assert md_row(markdown, "MobileNetV1", "int8_full")[3] == str(spec.published_sd855_ms(1, "int8_full"))
    assert md_row(markdown, "MobileNetV1", "fp32")[3] == str(spec.published_sd855_ms(1))
    assert "int8_full (weights and activations in int8" in markdown and "synthetic: 32 images" in markdown
    assert md_row(markdown, "MobileNetV1", "int8_full")[-1] == "not measured"  # no accuracy.csv beside it
    assert md_row(markdown, "MobileNetV1", "fp32")[-1] == ""
    from lite.report.latency import to_csv
    from lite.report.tables import read_csv_rows
    rows = latency_rows(results)
    origin = rows[0].weights_origin
    measured = {("MobileNetV1", "fp32", origin): {"top1": 0.70, "images": 500, "runtime": "host"},
                ("MobileNetV1", "int8_full", origin): {"top1": 0.68, "images": 500, "runtime": "arm-qemu",
                                                       "top1_agreement_with_fp32": 0.9}}
    table = read_csv_rows(to_csv(rows, [1], machine, measured), ("variant", "int8_top1_loss_points",
                                                                  "int8_top1_agreement"), {})
    assert [(r["variant"], r["int8_top1_loss_points"], r["int8_top1_agreement"]) for r in table] == [
        ("fp32", "", ""), ("int8_full", "2.0", "0.9")]


@pytest.mark.real_arm
def test_the_profile_names_each_kernel_and_its_flops_add_up_for_fp32_and_int8_full(full_int8):
    from test_op_profile import check_profiled
    done, results, _models = full_int8
    assert done.returncode == 0, done.stdout + done.stderr
    check_profiled(results, "fp32", ["conv1x1s1_gemm_fp32", "conv_depthwise_3x3_fp32", "conv_3x3s2_direct_fp32"])
    check_profiled(results, "int8_full", ["conv1x1s1_gemm_int8", "conv_depthwise_3x3_int8_int8"])
    assert "profile MobileNetV1_x0_25__int8_full__t1: 33 layers" in done.stdout and "EMULATED" in done.stdout
