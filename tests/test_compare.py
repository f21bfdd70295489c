"""`python bench_scripts/report.py --compare OLD NEW`: two runs, cell by cell, with a bootstrap interval."""
import numpy as np
from helpers import run_cli

from lite.bench.cells import CellOptions
from lite.bench.compare import ratio_interval
from lite.bench.results import CellResult, Measurement, RoundResult, write_result

HOST = {"device": "host", "kind": "host", "cpu_model": "AMD EPYC", "abi": "x86_64", "soc": None}
PHONE = {"device": "sd855", "kind": "android", "soc": "SM8150", "model_name": "Xiaomi MI 9", "abi": "arm64-v8a"}


def write_run(folder, medians_ms, seed, machine=HOST, runner="host-python", target="x86", sha256="0" * 64,
              warmup=5):
    rng = np.random.default_rng(seed)
    for (model, threads), median in medians_ms.items():
        samples = tuple(float(x) for x in median * (1 + 0.01 * rng.standard_normal(60)))
        cell = CellOptions(model, "fp32", target, threads, "no_bind", warmup, 60)
        model_file = {"file": f"{model}.nb", "sha256": sha256, "storage_bytes": 1}
        write_result(folder, CellResult(cell=cell, status="ok", runner=runner, model_file=model_file,
                                        machine=machine, rounds=(RoundResult(1, Measurement(samples)),)))


def test_compare_says_slower_faster_and_no_difference(tmp_path):
    write_run(tmp_path / "old", {("MobileNetV1", 1): 30.0, ("MobileNetV1", 2): 20.0, ("MobileNetV1_x0_25", 1): 5.0,
                                 ("MobileNetV1_ssld", 1): 30.0}, seed=1)
    write_run(tmp_path / "new", {("MobileNetV1", 1): 36.0, ("MobileNetV1", 2): 16.0, ("MobileNetV1_x0_25", 1): 5.0},
              seed=2)
    done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "old", tmp_path / "new")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[1:] if line.startswith("MobileNetV1")}
    assert lines["MobileNetV1__fp32__t1"].endswith("slower") and " 1.2" in lines["MobileNetV1__fp32__t1"]
    assert lines["MobileNetV1__fp32__t2"].endswith("faster")
    assert lines["MobileNetV1_x0_25__fp32__t1"].endswith("no significant difference")
    assert "measured in one run only: MobileNetV1_ssld__fp32__t1" in done.stdout


def test_the_interval_holds_the_true_ratio_and_narrows_with_more_samples():
    rng = np.random.default_rng(0)
    old, new = 10 + rng.standard_normal(400), 11 + rng.standard_normal(400)
    ratio, low, high = ratio_interval(old, new)
    assert low < 1.1 < high and low < ratio < high
    _, low_few, high_few = ratio_interval(old[:20], new[:20])
    assert high_few - low_few > high - low


def test_compare_needs_two_result_folders(tmp_path):
    done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "a", tmp_path / "b")
    assert done.returncode == 2 and "holds no raw/ folder" in done.stderr
    done = run_cli("bench_scripts/report.py")
    assert done.returncode == 2 and "give a result folder, or --compare OLD NEW" in done.stderr


def test_twins_of_one_architecture_that_disagree_make_the_report_say_so(tmp_path):
    write_run(tmp_path / "run", {("MobileNetV1", 1): 30.0, ("MobileNetV1_ssld", 1): 36.0,
                                 ("MobileNetV1", 2): 20.0, ("MobileNetV1_ssld", 2): 20.2}, seed=3)
    done = run_cli("bench_scripts/report.py", tmp_path / "run")
    assert done.returncode == 0, done.stderr
    markdown = (tmp_path / "run" / "latency.md").read_text()
    sanity = next(line for line in markdown.splitlines() if line.startswith("**Sanity check failed.**"))
    assert "MobileNetV1_ssld__fp32__t1" in sanity and "MobileNetV1__fp32__t1" in sanity
    assert "__t2" not in sanity  # 1% apart is within the limit
    ssld_row = next(line for line in markdown.splitlines() if line.startswith("| MobileNetV1_ssld | fp32 |"))
    mark = ssld_row.split("|")[3].strip().rsplit(" ", 1)[1]  # the 1-thread cell ends with its mark
    assert mark.startswith("[") and "[" not in ssld_row.split("|")[4]
    footnote = next(line for line in markdown.splitlines() if line.startswith(mark + " "))
    assert "1.20x the time of MobileNetV1 1 thread, the same MobileNetV1_x1_0 network" in footnote


def test_runs_from_different_machines_are_refused_unless_asked_and_then_said(tmp_path):
    write_run(tmp_path / "host", {("MobileNetV1", 1): 30.0}, seed=1)
    write_run(tmp_path / "phone", {("MobileNetV1", 1): 12.0}, seed=2, machine=PHONE, runner="cxx", target="arm")
    done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "host", tmp_path / "phone")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "come from different machines" in done.stderr and "--across-machines" in done.stderr
    assert "slower" not in done.stdout + done.stderr and "faster" not in done.stdout + done.stderr
    write_run(tmp_path / "phone2", {("MobileNetV1", 1): 12.0}, seed=2, machine=PHONE)
    done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "host", tmp_path / "phone2", "--across-machines")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ACROSS MACHINES") and "SM8150" in done.stdout.splitlines()[0]
    assert done.stdout.splitlines()[2].endswith("faster")


def test_another_model_file_runner_or_target_gives_no_verdict(tmp_path):
    cells = {("MobileNetV1", 1): 30.0}
    write_run(tmp_path / "old", cells, seed=1)
    for name, changes in {"file": {"sha256": "1" * 64}, "runner": {"runner": "cxx"},
                          "target": {"target": "arm"}}.items():
        write_run(tmp_path / name, {("MobileNetV1", 1): 40.0}, seed=2, **changes)
        done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "old", tmp_path / name)
        assert done.returncode == 0, done.stderr
        row = [line for line in done.stdout.splitlines() if line.startswith("MobileNetV1__")][0]
        assert "not comparable:" in row and "slower" not in row, (name, row)
    write_run(tmp_path / "warm", {("MobileNetV1", 1): 40.0}, seed=2, warmup=20)
    done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "old", tmp_path / "warm")
    row = [line for line in done.stdout.splitlines() if line.startswith("MobileNetV1__")][0]
    assert "slower (warm-up 5 vs 20 differ)" in row
