"""`python lite/opt_models.py`, run as a user runs it, and the files it leaves."""
import csv
import json
import os
import shutil
import subprocess
import time

import numpy as np
import paddle
import pytest
from helpers import md_row, run_cli

from lite.convert.conversion import convert
from lite.convert.export import ExportedModel, load_reference_io
from lite.errors import ConversionError
from lite.models.registry import family, model_names
from lite.models.store import ModelStore
from lite.models.weights import build_weighted_network, weights_source

MIB = 1024 * 1024


@pytest.mark.slow
def test_all_writes_every_model_for_both_targets(converted):
    for target in ("arm", "x86"):
        for name in model_names():
            nb = converted["models"] / target / f"{name}.nb"
            assert nb.is_file() and nb.stat().st_size > 1_000_000
    assert "[10/10] MobileNetV1_ssld x86 fp32" in converted["stdout"]


@pytest.mark.parametrize("spec", family().models, ids=lambda s: s.name)
@pytest.mark.slow
def test_arm_fp32_storage_within_5_percent_of_published_mib(spec, converted):
    size_mib = (converted["models"] / "arm" / f"{spec.name}.nb").stat().st_size / MIB
    assert abs(size_mib / spec.published["storage_size_m"] - 1) <= 0.05, size_mib


@pytest.mark.parametrize("spec", family().models, ids=lambda s: s.name)
@pytest.mark.slow
def test_x86_nb_reproduces_paddles_logits(spec, converted, tmp_path):
    # Paddle's logits recomputed here from scratch, not read from the export's own record; Paddle
    # Lite runs in a child process because the two libraries' OpenMP runtimes abort in one process.
    image, _ = load_reference_io(ModelStore(converted["models"]).reference_io(spec.name))
    network = build_weighted_network(spec, weights_source(spec))
    with paddle.no_grad():
        expected = network(paddle.to_tensor(image)).numpy()
    np.savez(tmp_path / "io.npz", input=image, logits=expected)
    done = run_cli("-m", "lite.runtime.host_check", converted["models"] / "x86" / f"{spec.name}.nb",
                   tmp_path / "io.npz", "fp32")
    assert done.returncode == 0, done.stderr
    check = json.loads(done.stdout)
    assert 0.1 <= check["reference_std"] <= 100
    assert check["max_abs_diff"] <= 1e-4 * check["max_abs_logit"]
    assert check["problem"] is None


@pytest.mark.slow
def test_int8_weight_quantized_is_at_most_30_percent_of_fp32(converted):
    fp32 = (converted["models"] / "arm" / "MobileNetV1.nb").stat().st_size
    int8 = (converted["models"] / "arm" / "MobileNetV1_int8.nb").stat().st_size
    assert int8 <= 0.30 * fp32, int8 / fp32


@pytest.mark.slow
def test_models_csv_rows_trace_to_the_nb_files(converted):
    with open(converted["results"] / "models.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 11  # 5 models x 2 targets fp32, and arm int8 of MobileNetV1
    for row in rows:
        nb = converted["models"] / row["target"] / (row["model"] + ("" if row["variant"] == "fp32"
                                                                    else "_" + row["variant"]) + ".nb")
        assert int(row["storage_bytes"]) == nb.stat().st_size
        assert float(row["storage_mib"]) == pytest.approx(nb.stat().st_size / MIB, abs=1e-3)
        assert float(row["storage_ratio_mib"]) == pytest.approx(
            float(row["storage_mib"]) / float(row["published_storage_m"]), abs=1e-3)
        assert row["weights_origin"].startswith("synthetic:")
        assert row["flops_ratio"] and row["params_ratio"]
    markdown = (converted["results"] / "models.md").read_text()
    assert md_row(markdown, "MobileNetV1", "arm", "fp32")[3] == "16.16"


@pytest.mark.slow
def test_second_run_skips_everything_and_rewrites_nothing(converted):
    nbs = sorted(converted["models"].glob("*/*.nb"))
    before = {p: p.stat().st_mtime_ns for p in nbs}
    started = time.monotonic()
    done = run_cli("lite/opt_models.py", "--all", "--models-dir", converted["models"],
                   "--results", converted["results"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("up to date") == 10
    assert "exporting" not in done.stdout
    assert {p: p.stat().st_mtime_ns for p in nbs} == before
    assert time.monotonic() - started < 30  # the goal (under 10 s) is printed by the benchmark script


@pytest.mark.slow
def test_changed_export_file_is_redone(converted, tmp_path):
    models = tmp_path / "models"
    assert run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "x86",
                   "--models-dir", models, "--results", tmp_path / "r").returncode == 0
    (models / "paddle" / "MobileNetV1_x0_25" / "inference.pdmodel").write_bytes(b"garbage")
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "x86",
                   "--models-dir", models, "--results", tmp_path / "r")
    assert done.returncode == 0, done.stderr
    assert "exporting" in done.stdout


def test_unknown_model_is_one_line_listing_valid_names(tmp_path):
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV9", "--models-dir", tmp_path / "m")
    assert done.returncode == 2
    assert "MobileNetV9" in done.stderr and "MobileNetV1_x0_25" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "m").exists()


def test_weights_with_wrong_shapes_fail_naming_file_and_key(tmp_path):
    from paddleclas_reference import reference_network
    weights = tmp_path / "weights"
    weights.mkdir()
    paddle.save(reference_network("MobileNetV1_x0_5").state_dict(),
                str(weights / "MobileNetV1_x0_25_pretrained.pdparams"))
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--weights", weights,
                   "--models-dir", tmp_path / "m", "--results", tmp_path / "r")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "MobileNetV1_x0_25_pretrained.pdparams" in lines[0]
    assert "'conv.conv.weight'" in lines[0]
    assert not list((tmp_path / "m").rglob("*.nb")) and not (tmp_path / "r").exists()


@pytest.mark.slow
def test_corrupt_pdmodel_is_a_conversion_error_leaving_nothing(converted, tmp_path):
    source = converted["models"] / "paddle" / "MobileNetV1_x0_25"
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "inference.pdmodel").write_bytes((source / "inference.pdmodel").read_bytes()[:3000])
    os.symlink(source / "inference.pdiparams", folder / "inference.pdiparams")
    exported = ExportedModel("MobileNetV1_x0_25", folder, "key", "synthetic:1025")
    for target in ("arm", "x86"):
        with pytest.raises(ConversionError, match="wrote no .nb for MobileNetV1_x0_25"):
            convert(exported, target, "fp32", ModelStore(tmp_path / "models"))
        assert list((tmp_path / "models" / target).iterdir()) == []


@pytest.mark.parametrize("flag", ["--models-dir", "--results"])
@pytest.mark.slow
def test_unwritable_output_folder_is_one_line(flag, tmp_path, converted):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    args = ["--models", "MobileNetV1_x0_25", "--targets", "arm", "--models-dir", converted["models"],
            "--results", tmp_path / "r"]
    args[args.index(flag) + 1] = blocker / "sub"
    done = run_cli("lite/opt_models.py", *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot write to folder" in done.stderr


def test_help_documents_every_option():
    done = run_cli("lite/opt_models.py", "--help")
    assert done.returncode == 0
    for option in ("--all", "--models", "--targets", "--variants", "--weights", "--models-dir",
                   "--results", "--force", "default: arm,x86", "default: fp32"):
        assert option in done.stdout


@pytest.mark.slow
def test_x86_fp16_is_skipped_with_a_reason(tmp_path, converted):
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "x86",
                   "--variants", "fp16", "--models-dir", converted["models"], "--results", tmp_path / "r")
    assert done.returncode == 0
    assert "skipped MobileNetV1_x0_25 x86 fp16" in done.stdout


def test_staging_left_by_a_killed_run_is_removed_and_a_live_one_kept(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    paddle = tmp_path / "models" / "paddle"
    stale = paddle / f".MobileNetV1_x0_25.{gone.pid}.k1ll3d"  # what SIGKILL during an export leaves
    legacy = paddle / ".MobileNetV1_x0_25.ab12cd"  # an older run's, named without a pid
    live = paddle / f".MobileNetV1_x0_25.{os.getpid()}.busy"  # a run still going
    for folder in (stale, legacy, live):
        folder.mkdir(parents=True)
        (folder / "inference.pdiparams").write_bytes(b"half")
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm", "--models-dir",
                   tmp_path / "models", "--results", tmp_path / "r")
    assert done.returncode == 0, done.stderr
    assert not stale.exists() and not legacy.exists() and live.exists()
    assert sorted(p.name for p in paddle.iterdir()) == sorted([live.name, "MobileNetV1_x0_25"])


@pytest.mark.slow
def test_two_conversions_of_the_same_export_are_byte_identical(converted, tmp_path):
    store = tmp_path / "models"
    shutil.copytree(converted["models"] / "paddle" / "MobileNetV1_x0_25", store / "paddle" / "MobileNetV1_x0_25")
    sums = []
    for _ in range(2):
        done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm", "--force",
                       "--models-dir", store, "--results", tmp_path / "r")
        assert done.returncode == 0, done.stderr
        sums.append(json.loads((store / "arm" / "MobileNetV1_x0_25.json").read_text())["nb_sha256"])
    assert sums[0] == sums[1]  # opt leaves 4 bytes of stray memory in the header; they are zeroed
    head = (store / "arm" / "MobileNetV1_x0_25.nb").read_bytes()[:18]
    assert head[2:18] == b"v2.13-rc".ljust(16, b"\0")


@pytest.mark.slow
def test_a_model_exported_alone_is_the_one_exported_after_others(converted, tmp_path):
    # `converted` exported every model in one process, x0_5 after x0_25: Paddle's parameter names come from
    # process-wide counters, so without a name scope per export its files differed from an export of it alone.
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_5", "--targets", "arm", "--models-dir",
                   tmp_path / "m",
                   "--results", tmp_path / "r")
    assert done.returncode == 0, done.stderr
    alone = json.loads((tmp_path / "m" / "arm" / "MobileNetV1_x0_5.json").read_text())["nb_sha256"]
    assert alone == json.loads((converted["models"] / "arm" / "MobileNetV1_x0_5.json").read_text())["nb_sha256"]


@pytest.mark.slow
def test_the_size_report_updates_what_it_measured_and_keeps_the_other_rows(converted, tmp_path):
    from lite.models.registry import get_model
    from lite.models.store import manifest_of
    from lite.report.sizes import size_row, write_size_report
    manifests = {name: json.loads(manifest_of(converted["models"] / "arm" / f"{name}.nb").read_text())
                 for name in ("MobileNetV1", "MobileNetV1_int8")}
    write_size_report([size_row(get_model("MobileNetV1"), m) for m in manifests.values()], tmp_path)
    fp32_again = dict(manifests["MobileNetV1"], storage_bytes=123456)  # a new FP32 conversion only
    write_size_report([size_row(get_model("MobileNetV1"), fp32_again)], tmp_path)
    with open(tmp_path / "models.csv") as f:
        rows = {(r["variant"], r["target"]): r for r in csv.DictReader(f)}
    assert set(rows) == {("fp32", "arm"), ("int8", "arm")}
    assert rows[("fp32", "arm")]["storage_bytes"] == "123456"
    assert rows[("int8", "arm")]["storage_bytes"] == str(manifests["MobileNetV1_int8"]["storage_bytes"])
    assert md_row((tmp_path / "models.md").read_text(), "MobileNetV1", "arm", "int8")
