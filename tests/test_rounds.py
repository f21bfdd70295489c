"""Interleaved rounds, unstable cells re-measured then marked: the engine with a scripted device double,
then `run_host.py` with the real x86 runtime (what it recorded and printed, never a speed)."""
import csv
import json
from collections import Counter

import pytest
from helpers import NO_LIMITS, ONE_ROUND, md_row, read_result_dicts, run_cli
from scripted_device_double import DOUBLE_MACHINE, ScriptedDeviceDouble

from lite.bench.cells import Cell, cell_id
from lite.bench.estimators import ESTIMATORS
from lite.bench.results import load_result, result_path
from lite.bench.stability import Limits
from lite.bench.sweep import run_sweep
from lite.report.writer import write_reports

TWINS = {"MobileNetV1_x1_0": ("MobileNetV1", "MobileNetV1_ssld")}


def plan(nb_file, models=("MobileNetV1_x0_25", "MobileNetV1"), threads=(1, 2)):
    return [Cell(m, "fp32", "arm", t, "high", 2, 5, nb_file) for m in models for t in threads]


def quiet(*_):
    pass


def test_every_round_runs_every_cell_once_in_its_own_shuffled_order(tmp_path, nb_file):
    cells = plan(nb_file)
    double = ScriptedDeviceDouble()
    summary = run_sweep(cells, double, DOUBLE_MACHINE, tmp_path / "a", rounds=4, seed=11, say=quiet)
    assert summary.seed == 11 and summary.ran == 4
    ids = [cell_id(c) for c in double.calls]
    blocks = [ids[i:i + 4] for i in range(0, 16, 4)]
    assert all(sorted(block) == sorted(map(cell_id, cells)) for block in blocks)  # interleaved, not cell by cell
    assert len({tuple(block) for block in blocks}) > 1  # the order changes between rounds
    assert double.first_rounds == [True] * 4 + [False] * 12  # the logit check belongs to round 1 only
    again = ScriptedDeviceDouble()
    run_sweep(cells, again, DOUBLE_MACHINE, tmp_path / "b", rounds=4, seed=11, say=quiet)
    assert [cell_id(c) for c in again.calls] == ids  # the recorded seed repeats the order


def test_a_result_file_keeps_each_round_with_its_position_and_the_schedule(tmp_path, nb_file):
    cells = plan(nb_file, models=("MobileNetV1",), threads=(1, 2))
    drift = iter(range(100))
    run_sweep(cells, ScriptedDeviceDouble(latency_ms=lambda cell, call: 10 + next(drift)), DOUBLE_MACHINE, tmp_path,
              rounds=3,
              seed=5, say=quiet)
    data = json.loads(result_path(tmp_path, cells[0]).read_text())
    assert data["schema"] == "mnv1-bench-result/4"
    assert data["schedule"]["rounds"] == 3 and data["schedule"]["seed"] == 5
    assert data["schedule"]["limits"] == Limits().as_dict()
    assert [r["round"] for r in data["rounds"]] == [1, 2, 3]
    assert all(r["position"] in (1, 2) and len(r["measurement"]["samples_ms"]) == 5 for r in data["rounds"])
    assert len(data["measurement"]["samples_ms"]) == 15  # every round's samples, pooled, for one-file readers
    result = load_result(result_path(tmp_path, cells[0]))
    medians = ESTIMATORS["median"].rounds(result.rounds_ms)
    assert len(medians) == 3 and medians[0] < medians[1] < medians[2]  # the drift shows round by round


def test_rounds_that_disagree_are_re_measured_and_the_earlier_attempt_is_kept(tmp_path, nb_file):
    cells = plan(nb_file, models=("MobileNetV1",), threads=(1,))
    slow_once = lambda cell, call: 20.0 if call == 2 else 10.0  # noqa: E731 - round 2 of the first attempt
    double = ScriptedDeviceDouble(latency_ms=slow_once)
    lines = []
    summary = run_sweep(cells, double, DOUBLE_MACHINE, tmp_path, rounds=3, max_retries=2, say=lines.append)
    assert len(double.calls) == 6 and summary.retried == 1 and summary.unstable == {}
    assert any(line.startswith("re-measuring 1 unstable cell(s) (retry 1 of 2): MobileNetV1__fp32__t1: figure "
                               "within ±") and "round medians 99.8% apart" in line for line in lines)
    result = load_result(result_path(tmp_path, cells[0]))
    assert result.schedule["attempt"] == 2 and len(result.rounds) == 3
    assert ESTIMATORS["median"].rounds(result.rounds_ms) == pytest.approx([10.02] * 3)
    (earlier,) = result.earlier_attempts
    assert earlier["attempt"] == 1 and "(round medians 99.8% apart; limit ±3%)" in earlier["reasons"][0]
    assert [len(r["measurement"]["samples_ms"]) for r in earlier["rounds"]] == [5, 5, 5]  # nothing thrown away


def test_a_cell_still_unstable_after_its_retries_is_reported(tmp_path, nb_file):
    cells = plan(nb_file, models=("MobileNetV1",), threads=(1,))
    double = ScriptedDeviceDouble(latency_ms=lambda cell, call: 10.0 * call)  # keeps drifting
    summary = run_sweep(cells, double, DOUBLE_MACHINE, tmp_path, rounds=2, max_retries=1, say=quiet)
    assert len(double.calls) == 4 and summary.retried == 1
    assert list(summary.unstable) == ["MobileNetV1__fp32__t1"]
    assert "round medians" in summary.unstable["MobileNetV1__fp32__t1"][0]


def test_other_work_and_scatter_make_a_cell_unstable(tmp_path, nb_file):
    cells = plan(nb_file)
    busy = lambda cell, call: 0.9 if cell_id(cell) == "MobileNetV1__fp32__t2" else 0.05  # noqa: E731
    double = ScriptedDeviceDouble(latency_ms=1000.0, other_cores=busy)  # long enough for whole ticks
    summary = run_sweep(cells, double, DOUBLE_MACHINE, tmp_path, rounds=2, seed=1, say=quiet, clock=double.clock)
    assert list(summary.unstable) == ["MobileNetV1__fp32__t2"]
    assert summary.unstable["MobileNetV1__fp32__t2"] == ["other work used 0.90 cores (limit 0.25)"]
    found = load_result(result_path(tmp_path, cells[3])).interference
    assert found["other_cores"] == pytest.approx(0.9, abs=0.02) and found["own_cores"] == pytest.approx(1.0, abs=0.02)
    strict = run_sweep(cells[:1], ScriptedDeviceDouble(), DOUBLE_MACHINE, tmp_path / "cv", limits=Limits(max_cv=0.0),
                       say=quiet)
    assert strict.unstable["MobileNetV1_x0_25__fp32__t1"][0].startswith("CV ")


def test_twins_of_one_network_that_disagree_are_re_measured_then_marked(tmp_path, nb_file):
    cells = plan(nb_file, models=("MobileNetV1", "MobileNetV1_ssld"), threads=(1, 2))
    ssld_slower_at_1 = lambda cell, call: 11.0 if (cell.model, cell.threads) == ("MobileNetV1_ssld", 1) else 10.0  # noqa: E731
    double = ScriptedDeviceDouble(latency_ms=ssld_slower_at_1)
    summary = run_sweep(cells, double, DOUBLE_MACHINE, tmp_path, rounds=1, max_retries=1, twins=TWINS, say=quiet)
    assert sorted(summary.unstable) == ["MobileNetV1__fp32__t1", "MobileNetV1_ssld__fp32__t1"]
    assert Counter(cell_id(c) for c in double.calls) == Counter({"MobileNetV1__fp32__t1": 2, "MobileNetV1__fp32__t2": 1,
                                                               "MobileNetV1_ssld__fp32__t1": 2,
                                                               "MobileNetV1_ssld__fp32__t2": 1})
    assert "1.10x the time of MobileNetV1 1 thread" in summary.unstable["MobileNetV1_ssld__fp32__t1"][0]


def test_every_table_marks_an_unstable_cell_and_gives_the_reason(tmp_path, nb_file):
    cells = plan(nb_file, models=("MobileNetV1",), threads=(1, 2))
    drifting_at_2 = lambda cell, call: 10.0 * call if cell.threads == 2 else 10.0  # noqa: E731
    run_sweep(cells, ScriptedDeviceDouble(latency_ms=drifting_at_2), DOUBLE_MACHINE, tmp_path, rounds=2, seed=3,
              say=quiet)
    write_reports(tmp_path)
    markdown = (tmp_path / "latency.md").read_text()
    one, two = md_row(markdown, "MobileNetV1", "fp32")[2:4]
    assert "[" not in one and "±" in one  # stable: the spread between rounds is shown, no mark
    assert two.endswith("[1]")
    assert any(line.startswith("[1] figure within ±") and "apart; limit ±3%)" in line for line in markdown.splitlines())
    assert "in 2 interleaved round(s) (order seed 3)" in markdown
    with open(tmp_path / "latency.csv") as f:
        line = next(csv.DictReader(f))
    assert line["threads1_unstable"] == "" and line["threads2_unstable"].startswith("figure within ±")
    assert line["threads2_rounds"] == "2" and float(line["threads2_round_spread"]) > 0.03
    from lite.bench.results import load_results as load_cell_results
    from lite.report.latency import latency_rows
    from lite.report.plots import draw_latency_vs_threads
    results = load_cell_results(tmp_path).results
    ax = draw_latency_vs_threads(latency_rows(results), results[0].machine).axes[0]
    ringed = [c for c in ax.collections if c.get_label() == "unstable (see latency.md)"]
    assert [x for x, _ in ringed[0].get_offsets()] == [2]  # the plot rings the same cell, in black
    assert tuple(ringed[0].get_edgecolor()[0][:3]) == (0.0, 0.0, 0.0)


def test_version_2_results_read_as_one_round(tmp_path, nb_file):
    cell = plan(nb_file)[0]
    old = {"schema": "mnv1-bench-result/2", "status": "ok", "error": None, "cell": cell.options.as_dict(),
           "model_file": {"storage_bytes": 10}, "started_at": "a", "finished_at": "b",
           "interference": {"other_cores": 0.1}, "measurement": {"samples_ms": [1.0, 2.0, 3.0]}}
    path = result_path(tmp_path, cell)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(old))
    result = load_result(path)
    assert len(result.rounds) == 1 and ESTIMATORS["median"].rounds(result.rounds_ms) == [2.0]
    assert result.interference == {"other_cores": 0.1} and result.started_at == "a"


# --- the real x86 runtime -----------------------------------------------------------------------------

@pytest.mark.slow
def test_run_host_rounds_check_logits_once_and_record_every_round(converted, tmp_path):
    args = ("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--threads", "1,2", "--warmup", "1",
            "--repeats", "4", "--rounds", "2", "--seed", "7", *NO_LIMITS, "--models-dir", converted["models"])
    done = run_cli(*args, "--results", tmp_path / "a")
    assert done.returncode == 0, done.stderr
    assert "2 rounds of 2 cells, each round in its own order (seed 7" in done.stdout
    assert "[4/4] round 2/2 MobileNetV1_x0_25" in done.stdout
    for result in read_result_dicts(tmp_path / "a" / "host"):
        first, second = result["rounds"]
        check = first["measurement"]["logit_check"]
        assert check["max_abs_diff"] <= 1e-4 * check["max_abs_logit"]
        assert second["measurement"].get("logit_check") is None  # same bytes: checked once
        assert [len(r["measurement"]["samples_ms"]) for r in (first, second)] == [4, 4]
        assert result["schedule"]["seed"] == 7
    again = run_cli(*args, "--results", tmp_path / "b")
    order = lambda out: [line.split(":")[0].split("] ", 1)[1] for line in out.splitlines() if "] round" in line]  # noqa: E731
    assert order(again.stdout) == order(done.stdout)


@pytest.mark.slow
def test_run_host_marks_what_stays_unstable_and_exits_4(converted, tmp_path):
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--threads", "1", "--warmup", "1",
                   "--repeats", "4", "--rounds", "1", "--max-retries", "1", "--max-cv", "0",
                   "--models-dir", converted["models"], "--results", tmp_path)
    assert done.returncode == 4, done.stderr  # a CV limit of 0 holds no real run: re-measured once, then marked
    assert "re-measuring 1 unstable cell(s) (retry 1 of 1): MobileNetV1_x0_25__fp32__t1: CV " in done.stdout
    assert "unstable: MobileNetV1_x0_25__fp32__t1: CV " in done.stdout
    assert "still unstable after re-measuring" in done.stderr
    (result,) = read_result_dicts(tmp_path / "host")
    assert result["schedule"]["attempt"] == 2 and len(result["earlier_attempts"]) == 1
    assert "[1] CV " in (tmp_path / "host" / "latency.md").read_text()


@pytest.mark.slow
def test_rounds_below_one_is_one_line(converted, tmp_path):
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--rounds", "0", *ONE_ROUND[2:],
                   "--models-dir", converted["models"], "--results", tmp_path)
    assert done.returncode == 2 and "argument --rounds: '0' is not a whole number from 1 to 1000" in done.stderr
    assert not any(tmp_path.iterdir())


def test_limits_can_be_switched_off_and_stay_off_in_the_result_files():
    import argparse
    import json
    import math

    from lite.bench.stability import Limits
    from lite.cli.args import add_stability_arguments
    parser = argparse.ArgumentParser()
    add_stability_arguments(parser)
    args = parser.parse_args(["--max-cv", "off", "--max-spread", "OFF", "--max-other-cores", "off"])
    assert (args.max_cv, args.max_spread, args.max_other_cores) == (math.inf, math.inf, math.inf)
    limits = Limits(args.max_spread, args.max_cv, args.max_other_cores)
    assert Limits.from_dict(json.loads(json.dumps(limits.as_dict()))) == limits  # a rebuilt report marks nothing
    assert parser.parse_args(["--max-cv", "5"]).max_cv == 0.05
