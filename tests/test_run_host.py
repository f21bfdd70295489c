"""`python bench_scripts/run_host.py` with the real Paddle Lite x86 runtime."""
import csv
import shutil
import subprocess
import sys

import numpy as np
import pytest
from helpers import FAST_SWEEP, md_row, read_result_dicts, run_cli

from lite.bench.stats import latency_stats


@pytest.fixture(scope="module")
def host_run(converted, tmp_path_factory):
    results = tmp_path_factory.mktemp("host-results")
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25,MobileNetV1", "--threads", "1,2",
                   *FAST_SWEEP, "--models-dir", converted["models"], "--results", results)
    assert done.returncode == 0, done.stderr
    return {"dir": results / "host", "stdout": done.stdout, "root": results}


@pytest.mark.slow
def test_each_cell_has_a_result_with_samples_and_machine(host_run):
    results = read_result_dicts(host_run["dir"])
    assert sorted((r["cell"]["model"], r["cell"]["threads"]) for r in results) == [
        ("MobileNetV1", 1), ("MobileNetV1", 2), ("MobileNetV1_x0_25", 1), ("MobileNetV1_x0_25", 2)]
    for r in results:
        assert r["status"] == "ok" and len(r["measurement"]["samples_ms"]) == 5
        assert len(r["measurement"]["warmup_samples_ms"]) == 1  # warm-up timings kept beside the samples
        check = r["measurement"]["logit_check"]
        assert check["max_abs_diff"] <= 1e-4 * check["max_abs_logit"]
        assert r["machine"]["core_count"] >= 1 and r["machine"]["tool_versions"]["paddlelite"] == "2.13rc0"
    assert "] MobileNetV1 fp32 2 threads: median" in host_run["stdout"] and "[4/4] " in host_run["stdout"]


@pytest.mark.slow
def test_thread_count_really_applies(host_run):
    by_threads = {r["cell"]["threads"]: r["measurement"] for r in read_result_dicts(host_run["dir"])
                  if r["cell"]["model"] == "MobileNetV1"}
    # What the cell process did (MKL's thread count, the affinity it set), not where the scheduler ran it.
    for threads in (1, 2):
        measurement = by_threads[threads]
        assert measurement["math_threads"] == threads and len(measurement["cpus_allowed"]) == threads
        assert set(measurement["cpus_used"]) <= set(measurement["cpus_allowed"])


@pytest.mark.slow
def test_table_numbers_trace_back_to_samples(host_run):
    with open(host_run["dir"] / "latency.csv") as f:
        rows = {row["model"]: row for row in csv.DictReader(f)}
    for r in read_result_dicts(host_run["dir"]):
        stats = latency_stats(r["measurement"]["samples_ms"])
        row = rows[r["cell"]["model"]]
        assert float(row[f"threads{r['cell']['threads']}_ms_median"]) == pytest.approx(stats["median_ms"], abs=1e-3)
        assert int(row["storage_bytes"]) == r["model_file"]["storage_bytes"]


@pytest.mark.slow
def test_report_rebuilds_identical_tables_from_result_files_alone(host_run, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(host_run["dir"] / "raw", copy / "raw")
    done = run_cli("bench_scripts/report.py", copy)
    assert done.returncode == 0, done.stderr
    for name in ("latency.csv", "latency.md"):
        assert (copy / name).read_text() == (host_run["dir"] / name).read_text()
    for name in ("latency_vs_threads.png", "top1_vs_latency.png", "top1_vs_storage.png"):
        assert (copy / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_resume_keeps_complete_cells(host_run, converted):
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25,MobileNetV1", "--threads", "1,2",
                   *FAST_SWEEP, "--models-dir", converted["models"], "--results", host_run["root"], "--resume")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("done earlier, kept") == 4


@pytest.mark.slow
def test_logit_mismatch_is_a_failed_cell_not_timed(converted, tmp_path):
    models = tmp_path / "models"
    (models / "x86").mkdir(parents=True)
    (models / "paddle" / "MobileNetV1_x0_25").mkdir(parents=True)
    shutil.copy(converted["models"] / "x86" / "MobileNetV1_x0_25.nb", models / "x86")
    with np.load(converted["models"] / "paddle" / "MobileNetV1_x0_25" / "reference_io.npz") as data:
        np.savez(models / "paddle" / "MobileNetV1_x0_25" / "reference_io.npz", input=data["input"],
                 logits=data["logits"][:, ::-1])
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--threads", "1", *FAST_SWEEP,
                   "--models-dir", models, "--results", tmp_path / "r")
    assert done.returncode == 1
    assert "FAILED" in done.stdout and "logits do not match Paddle's" in done.stdout
    result = read_result_dicts(tmp_path / "r" / "host")[0]
    assert result["status"] == "failed" and result["measurement"] is None


@pytest.mark.slow
def test_crashing_cell_becomes_a_failure_row(converted, tmp_path):
    models = tmp_path / "models"
    (models / "x86").mkdir(parents=True)
    whole = bytearray((converted["models"] / "x86" / "MobileNetV1_x0_25.nb").read_bytes())
    whole[100:2100] = b"\xff" * 2000  # the layout is whole, the program is garbage: the runtime segfaults
    (models / "x86" / "MobileNetV1_x0_25.nb").write_bytes(bytes(whole))
    shutil.copy(converted["models"] / "x86" / "MobileNetV1.nb", models / "x86")
    for name in ("MobileNetV1_x0_25", "MobileNetV1"):
        shutil.copytree(converted["models"] / "paddle" / name, models / "paddle" / name)
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25,MobileNetV1", "--threads", "1",
                   *FAST_SWEEP, "--models-dir", models, "--results", tmp_path / "r")
    assert done.returncode == 1
    assert "] MobileNetV1_x0_25 fp32 1 thread: FAILED" in done.stdout
    assert "] MobileNetV1 fp32 1 thread: median" in done.stdout
    assert md_row((tmp_path / "r" / "host" / "latency.md").read_text(), "MobileNetV1_x0_25", "fp32")[2] == "failed"


@pytest.mark.parametrize("threads", ["0", "a,b", "1,,2", "-1"])
@pytest.mark.slow
def test_bad_thread_lists_are_refused(threads, converted, tmp_path):
    done = run_cli("bench_scripts/run_host.py", f"--threads={threads}", "--models-dir", converted["models"],
                   "--results", tmp_path)
    assert done.returncode == 2 and "thread count" in done.stderr
    assert not any(tmp_path.iterdir())


def test_no_converted_models_says_which_command_makes_them(tmp_path):
    done = run_cli("bench_scripts/run_host.py", "--models-dir", tmp_path / "none", "--results", tmp_path / "r")
    assert done.returncode == 2
    assert "python lite/opt_models.py" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_missing_paddle_reference_is_refused_not_skipped(converted, tmp_path):
    models = tmp_path / "models"
    (models / "x86").mkdir(parents=True)
    shutil.copy(converted["models"] / "x86" / "MobileNetV1_x0_25.nb", models / "x86")
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--models-dir", models,
                   "--results", tmp_path / "r")
    assert done.returncode == 2 and "reference_io.npz" in done.stderr
    assert "python lite/opt_models.py --models MobileNetV1_x0_25 --force" in done.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_corrupt_nb_is_refused_before_touching_results(host_run, tmp_path):
    models = tmp_path / "models" / "x86"
    models.mkdir(parents=True)
    (models / "MobileNetV1.nb").write_bytes(b"not a model at all")
    before = {p: p.read_bytes() for p in host_run["dir"].rglob("*") if p.is_file()}
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1", "--models-dir", tmp_path / "models",
                   "--results", host_run["root"])
    assert done.returncode == 2 and "is not a usable Paddle Lite .nb" in done.stderr
    assert {p: p.read_bytes() for p in host_run["dir"].rglob("*") if p.is_file()} == before


@pytest.mark.slow
def test_a_model_changed_since_conversion_is_refused_before_timing(converted, tmp_path):
    models = tmp_path / "models"
    (models / "x86").mkdir(parents=True)
    for suffix in (".nb", ".json"):
        shutil.copy(converted["models"] / "x86" / f"MobileNetV1_x0_25{suffix}", models / "x86")
    shutil.copytree(converted["models"] / "paddle" / "MobileNetV1_x0_25", models / "paddle" / "MobileNetV1_x0_25")
    nb = models / "x86" / "MobileNetV1_x0_25.nb"
    data = bytearray(nb.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit: same size, same layout, loads and runs
    nb.write_bytes(bytes(data))
    host = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--threads", "1", *FAST_SWEEP,
                   "--models-dir", models, "--results", tmp_path / "r")
    board = run_cli("bench_scripts/run_sd855.py", "--transport", "local", "--runner", "python", "--model-target",
                    "x86", "--models", "MobileNetV1_x0_25", "--threads", "1", *FAST_SWEEP, "--models-dir", models,
                    "--results", tmp_path / "r", "--device-dir", tmp_path / "device")
    for done in (host, board):
        assert done.returncode == 2, done.stdout
        assert "MobileNetV1_x0_25.nb of MobileNetV1_x0_25 is not the file opt_models.py wrote" in done.stderr
        assert f"python lite/opt_models.py --models MobileNetV1_x0_25 --targets x86 --force --models-dir {models}" \
            in done.stderr
    assert not (tmp_path / "r").exists() and not (tmp_path / "device" / "models").exists()  # nothing timed or pushed


@pytest.mark.slow
def test_unwritable_results_folder_is_one_line(converted, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--models-dir", converted["models"],
                   "--results", blocker / "r")
    assert done.returncode == 2 and "cannot write to folder" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_help_lists_every_option_with_defaults():
    done = run_cli("bench_scripts/run_host.py", "--help")
    for text in ("--threads", "default: 1,2,4", "--warmup", "default: 20", "--repeats", "default: 100",
                 "--cooldown", "--max-temp", "--resume", "--results", "--cell-timeout"):
        assert text in done.stdout


@pytest.mark.slow
def test_other_work_during_a_cell_is_measured_and_named(converted, tmp_path):
    # What the sweep recorded, not a speed: a CPU-bound process of ours runs beside the cell.
    hog = subprocess.Popen([sys.executable, "-c",
                            "import time\nend = time.time() + 120\nwhile time.time() < end: pass"])
    try:
        done = run_cli("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--threads", "1", "--warmup", "2",
                       "--repeats", "300", "--cooldown", "0", "--rounds", "1", "--max-retries", "0", "--max-cv", "off",
                       "--models-dir", converted["models"], "--results", tmp_path / "r")
    finally:
        hog.kill()
        hog.wait()
    assert done.returncode == 4, done.stderr  # measured, but unstable: marked, and the exit status says so
    found = read_result_dicts(tmp_path / "r" / "host")[0]["interference"]
    assert found["other_cores"] > 0.5 and found["own_cores"] > 0 and found["wall_s"] > 0
    assert found["machine_busy_cores"] >= found["other_cores"]
    assert found["cpu_freq_khz"]["before"]  # this VM has no cpufreq: /proc/cpuinfo's MHz of the CPU used
    markdown = (tmp_path / "r" / "host" / "latency.md").read_text()
    assert md_row(markdown, "MobileNetV1_x0_25", "fp32")[2].endswith(" [1]")
    assert f"[1] other work used {found['other_cores']:.2f} cores (limit 0.25)." in markdown
    assert "unstable: MobileNetV1_x0_25__fp32__t1: other work used" in done.stdout
