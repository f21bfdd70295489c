"""The other deployment paths of the PaddleClas page: the ONNX export, and Paddle Inference and ONNX Runtime as
engines of the host sweep, beside Paddle Lite (real libraries; a predictor double only where an engine must
disagree)."""
import csv
import json
import shutil

import numpy as np
import pytest
from helpers import ONE_ROUND, REPO, md_row, read_result_dicts, run_cli
from scripted_device_double import DOUBLE_MACHINE, ScriptedDeviceDouble

from lite.bench.cells import Cell, cell_id
from lite.bench.compare import compare_engines
from lite.bench.results import load_results
from lite.bench.sweep import run_sweep
from lite.errors import CellFailed, ConversionError, ToolkitError
from lite.models.engines import ENGINES
from lite.report.latency import latency_rows, to_csv, to_markdown
from lite.runtime import engines as engine_runtime
from lite.runtime.bench_cell import checked_input

THREE = "paddle-lite,paddle-inference,onnxruntime"


class PerturbingPredictorDouble:
    """Stands in for an engine whose answer differs from Paddle's: its logits are Paddle's plus `offset`."""

    def __init__(self, reference, offset):
        self.reference, self.offset, self.calls = reference, offset, 0

    def infer(self, image):
        self.calls += 1
        return self.reference[self.calls - 1:self.calls] + self.offset


def reference_npz(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "reference_io.npz"
    np.savez(path, input=rng.standard_normal((2, 3, 8, 8)).astype("float32"),
             logits=rng.standard_normal((2, 1000)).astype("float32"))
    return path


def test_an_engine_whose_logits_disagree_is_a_failed_cell_naming_it_and_the_difference(tmp_path):
    path = reference_npz(tmp_path)
    reference = np.load(path)["logits"]
    image, check = checked_input(PerturbingPredictorDouble(reference, 0.0), path, "fp32", "onnxruntime on m.onnx")
    assert image.shape == (1, 3, 8, 8) and check["max_abs_diff"] == 0.0
    with pytest.raises(CellFailed, match=r"onnxruntime on m.onnx: logits do not match Paddle's \(max \|difference\| "
                                         r"0.01 exceeds"):
        checked_input(PerturbingPredictorDouble(reference, 0.01), path, "fp32", "onnxruntime on m.onnx")


def test_a_missing_engine_package_is_one_line_naming_what_to_install(monkeypatch):
    monkeypatch.setitem(engine_runtime.PACKAGES, "onnxruntime", ("no_such_module_here", "onnxruntime", "1.19.2"))
    with pytest.raises(ToolkitError) as raised:
        engine_runtime.import_engine("onnxruntime")
    assert str(raised.value).endswith("install it with: pip install onnxruntime==1.19.2")
    assert "\n" not in str(raised.value)


def test_todays_result_files_read_as_paddle_lite_at_224():
    results = load_results(REPO / "results" / "host").results
    assert results and {r.cell.engine for r in results} == {"paddle-lite"}
    assert {r.cell.input_shape for r in results} == {(1, 3, 224, 224)}
    assert all("__paddle-lite" not in cell_id(r.cell) for r in results)  # the default engine keeps the old names


def test_a_row_per_engine_and_each_engine_against_paddle_lite(tmp_path, nb_file):
    cells = [Cell("MobileNetV1_x0_25", "fp32", "x86", t, "no_bind", 1, 20, nb_file, engine=engine)
             for engine in ("paddle-lite", "onnxruntime") for t in (1, 2)]
    faster = lambda cell, call: np.full(cell.repeats, 10.0 if cell.engine == "paddle-lite" else 6.0)  # noqa: E731
    run_sweep(cells, ScriptedDeviceDouble(samples=faster), DOUBLE_MACHINE, tmp_path, rounds=3, say=lambda *_: None)
    results = load_results(tmp_path).results
    assert sorted(p.name for p in (tmp_path / "raw").iterdir())[:2] == [
        "MobileNetV1_x0_25__fp32__t1.json", "MobileNetV1_x0_25__fp32__t1__onnxruntime.json"]
    rows = list(csv.DictReader(to_csv(latency_rows(results), [1, 2], DOUBLE_MACHINE).splitlines()))
    assert [(r["engine"], float(r["threads1_ms"])) for r in rows] == [("paddle-lite", 10.0), ("onnxruntime", 6.0)]
    markdown = to_markdown(latency_rows(results), [1, 2], DOUBLE_MACHINE, results)
    assert md_row(markdown, "MobileNetV1_x0_25", "fp32", "onnxruntime")[3].startswith("6.00 (")
    assert "never to be set beside the Snapdragon 855 tables" in markdown
    comparisons = compare_engines(results)
    assert [(c.cell, round(c.ratio, 3), c.verdict) for c in comparisons] == [
        ("MobileNetV1_x0_25__fp32__t1__onnxruntime", 0.6, "faster"),
        ("MobileNetV1_x0_25__fp32__t2__onnxruntime", 0.6, "faster")]


@pytest.mark.slow
def test_the_onnx_export_matches_paddle_and_has_a_manifest_and_a_size_row(onnx_converted):
    onnx_file = onnx_converted["models"] / "onnx" / "MobileNetV1_x0_25.onnx"
    manifest = json.loads(onnx_file.with_suffix(".json").read_text())
    assert manifest["target"] == "onnx" and manifest["opset"] == 13 and manifest["storage_bytes"] == onnx_file.stat(
    ).st_size
    assert manifest["inputs"] == [{"name": "x", "shape": [1, 3, 224, 224]}]
    check = manifest["host_check"]
    assert check["problem"] is None and check["max_abs_diff"] <= 1e-4 * check["max_abs_logit"]
    assert {"paddle2onnx", "onnx", "onnxruntime", "paddlepaddle"} <= set(manifest["tool_versions"])
    with open(onnx_converted["results"] / "models.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["target"] == "onnx"]
    assert [(r["model"], int(r["storage_bytes"])) for r in rows] == [("MobileNetV1_x0_25", onnx_file.stat().st_size)]


@pytest.mark.slow
def test_an_onnx_file_whose_weights_changed_is_refused(onnx_converted, tmp_path):
    import onnx
    from onnx import numpy_helper

    from lite.convert.onnx_export import check_onnx
    model = onnx.load(str(onnx_converted["models"] / "onnx" / "MobileNetV1_x0_25.onnx"))
    # Paddle2ONNX keeps weights as initializers or as Constant nodes: take the largest tensor (the fc's)
    tensors = [*model.graph.initializer, *(a.t for n in model.graph.node if n.op_type == "Constant"
                                           for a in n.attribute if a.name == "value")]
    weights = max(tensors, key=lambda t: np.prod(t.dims))
    changed = numpy_helper.to_array(weights) * 1.5
    weights.CopyFrom(numpy_helper.from_array(changed.astype("float32"), weights.name))
    damaged = tmp_path / "damaged.onnx"
    onnx.save(model, str(damaged))
    reference = onnx_converted["models"] / "paddle" / "MobileNetV1_x0_25" / "reference_io.npz"
    with pytest.raises(ConversionError, match="ONNX Runtime's logits do not match Paddle's: max .difference."):
        check_onnx(damaged, reference, "MobileNetV1_x0_25")


@pytest.mark.slow
def test_three_engines_sweep_record_their_threads_and_rebuild(onnx_converted, tmp_path):
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--threads", "1,2", "--engines",
                   THREE, "--warmup", "1", "--repeats", "5", "--cooldown", "0", *ONE_ROUND, "--models-dir",
                   onnx_converted["models"], "--results", tmp_path)
    assert done.returncode == 0, done.stderr
    results = read_result_dicts(tmp_path / "host")
    seen = {(r["cell"]["engine"], r["cell"]["threads"]) for r in results}
    assert seen == {(e, t) for e in THREE.split(",") for t in (1, 2)}
    for result in results:
        measured = result["rounds"][0]["measurement"]
        check = measured["logit_check"]  # checked against Paddle's before timing
        assert measured["engine"] == result["cell"]["engine"] and check["max_abs_diff"] <= 1e-4 * check["max_abs_logit"]
        assert measured["engine_threads_asked"] == result["cell"]["threads"]
        assert measured["engine_threads"] == min(result["cell"]["threads"], 2)  # what the library says it uses
    shutil.copy(tmp_path / "host" / "latency.csv", tmp_path / "before.csv")
    rebuilt = run_cli("bench_scripts/report.py", tmp_path / "host")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (tmp_path / "host" / "latency.csv").read_text() == (tmp_path / "before.csv").read_text()
    with open(tmp_path / "host" / "latency.csv") as f:
        assert [r["engine"] for r in csv.DictReader(f)] == THREE.split(",")
    assert (tmp_path / "host" / "engines.png").read_bytes()[:4] == b"\x89PNG"
    compared = run_cli("bench_scripts/report.py", "--compare", tmp_path / "host", "--engines")
    assert compared.returncode == 0, compared.stderr
    assert md_row(compared.stdout, "MobileNetV1_x0_25__fp32__t1__onnxruntime")
    assert md_row(compared.stdout, "MobileNetV1_x0_25__fp32__t2__paddle-inference")


@pytest.mark.slow
def test_eval_gives_top1_per_engine(onnx_converted, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    from PIL import Image
    rng = np.random.default_rng(1)
    for index in range(3):
        Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)).save(images / f"{index}.png")
    (images / "val_list.txt").write_text("".join(f"{index}.png {index}\n" for index in range(3)))
    done = run_cli("bench_scripts/eval_accuracy.py", "--data", images, "--models", "MobileNetV1_x0_25", "--engines",
                   ",".join(ENGINES), "--models-dir", onnx_converted["models"], "--results", tmp_path / "r",
                   "--no-cache")
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "r" / "host" / "accuracy.csv") as f:
        rows = {r["runtime"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"host-x86", "host-paddle-inference", "host-paddle-inference-mkldnn", "host-onnxruntime"}
    for runtime, row in rows.items():
        assert row["images"] == "3" and row["top1"] != ""
        if runtime != "host-x86":  # every engine gives Paddle Lite's answer on every image
            assert float(row["top1_agreement_with_fp32"]) == 1.0 and float(row["cosine_with_fp32"]) > 0.9999
