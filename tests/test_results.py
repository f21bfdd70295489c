"""The versioned result type: what it stores, how older files migrate, how bad files are named."""
import json

import pytest
from helpers import md_row, run_cli

from lite.bench.cells import Cell
from lite.bench.results import (
    SCHEMA,
    CellResult,
    Measurement,
    RoundResult,
    load_result,
    load_results,
    parse_result,
    write_result,
)
from lite.errors import ResultFileError

CELL = Cell("MobileNetV1", "fp32", "arm", 2, "high", 3, 4, "m.nb")


def program_output(**changes):
    return {"threads": 2, "warmup": 3, "repeats": 4, "init_ms": 5.0, "first_run_ms": 9.0,
            "samples_ms": [1.0, 2.0, 3.0, 4.0], "warmup_samples_ms": [7.0, 6.0, 5.0], "cpus_used": [0, 1],
            "median_ms": 2.5, "top5": [1, 2, 3, 4, 5], **changes}


def test_a_result_keeps_samples_and_warmup_samples_and_drops_the_programs_summary(tmp_path):
    result = CellResult(cell=CELL.options, status="ok", runner="cxx", model_file={"storage_bytes": 10},
                        rounds=(RoundResult(1, Measurement.from_program(program_output())),))
    path = write_result(tmp_path, result)
    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA and path.name == "MobileNetV1__fp32__t2.json"
    assert data["measurement"]["warmup_samples_ms"] == [7.0, 6.0, 5.0]
    assert "median_ms" not in data["measurement"] and data["measurement"]["top5"] == [1, 2, 3, 4, 5]
    assert load_result(path) == result


def test_version_1_files_migrate_with_unknown_warmup_samples(tmp_path):
    data = {"schema": "mnv1-bench-result/1", "status": "ok", "error": None, "cell": CELL.options.as_dict(),
            "model_file": {"storage_bytes": 10}, "measurement": {"samples_ms": [1.0, 2.0, 3.0, 4.0]}}
    result = parse_result(data)
    assert result.measurement.warmup_samples_ms is None and result.measurement.samples_ms == (1.0, 2.0, 3.0, 4.0)
    assert result.as_dict()["schema"] == SCHEMA


@pytest.mark.parametrize("text,reason", [
    ('{"schema": "mnv1-bench-result/2", "status": "o', "not valid JSON"),
    ('{"schema": "other/1"}', "unknown schema 'other/1'"),
    ('{"schema": "mnv1-bench-result/2", "status": "ok", "model_file": {"storage_bytes": 1}}', "no 'cell'"),
    ('{"schema": "mnv1-bench-result/2", "status": "ok", "model_file": {"storage_bytes": 1}, '
     '"cell": {"model": "M"}}', "lacks 'variant'"),
    ('{"schema": "mnv1-bench-result/2", "status": "ok", "model_file": {"storage_bytes": 1}, "cell": CELL, '
     '"measurement": {"samples_ms": [1, "fast"]}}', "'samples_ms' must be a list of finite numbers"),
    ('{"schema": "mnv1-bench-result/2", "status": "ok", "model_file": {"storage_bytes": 1}, "cell": CELL, '
     '"measurement": null}', "no measurement"),
])
def test_a_bad_file_is_named_with_what_is_wrong(tmp_path, text, reason):
    path = tmp_path / "raw" / "x.json"
    path.parent.mkdir()
    path.write_text(text.replace("CELL", json.dumps(CELL.options.as_dict())))
    with pytest.raises(ResultFileError) as err:
        load_result(path)
    assert str(path) in str(err.value) and reason in str(err.value)
    loaded = load_results(tmp_path)
    assert loaded.results == () and len(loaded.problems) == 1


def test_report_names_unreadable_files_keeps_the_rest_and_exits_non_zero(tmp_path):
    good = CellResult(cell=CELL.options, status="ok", runner="cxx", model_file={"storage_bytes": 10},
                      machine={"device": "phone"}, rounds=(RoundResult(1, Measurement.from_program(program_output())),))
    write_result(tmp_path, good)
    (tmp_path / "raw" / "MobileNetV1__fp32__t4.json").write_text('{"schema": "mnv1-bench-result/2", "sta')
    done = run_cli("bench_scripts/report.py", tmp_path)
    assert done.returncode == 2
    assert "MobileNetV1__fp32__t4.json: is not valid JSON" in done.stderr
    assert "1 result file(s) could not be read" in done.stderr and "Traceback" not in done.stderr
    assert md_row((tmp_path / "latency.md").read_text(), "MobileNetV1", "fp32")[2].startswith("2.50 (")


def test_files_written_atomically_get_the_usual_mode_not_0600(tmp_path):
    import os
    import stat

    from lite.util.files import atomic_write_text
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "latency.csv", "a,b\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "latency.csv").stat().st_mode) == 0o644
