"""Numbers that hold on a shared machine: the estimator in every table, a two-level interval, early stopping,
and the input shape that the A/B experiment needs (the engine with a scripted device double; pure tables)."""
import csv
import io

import numpy as np
import pytest
from scripted_device_double import DOUBLE_MACHINE, ScriptedDeviceDouble

from lite.bench.cells import Cell, cell_id
from lite.bench.compare import compare_runs
from lite.bench.device_runners import BenchmarkBinRunner, CxxRunner, PythonRunner
from lite.bench.estimators import ESTIMATOR_NAMES, ESTIMATORS, MEASUREMENT_DEFAULTS, precision
from lite.bench.host_runner import HostRunner
from lite.bench.results import load_results
from lite.bench.stability import Limits
from lite.bench.sweep import run_sweep
from lite.report.latency import latency_rows, to_csv, to_markdown

LIMITS = Limits(max_cv=float("inf"))


def quiet(*_):
    pass


def cells(nb_file, models=("MobileNetV1",), threads=(1,), shape=(1, 3, 224, 224)):
    return [Cell(m, "fp32", "x86", t, "no_bind", 2, 40, nb_file, input_shape=shape) for m in models for t in threads]


def round_noise(levels):
    """Samples whose whole round sits at `levels[call - 1]` ms (round-level noise, as on a shared VM)."""
    rng = np.random.default_rng(3)
    return lambda cell, call: levels[(call - 1) % len(levels)] * (1 + 0.002 * rng.standard_normal(cell.repeats))


def test_early_stopping_stops_a_precise_cell_at_the_minimum_and_gives_a_loose_one_more_rounds(tmp_path, nb_file):
    steady = ScriptedDeviceDouble(samples=round_noise([10.0, 10.05, 9.98, 10.02]))
    summary = run_sweep(cells(nb_file), steady, DOUBLE_MACHINE, tmp_path / "steady", rounds=3, max_rounds=6,
                        limits=LIMITS, say=quiet)
    assert len(steady.calls) == 3 and summary.unstable == {}  # within ±3% after 3 rounds: never a 4th

    lines = []
    loose = ScriptedDeviceDouble(samples=round_noise([10.0, 11.0, 10.0, 10.1, 9.9, 10.0, 10.05, 10.0]))
    summary = run_sweep(cells(nb_file), loose, DOUBLE_MACHINE, tmp_path / "loose", rounds=3, max_rounds=8,
                        limits=LIMITS, say=lines.append)
    (result,) = load_results(tmp_path / "loose").results
    rounds = [r.measurement.samples_ms for r in result.rounds]
    assert 3 < len(loose.calls) < 8 and len(rounds) == len(loose.calls)  # more rounds, stopped before the most
    assert precision(rounds, ESTIMATORS["median"]) <= 0.03 < precision(rounds[:-1], ESTIMATORS["median"])
    assert any("not yet within ±3% get round 4 (at most 8)" in line for line in lines)
    assert result.schedule["max_rounds"] == 8 and summary.unstable == {}

    drifting = ScriptedDeviceDouble(samples=lambda cell, call: np.full(cell.repeats, 10.0 * call))
    summary = run_sweep(cells(nb_file), drifting, DOUBLE_MACHINE, tmp_path / "drift", rounds=2, max_rounds=4,
                        limits=LIMITS, say=quiet)
    assert len(drifting.calls) == 4 and list(summary.unstable) == ["MobileNetV1__fp32__t1"]  # stops at the most


def test_every_estimator_goes_into_the_csv_and_the_table_names_the_one_it_shows(tmp_path, nb_file):
    bimodal = lambda cell, call: [34.0] * 24 + [46.0] * 16 if call % 2 else [34.0] * 16 + [46.0] * 24  # noqa: E731
    run_sweep(cells(nb_file, threads=(1, 2)), ScriptedDeviceDouble(samples=bimodal), DOUBLE_MACHINE, tmp_path,
              rounds=3, limits=LIMITS, estimator="lower_quartile", say=quiet)
    results = load_results(tmp_path).results
    row = next(csv.DictReader(io.StringIO(to_csv(latency_rows(results), [1, 2], DOUBLE_MACHINE))))
    assert {f"threads1_ms_by_{name}" for name in ESTIMATOR_NAMES} <= set(row)
    assert row["estimator"] == "lower_quartile" and float(row["threads1_ms"]) == 34.0
    assert float(row["threads1_ms_by_median"]) in (34.0, 46.0) and float(row["threads1_ms_by_trimmed_mean"]) > 38
    markdown = to_markdown(latency_rows(results), [1, 2], DOUBLE_MACHINE, results)
    assert "Each figure is **lower_quartile**: the median over rounds of each round's 25th percentile" in markdown


def test_a_bimodal_cell_whose_mode_flips_between_rounds_is_loose_by_the_median_and_precise_by_the_quartile(
        tmp_path, nb_file):
    flips = lambda cell, call: [34.0] * 24 + [46.0] * 16 if call % 2 else [34.0] * 16 + [46.0] * 24  # noqa: E731
    verdicts = {}
    for name in ("median", "lower_quartile"):
        double = ScriptedDeviceDouble(samples=flips)
        verdicts[name] = run_sweep(cells(nb_file), double, DOUBLE_MACHINE, tmp_path / name, rounds=3, max_rounds=3,
                                   limits=LIMITS, estimator=name, say=quiet).unstable
    assert "figure within ±" in verdicts["median"]["MobileNetV1__fp32__t1"][0]  # 34 or 46 by the round
    assert verdicts["lower_quartile"] == {}  # the fast mode's quartile is the same every round


def test_rounds_that_move_together_are_not_called_different_by_the_two_level_interval(tmp_path, nb_file):
    # An A/A pair on a VM whose speed moves by whole rounds: the runs inside a round are tight, so an interval
    # that resamples runs only is narrow and calls 10.2 vs 10.0 "slower"; resampling the rounds too does not.
    for name, levels in (("old", [10.0, 10.3, 9.8]), ("new", [10.2, 10.4, 9.9])):
        run_sweep(cells(nb_file), ScriptedDeviceDouble(samples=round_noise(levels)), DOUBLE_MACHINE, tmp_path / name,
                  rounds=3, limits=LIMITS, say=quiet)
    old, new = (load_results(tmp_path / name).results for name in ("old", "new"))
    (row,), _ = compare_runs(old, new)
    assert row.low < 1 < row.high and row.verdict == "no significant difference"


def test_the_input_shape_reaches_every_runner_and_is_part_of_the_cell(tmp_path, nb_file):
    (cell,) = cells(nb_file, shape=(1, 3, 230, 230))
    assert cell.options.as_dict()["input_shape"] == [1, 3, 230, 230]
    host = HostRunner.__new__(HostRunner)  # its command line only: no fork server started
    arguments = host.arguments(cell)
    assert arguments[arguments.index("--input-shape") + 1] == "1,3,230,230"
    for runner_class in (CxxRunner, PythonRunner):
        runner = runner_class.__new__(runner_class)
        runner.workdir, runner.remote_model = "/data/local/tmp/mnv1", lambda c: "/data/local/tmp/mnv1/m.nb"
        assert runner.command(cell).endswith("--input_shape 1,3,230,230")
    runner = BenchmarkBinRunner.__new__(BenchmarkBinRunner)
    runner.workdir, runner.remote_model = "/data/local/tmp/mnv1", lambda c: "/data/local/tmp/mnv1/m.nb"
    assert "--input_shape=1,3,230,230 " in runner.command(cell)
    double = ScriptedDeviceDouble()
    run_sweep([cell], double, DOUBLE_MACHINE, tmp_path, rounds=1, say=quiet)
    assert double.calls[0].input_shape == (1, 3, 230, 230)
    (result,) = load_results(tmp_path).results
    assert result.cell.input_shape == (1, 3, 230, 230)  # recorded, and read back
    assert "input 1x3x230x230" in to_markdown(latency_rows([result]), [1], DOUBLE_MACHINE, [result])


def test_an_ab_compare_notes_the_input_shape_and_calls_the_larger_input_slower(tmp_path, nb_file):
    for shape, level in (((1, 3, 224, 224), 10.0), ((1, 3, 230, 230), 11.4)):
        run_sweep(cells(nb_file, shape=shape), ScriptedDeviceDouble(samples=round_noise([level] * 3)),
                  DOUBLE_MACHINE, tmp_path / str(shape[-1]), rounds=3, limits=LIMITS, say=quiet)
    (row,), _ = compare_runs(load_results(tmp_path / "224").results, load_results(tmp_path / "230").results)
    assert row.verdict == "slower" and row.ratio == pytest.approx(1.14, abs=0.01)
    assert "input 1x3x224x224 vs 1x3x230x230" in row.differs


def test_the_defaults_are_the_experiments_and_result_files_without_a_shape_read_as_224():
    assert MEASUREMENT_DEFAULTS["host"].estimator == "median" and MEASUREMENT_DEFAULTS["host"].max_rounds == 6
    assert MEASUREMENT_DEFAULTS["device"].estimator == "median"  # phones: comparable with the published averages
    from lite.bench.results import parse_result
    old = parse_result({"schema": "mnv1-bench-result/2", "status": "ok", "error": None, "cell": {
        "model": "MobileNetV1", "variant": "fp32", "target": "x86", "threads": 1, "power_mode": "no_bind",
        "warmup": 1, "repeats": 3}, "model_file": {"storage_bytes": 1}, "started_at": "a", "finished_at": "b",
        "measurement": {"samples_ms": [1.0, 2.0, 3.0]}})
    assert old.cell.input_shape == (1, 3, 224, 224) and old.cell.as_dict()["input_shape"] == [1, 3, 224, 224]
    with pytest.raises(ValueError, match="input_shape"):
        parse_result({**old.as_dict(), "cell": {**old.cell.as_dict(), "input_shape": [1, 3, 99999, 2]}})
    assert cell_id(old.cell) == "MobileNetV1__fp32__t1"  # the shape is not in the file name: A/B runs pair up
