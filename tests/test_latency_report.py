"""Tables rebuilt from result documents (pure)."""
import csv
import io

import pytest
from helpers import REPO, md_row

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
    row = md_row(markdown, "MobileNetV1", "fp32")
    assert row[2].startswith("30.50 (") and row[4:6] == ["30.24", "1.01"]
    assert "Pixel 4, SoC SM8150, 8 cores" in markdown
    assert "- MobileNetV1_x0_25 fp32 2 threads: boom" in markdown


def test_the_committed_host_results_rebuild_to_the_same_csv_values(tmp_path):
    # the tables are DataFrames written by pandas now; every column the committed latency.csv has keeps its values
    import shutil

    import pandas as pd

    from lite.report.writer import write_reports
    committed = REPO / "results" / "host"
    shutil.copytree(committed / "raw", tmp_path / "raw")
    write_reports(tmp_path)
    old = pd.read_csv(committed / "latency.csv", dtype=str, keep_default_na=False)
    new = pd.read_csv(tmp_path / "latency.csv", dtype=str, keep_default_na=False)
    assert len(old) == len(new) == 5 and set(old.columns) <= set(new.columns)
    pd.testing.assert_frame_equal(old, new[list(old.columns)])
    assert {"threads1_ms_min", "threads1_init_ms", "threads1_first_run_ms", "threads1_peak_rss_mib"} <= set(new.columns)


def test_min_and_p90_stand_beside_the_median_and_start_up_has_its_own_table():
    measured = [r for r in RESULTS if r.ok]
    for r in measured:
        r.measurement.extra["peak_rss_kb"] = 2048
    markdown = to_markdown(latency_rows(measured), [1, 2], HOST, measured)
    cell = md_row(markdown, "MobileNetV1", "fp32")[2]
    assert cell.startswith("30.50 (29.00-") and "; CV " in cell  # median, then min-p90 of the timed runs
    p90 = latency_stats([31.0, 30.0, 29.0, 35.0])["p90_ms"]
    assert f"-{p90:.2f}; CV" in cell
    startup = markdown.split("## Start-up and memory", 1)[1]  # the second table
    assert md_row(startup, "Model")[3:] == ["Load (ms)", "First run (ms)", "Peak memory (MiB)"]
    assert md_row(startup, "MobileNetV1", "fp32", "1 thread")[3:] == ["–", "–", "2.0"]  # v1 files: no load time
    row = parsed(to_csv(latency_rows(measured), [1, 2], HOST))["MobileNetV1"]
    assert float(row["threads1_ms_min"]) == 29.0 and float(row["threads1_peak_rss_mib"]) == 2.0
    assert row["threads1_init_ms"] == ""  # unknown is empty, never 0


def test_plots_draw_bars_skip_capped_thread_counts_and_keep_published_and_measured_apart():
    from lite.report.plots import draw_latency_vs_threads, draw_top1_against
    capped = [result("MobileNetV1", 1, [30.0, 31.0, 40.0]), result("MobileNetV1", 2, [17.0, 18.0, 19.0]),
              result("MobileNetV1", 4, [17.0, 18.0, 19.0])]
    capped[2].measurement.extra["math_threads"] = 2  # 4 asked on a 2-core host: the library ran 2
    rows = latency_rows(capped)
    ax = draw_latency_vs_threads(rows, HOST).axes[0]
    assert list(ax.get_xticks()) == [1, 2]  # no 4-thread point on a 2-core machine that could not run 4
    bars = [c for c in ax.collections if c.get_segments()][0].get_segments()
    low, high = bars[0][:, 1]  # the 1-thread bar runs from the fastest run to the 90th percentile
    assert low == 30.0 and high == pytest.approx(latency_stats([30.0, 31.0, 40.0])["p90_ms"])
    measured = {("MobileNetV1", "fp32", None): {"top1": 0.5, "images": 10, "runtime": "host-x86",
                                                "weights_origin": "synthetic:1"}}
    legend = draw_top1_against(rows, HOST, lambda r: 1.0, "storage (MiB)", measured=measured).axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["published (PaddleClas)",
                                                           "measured (host-x86, synthetic weights)"]
