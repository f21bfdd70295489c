"""The engine's decisions, with a scripted device double (no runtime involved)."""
import pytest
from helpers import read_result_dicts
from scripted_device_double import DOUBLE_MACHINE, ScriptedDeviceDouble

from lite.bench.cells import Cell
from lite.bench.results import result_path
from lite.bench.sweep import run_sweep, wait_until_cool
from lite.devices.machine_facts import MachineFacts
from lite.errors import DeviceLost


def cells(nb_file, models=("MobileNetV1_x0_25", "MobileNetV1"), threads=(1, 2, 4)):
    return [Cell(m, "fp32", "arm", t, "high", 2, 5, nb_file) for m in models for t in threads]


def test_every_cell_gets_a_self_describing_result_without_stored_stats(tmp_path, nb_file):
    summary = run_sweep(cells(nb_file), ScriptedDeviceDouble(), DOUBLE_MACHINE, tmp_path, say=lambda *_: None)
    assert (summary.ran, summary.failed) == (6, 0)
    results = read_result_dicts(tmp_path)
    assert len(results) == 6
    first = results[0]
    assert first["model_file"]["storage_bytes"] == nb_file.stat().st_size
    assert len(first["model_file"]["sha256"]) == 64
    assert first["machine"]["device"] == "double"
    assert "median_ms" not in first["measurement"]  # the program's summary is not kept
    assert len(first["measurement"]["samples_ms"]) == 5
    assert {"started_at", "finished_at", "temperatures_before_c", "temperatures_after_c"} <= set(first)


def test_a_failing_cell_is_recorded_and_the_sweep_goes_on(tmp_path, nb_file):
    double = ScriptedDeviceDouble(fail={"MobileNetV1__fp32__t2": "crashed with SIGSEGV"})
    lines = []
    summary = run_sweep(cells(nb_file), double, DOUBLE_MACHINE, tmp_path, say=lines.append)
    assert (summary.ran, summary.failed) == (6, 1)
    failed = [r for r in read_result_dicts(tmp_path) if r["status"] == "failed"]
    assert [(r["cell"]["model"], r["cell"]["threads"], r["error"]) for r in failed] == [
        ("MobileNetV1", 2, "crashed with SIGSEGV")]
    assert any("FAILED: crashed with SIGSEGV" in line for line in lines)
    assert len(double.calls) == 6


def test_lost_device_stops_and_resume_completes_without_rerunning(tmp_path, nb_file):
    plan = cells(nb_file)
    with pytest.raises(DeviceLost):
        run_sweep(plan, ScriptedDeviceDouble(lose_at=4), DOUBLE_MACHINE, tmp_path, say=lambda *_: None)
    kept = {(r["cell"]["model"], r["cell"]["threads"]) for r in read_result_dicts(tmp_path)}
    assert len(kept) == 3  # the three finished cells are kept
    resumed = ScriptedDeviceDouble()
    summary = run_sweep(plan, resumed, DOUBLE_MACHINE, tmp_path, resume=True, say=lambda *_: None)
    assert (summary.skipped, summary.ran) == (3, 3)
    assert sorted((c.model, c.threads) for c in resumed.calls) == sorted(
        (c.model, c.threads) for c in plan if (c.model, c.threads) not in kept)
    keys = [(r["cell"]["model"], r["cell"]["threads"]) for r in read_result_dicts(tmp_path)]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 6


def test_resume_reruns_failed_and_mismatched_cells(tmp_path, nb_file):
    plan = cells(nb_file, models=("MobileNetV1",), threads=(1, 2))
    run_sweep(plan, ScriptedDeviceDouble(fail={"MobileNetV1__fp32__t1": "timed out"}), DOUBLE_MACHINE, tmp_path,
              say=lambda *_: None)
    again = ScriptedDeviceDouble()
    run_sweep(plan, again, DOUBLE_MACHINE, tmp_path, resume=True, say=lambda *_: None)
    assert [c.threads for c in again.calls] == [1]
    more_repeats = [Cell(c.model, c.variant, c.target, c.threads, c.power_mode, c.warmup, 9, nb_file) for c in plan]
    third = ScriptedDeviceDouble()
    run_sweep(more_repeats, third, DOUBLE_MACHINE, tmp_path, resume=True, say=lambda *_: None)
    assert len(third.calls) == 2  # other options: not the same cell
    assert result_path(tmp_path, plan[0]).is_file()


def test_cooldown_sleeps_between_cells_only(tmp_path, nb_file):
    slept = []
    run_sweep(cells(nb_file, threads=(1,)), ScriptedDeviceDouble(), DOUBLE_MACHINE, tmp_path, cooldown_s=7,
              say=lambda *_: None, sleep=slept.append)
    assert slept == [7]


def test_wait_until_cool_polls_until_below_the_limit():
    readings = iter([{"z": 52.0}, {"z": 49.0}, {"z": 45.0}])
    slept, lines = [], []
    outcome, last = wait_until_cool(lambda: next(readings), 46.0, 300, lines.append, sleep=slept.append,
                                    clock=lambda: 0.0)
    assert outcome["timed_out"] is False and len(slept) == 2
    assert last == {"z": 45.0}  # the reading the cell records as "before"
    assert "cooling: 52.0 °C" in lines[0]


def test_wait_until_cool_gives_up_after_the_timeout():
    clock = iter(range(0, 1000, 100))
    outcome, _ = wait_until_cool(lambda: {"z": 80.0}, 50.0, 250, lambda *_: None, sleep=lambda _: None,
                              clock=lambda: float(next(clock)))
    assert outcome["timed_out"] is True


def test_temperatures_before_and_after_are_recorded(tmp_path, nb_file):
    double = ScriptedDeviceDouble(temperatures=[41.0, 41.0, 44.5])  # check, cooling (= before), after
    run_sweep(cells(nb_file, models=("MobileNetV1",), threads=(1,)), double, DOUBLE_MACHINE, tmp_path, max_temp_c=60,
              say=lambda *_: None)
    result = read_result_dicts(tmp_path)[0]
    assert result["temperatures_before_c"] == {"thermal_zone0:cpu": 41.0}
    assert result["temperatures_after_c"] == {"thermal_zone0:cpu": 44.5}


def test_max_temp_without_thermal_zones_says_so(tmp_path, nb_file):
    lines = []
    run_sweep(cells(nb_file, models=("MobileNetV1",), threads=(1,)), ScriptedDeviceDouble(), DOUBLE_MACHINE, tmp_path,
              max_temp_c=45, say=lines.append)
    assert lines[0].startswith("note: no thermal zone is readable")


def test_resume_reruns_a_cell_whose_model_file_changed(tmp_path, nb_file):
    plan = cells(nb_file, models=("MobileNetV1",), threads=(1,))
    run_sweep(plan, ScriptedDeviceDouble(), DOUBLE_MACHINE, tmp_path, say=lambda *_: None)
    same = ScriptedDeviceDouble()
    run_sweep(plan, same, DOUBLE_MACHINE, tmp_path, resume=True, say=lambda *_: None)
    assert same.calls == []  # same bytes, same runner, same device: kept
    nb_file.write_bytes(nb_file.read_bytes() + b"\x01")  # the .nb was remade
    plan = cells(nb_file, models=("MobileNetV1",), threads=(1,))  # the next run's plan reads the new bytes
    changed = ScriptedDeviceDouble()
    run_sweep(plan, changed, DOUBLE_MACHINE, tmp_path, resume=True, say=lambda *_: None)
    assert len(changed.calls) == 1


def test_resume_reruns_cells_measured_by_another_runner_or_device(tmp_path, nb_file):
    plan = cells(nb_file, models=("MobileNetV1",), threads=(1,))
    run_sweep(plan, ScriptedDeviceDouble(), DOUBLE_MACHINE, tmp_path, say=lambda *_: None)
    other = ScriptedDeviceDouble()
    other.name = "another-runner"
    run_sweep(plan, other, DOUBLE_MACHINE, tmp_path, resume=True, say=lambda *_: None)
    assert len(other.calls) == 1
    elsewhere = ScriptedDeviceDouble()
    elsewhere.name = "another-runner"
    run_sweep(plan, elsewhere, MachineFacts(short_name="another-phone"), tmp_path, resume=True, say=lambda *_: None)
    assert len(elsewhere.calls) == 1


def test_progress_says_1_thread_not_1_threads(tmp_path, nb_file):
    lines = []
    run_sweep(cells(nb_file, models=("MobileNetV1",), threads=(1, 2)), ScriptedDeviceDouble(), DOUBLE_MACHINE, tmp_path,
              say=lines.append)
    assert any("MobileNetV1 fp32 1 thread: median" in line for line in lines)
    assert any("MobileNetV1 fp32 2 threads: median" in line for line in lines)
