"""Where the time goes: Paddle Lite's operator profiler tables parsed, FLOPs counted from the shapes (a log the
profiler library printed under qemu for MobileNetV1_x0_25, kept as a fixture), then on the real library."""
import csv
import json
from pathlib import Path

import pytest
from helpers import md_row, run_cli

from lite.bench.op_profile import by_kernel, has_profiler, layer_flops, parse_profile, summary_line
from lite.models.counts import count_model

LOG = (Path(__file__).parent / "fixtures" / "profile_MobileNetV1_x0_25_fp32.log").read_text()


def test_the_per_layer_table_is_mobilenets_27_convs_its_pool_and_fc():
    layers = parse_profile(LOG)
    kinds = [layer.kind for layer in layers]
    assert (kinds.count("standard conv"), kinds.count("depthwise conv"), kinds.count("pointwise conv")) == (1, 13, 13)
    assert kinds.count("pool") == 1 and kinds.count("fc") == 1
    kernels = {layer.kind: layer.kernel for layer in layers}
    assert kernels["standard conv"] == "conv_3x3s2_direct_fp32"
    assert kernels["depthwise conv"] == "conv_depthwise_3x3_fp32" and kernels["pointwise conv"] == "conv1x1s1_gemm_fp32"
    assert layers[0].in_dim == (1, 3, 224, 224) and layers[0].filter_dim == (8, 3, 3, 3)
    assert layers[0].reported_mflops == 0.0  # Paddle Lite's own column says NotImpl/0 for the first conv


def test_the_layers_flops_add_up_to_the_toolkits_count():
    ours = sum(layer.flops for layer in parse_profile(LOG))
    assert ours == pytest.approx(count_model(0.25, 224, 1000).flops_g * 1e9, rel=0.01)
    # by hand: the stride-2 first conv, 3x3x3 -> 8 channels on 112x112 outputs; a depthwise; the fc
    assert layer_flops("conv2d", "3x3p1s2g1d1BiasRelu", (1, 3, 224, 224), (8, 3, 3, 3)) == 2 * 8 * 112 * 112 * 27
    assert layer_flops("depthwise_conv2d", "3x3p1s2g16d1BiasRelu", (1, 16, 112, 112), (16, 1, 3, 3)) == \
        2 * 16 * 56 * 56 * 9
    assert layer_flops("fc", "Bias", (1, 256), (256, 1000)) == 2 * 256 * 1000
    assert layer_flops("pool2d", "globalavgEXPLICIT", (1, 256, 7, 7), ()) == 0


def test_the_summary_and_the_kernel_rows():
    layers = parse_profile(LOG)
    assert summary_line(layers).startswith("pointwise conv 8")  # the 1x1 convs take most of the time here
    rows = by_kernel(layers)
    assert rows[0]["kernel"] == "conv1x1s1_gemm_fp32" and rows[0]["count"] == 13
    assert sum(row["share"] for row in rows) == pytest.approx(1.0)
    assert rows[0]["gflop_per_s"] == pytest.approx(rows[0]["flops"] / 1e9 / (rows[0]["total_ms"] / 1e3))


def test_no_table_and_a_library_without_the_profiler():
    assert parse_profile("[I ... device_info.cc] nothing else\n") == []
    assert has_profiler(b"...KernelFuncName...") and not has_profiler(b"\x7fELF plain release library")


@pytest.mark.slow
@pytest.mark.real_arm
def test_profile_on_a_library_without_the_profiler_is_one_line_exit_2(converted, paddle_lite_arm, tmp_path):
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm", "--verify-arm",
                   "--lite-dir", paddle_lite_arm["fp32"], "--profile", "--profile-lite-dir", paddle_lite_arm["fp32"],
                   "--models-dir", converted["models"], "--results", tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no operator profiler" in lines[0] and "--with_profile=ON" in lines[0]


def check_profiled(results, variant, kernels):
    """ops.md, ops.csv and ops/<cell>.json of a --profile run, for MobileNetV1_x0_25 `variant`."""
    folder = results / "emulated-arm-qemu"
    cell = f"MobileNetV1_x0_25__{variant}__t1"
    document = json.loads((folder / "ops" / f"{cell}.json").read_text())
    kinds = [layer["kind"] for layer in document["layers"]]  # int8_full adds calib layers between them
    assert document["emulated"] is True and sum(kind.endswith("conv") for kind in kinds) == 27
    assert kinds.count("fc") == 1 and kinds.count("pool") == 1
    assert sum(layer["flops"] for layer in document["layers"]) == pytest.approx(
        count_model(0.25, 224, 1000).flops_g * 1e9, rel=0.01)
    markdown = (folder / "ops.md").read_text()
    assert "EMULATED" in markdown and f"## {cell}" in markdown
    with open(folder / "ops.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["cell"] == cell]
    assert {r["kernel"] for r in rows} >= set(kernels)
    section = markdown.split(f"## {cell}", 1)[1]
    assert md_row(section, "conv2d", kernels[0])[3] == "13"


def test_a_profiling_pass_killed_by_a_signal_is_run_again(monkeypatch, tmp_path):
    """The profiler build crashed in 1 of 3 passes under qemu here; subprocess.run is the double for qemu."""
    import subprocess

    from lite.errors import CellFailed
    from lite.runtime import arm_check
    answers = [subprocess.CompletedProcess([], -11, "", "qemu: uncaught target signal 11 (Segmentation fault)")] * 2
    answers.append(subprocess.CompletedProcess([], 0, "", "profile tables"))
    calls = []
    monkeypatch.setattr(arm_check.subprocess, "run", lambda *a, **k: calls.append(a) or answers[len(calls) - 1])
    library = type("Library", (), {"program": tmp_path / "mnv1_bench"})()
    assert arm_check.profile_on_arm(library, tmp_path / "m.nb", "max")[0] == "profile tables" and len(calls) == 3
    calls.clear()
    answers[2] = answers[0]
    with pytest.raises(CellFailed, match="3 attempts"):
        arm_check.profile_on_arm(library, tmp_path / "m.nb", "max")
    assert len(calls) == 3
