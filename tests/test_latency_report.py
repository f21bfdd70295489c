"""Tables rebuilt from result documents (pure)."""
import csv
import io

import pytest

from lite.bench.results import parse_result
from lite.bench.stats import latency_stats
from lite.devices.facts import is_sd855
from lite.devices.machine_facts import MachineFacts
from lite.report.latency import latency_rows, thread_counts, to_csv, to_markdown
from lite.report.rows import CellFigures, FailedCell

SD855 = MachineFacts.from_dict({"device": "phone", "model_name": "Pixel 4", "soc": "SM8150", "core_count": 8,
                                "cpus": [],
         "tool_versions": {"paddlelite": "2.13"}})
HOST = MachineFacts.from_dict({"device": "host", "cpu_model": "AMD EPYC", "core_count": 2, "cpus": [],
                               "tool_versions": {}})


def result(model, threads, samples, status="ok", storage=1_000_000):
    """A version-1 result document, read by the product's loader (which migrates it)."""
    return parse_result({"schema": "mnv1-bench-result/1", "status": status, "error": None if status == "ok" else "boom",
            "cell": {"model": model, "variant": "fp32", "target": "arm", "threads": threads,
                     "power_mode": "high", "warmup": 1, "repeats": len(samples)},
            "runner": "cxx", "model_file": {"storage_bytes": storage}, "started_at": "a", "finished_at": "b",
            "measurement": {"samples_ms": samples, "math_threads": threads} if status == "ok" else None})


RESULTS = [result("MobileNetV1", 1, [31.0, 30.0, 29.0, 35.0]), result("MobileNetV1", 2, [18.0, 17.0, 19.0]),
           result("MobileNetV1_x0_25", 1, [3.0, 2.9]), result("MobileNetV1_x0_25", 2, [], status="failed")]


def parsed(text):
    return {row["model"]: row for row in csv.DictReader(io.StringIO(text))}


def test_rows_follow_the_family_order_and_threads_are_collected():
    rows = latency_rows(RESULTS)
    assert [r.model for r in rows] == ["MobileNetV1_x0_25", "MobileNetV1"]
    assert rows[0].cells[2] == FailedCell("boom") and rows[0].cells[2].failed
    assert isinstance(rows[1].cells[2], CellFigures) and rows[1].cells[2].median_ms == 18.0
    assert thread_counts(RESULTS) == [1, 2]


def test_csv_numbers_are_the_statistics_of_the_samples():
    table = parsed(to_csv(latency_rows(RESULTS), [1, 2], HOST))
    row = table["MobileNetV1"]
    assert float(row["threads1_ms_median"]) == pytest.approx(latency_stats([31.0, 30.0, 29.0, 35.0])["median_ms"])
    assert float(row["threads2_ms_p90"]) == pytest.approx(latency_stats([18.0, 17.0, 19.0])["p90_ms"], abs=1e-3)
    assert table["MobileNetV1_x0_25"]["threads2_ms_median"] == "failed"
    assert "threads1_published_sd855_ms" not in row  # not that phone
    assert row["published_storage_m"] == "16.0"


def test_sd855_gets_the_published_figures_and_ratio_never_in_place_of_a_measurement():
    assert is_sd855(SD855) and not is_sd855(HOST)
    row = parsed(to_csv(latency_rows(RESULTS), [1, 2], SD855))["MobileNetV1"]
    assert float(row["threads1_published_sd855_ms"]) == 30.24
    assert float(row["threads1_ms_median"]) == 30.5
    assert float(row["threads1_ratio_to_published"]) == pytest.approx(30.5 / 30.24, abs=1e-3)
    markdown = to_markdown(latency_rows(RESULTS), [1, 2], SD855, RESULTS)
    assert "| MobileNetV1 | fp32 | 30.50 (CV" in markdown
    assert "30.24 | 1.01" in markdown
    assert "Pixel 4, SoC SM8150, 8 cores" in markdown
    assert "- MobileNetV1_x0_25 fp32 2 threads: boom" in markdown
