"""`python bench_scripts/report.py --devices FOLDER...`: several devices' result folders side by side."""
import csv

import numpy as np
from helpers import md_row, run_cli

from lite.bench.cells import CellOptions
from lite.bench.results import CellResult, Measurement, RoundResult, write_result
from lite.models.registry import get_model

SD855 = {"device": "sd855", "soc": "SM8150", "board_platform": "msmnile", "model_name": "Phone A"}
SD865 = {"device": "sm8250", "soc": "SM8250", "board_platform": "kona", "model_name": "Phone B"}


def write_device(folder, machine, medians_ms, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    for (model, threads), median in medians_ms.items():
        samples = tuple(float(x) for x in median * (1 + noise * rng.standard_normal(60)))
        cell = CellOptions(model, "fp32", "arm", threads, "high", 5, 60)
        model_file = {"file": f"{model}.nb", "sha256": "0" * 64, "storage_bytes": 1}
        write_result(folder, CellResult(cell=cell, status="ok", runner="cxx", model_file=model_file,
                                        machine=machine, rounds=(RoundResult(1, Measurement(samples)),)))


def test_devices_side_by_side_with_published_figure_and_unit_spread(tmp_path):
    write_device(tmp_path / "sd855-a", SD855, {("MobileNetV1", 1): 30.0, ("MobileNetV1", 4): 10.0}, seed=1)
    write_device(tmp_path / "sd855-b", SD855, {("MobileNetV1", 1): 33.0, ("MobileNetV1", 4): 10.0}, seed=2)
    write_device(tmp_path / "sm8250-c", SD865, {("MobileNetV1", 1): 25.0, ("MobileNetV1_x0_25", 1): 3.0}, seed=3,
                 noise=0.4)  # CV ~40%: unstable
    (tmp_path / "notes").mkdir()  # `results/*/` also matches folders that hold no results
    folders = [tmp_path / name for name in ("sd855-a", "sd855-b", "sm8250-c", "notes")]
    done = run_cli("bench_scripts/report.py", "--device-folders", *folders)
    assert done.returncode == 0, done.stderr
    assert f"note: skipped {tmp_path / 'notes'}" in done.stdout
    with open(tmp_path / "devices.csv") as f:
        rows = {(r["model"], r["threads"]): r for r in csv.DictReader(f)}
    assert set(rows) == {("MobileNetV1_x0_25", "1"), ("MobileNetV1", "1"), ("MobileNetV1", "4")}
    one = rows[("MobileNetV1", "1")]
    medians = [float(one[f"{name}_ms_median"]) for name in ("sd855-a", "sd855-b")]
    assert abs(medians[0] - 30) < 1 and abs(medians[1] - 33) < 1
    assert float(one["unit_spread_sd855"]) == round(max(medians) / min(medians) - 1, 4)  # two SD855 units
    assert "unit_spread_sm8250" not in one  # one unit of that SoC: no spread
    assert float(one["published_sd855_ms"]) == get_model("MobileNetV1").published_sd855_ms(1)
    assert rows[("MobileNetV1", "4")]["unit_spread_sd855"] != ""
    assert rows[("MobileNetV1_x0_25", "1")]["sd855-a_ms_median"] == ""  # not measured there
    assert "CV" in rows[("MobileNetV1_x0_25", "1")]["sm8250-c_unstable"]
    markdown = (tmp_path / "devices.md").read_text()
    assert md_row(markdown, "Model")[3:] == ["sd855-a (ms)", "sd855-b (ms)", "sm8250-c (ms)", "published SD855 (ms)",
                                             "unit spread sd855"]
    assert "(2 units)" in markdown and "[1]" in markdown and "Phone B" in markdown
    assert (tmp_path / "devices_latency.png").read_bytes()[:4] == b"\x89PNG"


def test_devices_report_refuses_two_folders_of_one_name_and_folders_without_results(tmp_path):
    write_device(tmp_path / "a" / "sd855", SD855, {("MobileNetV1", 1): 30.0})
    write_device(tmp_path / "b" / "sd855", SD855, {("MobileNetV1", 1): 30.0})
    done = run_cli("bench_scripts/report.py", "--device-folders", tmp_path / "a" / "sd855", tmp_path / "b" / "sd855")
    assert done.returncode == 2 and "two folders are both named sd855" in done.stderr
    done = run_cli("bench_scripts/report.py", "--devices", tmp_path / "nothing")
    assert done.returncode == 2 and "holds result files" in done.stderr
    done = run_cli("bench_scripts/report.py", "--out", tmp_path, tmp_path / "a" / "sd855")
    assert done.returncode == 2 and "--out goes with --device-folders" in done.stderr
