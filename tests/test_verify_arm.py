"""`lite/opt_models.py --verify-arm`: converted models on Paddle Lite's REAL ARM kernels under
qemu-aarch64, compared with Paddle, reported in arm_check.csv/.md."""
import csv
import os
import shutil

import pytest
from helpers import md_row, run_cli

from lite.convert.logits import ARM_CHECK_THRESHOLDS

pytestmark = [pytest.mark.slow, pytest.mark.real_arm]  # ARM programs under qemu: left out of make test-fast


def read_rows(results):
    with open(results / "arm_check.csv") as f:
        return {(row["model"], row["variant"]): row for row in csv.DictReader(f)}


def test_five_models_then_variants_on_arm_kernels(paddle_lite_arm, arm_models, tmp_path):
    results = tmp_path / "results"
    done = run_cli("lite/opt_models.py", "--all", "--targets", "arm", "--models-dir", arm_models, "--results", results,
                   "--verify-arm", "--lite-dir", paddle_lite_arm["fp32"], "--verify-inputs", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[5/5] MobileNetV1_ssld fp32 on ARM kernels: running 1 inputs under qemu-aarch64" in done.stdout
    rows = read_rows(results)
    assert len(rows) == 5 and all(row["result"] == "pass" for row in rows.values())
    assert all(float(row["max_rel_diff"]) <= ARM_CHECK_THRESHOLDS["fp32"]["max_rel_diff"] for row in rows.values())

    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm", "--variants",
                   "int8,int16,fp16", "--models-dir", arm_models, "--results", results, "--verify-arm", "--lite-dir",
                   paddle_lite_arm["fp32"], "--fp16-lite-dir", paddle_lite_arm["fp16"], "--verify-inputs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = read_rows(results)
    assert len(rows) == 8  # the five FP32 rows of the first run are kept
    for variant, library in (("int8", "fp32"), ("int16", "fp32"), ("fp16", "fp16")):
        row = rows[("MobileNetV1_x0_25", variant)]
        assert row["result"] == "pass" and row["library"] == library and row["inputs"] == "2"
        assert float(row["cosine_min"]) >= ARM_CHECK_THRESHOLDS[variant]["cosine_min"]
    assert float(rows[("MobileNetV1_x0_25", "int8")]["size_share_of_fp32"]) < 0.35  # int8 weights: ~30% of FP32
    markdown = (results / "arm_check.md").read_text()
    assert "qemu" in markdown and "never a device's latency" in markdown
    assert md_row(markdown, "MobileNetV1_x0_25", "int8")


def test_a_wrong_model_fails_the_check(paddle_lite_arm, arm_models, tmp_path):
    store = tmp_path / "models"
    (store / "arm").mkdir(parents=True)
    shutil.copytree(arm_models / "paddle" / "MobileNetV1_x0_5", store / "paddle" / "MobileNetV1_x0_5")
    shutil.copy(arm_models / "arm" / "MobileNetV1_x0_5.json", store / "arm")
    shutil.copy(arm_models / "arm" / "MobileNetV1_x0_25.nb", store / "arm" / "MobileNetV1_x0_5.nb")  # swapped
    import argparse

    from lite.cli.verify_arm import verify_arm
    from lite.models.registry import get_model
    from lite.models.store import ModelStore
    args = argparse.Namespace(lite_dir=str(paddle_lite_arm["fp32"]), fp16_lite_dir=None, variants=["fp32"],
                              verify_inputs=1, arm_cpu="max", results=str(tmp_path / "r"), profile=False)
    failed = verify_arm(args, [get_model("MobileNetV1_x0_5")], ModelStore(store), say=lambda text: None)
    assert failed == 1
    row = read_rows(tmp_path / "r")[("MobileNetV1_x0_5", "fp32")]
    assert row["result"].startswith("FAIL: max relative difference")


def test_missing_tools_and_libraries_are_one_line(arm_models, tmp_path):
    base = ("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm", "--models-dir", arm_models,
            "--results", tmp_path, "--verify-arm")
    done = run_cli(*base)
    assert done.returncode == 2 and "--verify-arm needs --lite-dir DIR" in done.stderr
    done = run_cli(*base, "--lite-dir", tmp_path / "nowhere")
    assert done.returncode == 2 and "download Paddle Lite's ARM Linux library" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    done = run_cli(*base, "--lite-dir", tmp_path, env={**os.environ, "PATH": str(tmp_path)})
    assert done.returncode == 2 and "qemu-aarch64 is not installed: apt-get install qemu-user" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
