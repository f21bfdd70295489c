"""`python bench_scripts/report.py --compare OLD NEW`: two runs, cell by cell, with a bootstrap interval."""
import numpy as np
from helpers import md_row, run_cli

from lite.bench.cells import CellOptions
from lite.bench.compare import ratio_interval
from lite.bench.estimators import ESTIMATORS
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
    assert f"OLD: {tmp_path / 'old'}" in done.stdout and f"NEW: {tmp_path / 'new'}" in done.stdout  # never cut
    assert md_row(done.stdout, "cell") == ["cell", "OLD (ms)", "NEW (ms)", "ratio (95% CI)", "verdict"]
    slower = md_row(done.stdout, "MobileNetV1__fp32__t1")
    assert slower[4] == "slower" and slower[3].startswith("1.2")
    assert md_row(done.stdout, "MobileNetV1__fp32__t2")[4] == "faster"
    assert md_row(done.stdout, "MobileNetV1_x0_25__fp32__t1")[4] == "no significant difference"
    assert "measured in one run only: MobileNetV1_ssld__fp32__t1" in done.stdout
    assert done.stdout.splitlines()[-1] == "3 of 3 cells judged"


def test_the_interval_holds_the_true_ratio_and_narrows_with_more_samples():
    rng = np.random.default_rng(0)
    old, new = 10 + rng.standard_normal(400), 11 + rng.standard_normal(400)
    ratio, low, high = ratio_interval([old], [new])
    assert low < 1.1 < high and low < ratio < high
    _, low_few, high_few = ratio_interval([old[:20]], [new[:20]])
    assert high_few - low_few > high - low


def test_the_ratio_and_its_interval_come_from_one_estimator_the_median_of_round_medians():
    # Rounds whose modes differ (a bimodal VM): the pooled median and the median of round medians part ways.
    # The old code took its point from one and its interval from the other, and printed 0.559 (0.535-0.557).
    old = [np.full(50, 10.0), np.full(50, 10.0), np.r_[np.full(30, 14.0), np.full(20, 10.0)]]
    new = [np.full(50, 6.0), np.r_[np.full(30, 8.0), np.full(20, 6.0)], np.r_[np.full(30, 8.0), np.full(20, 6.0)]]
    ratio, low, high = ratio_interval(old, new)
    median = ESTIMATORS["median"]  # the median of round medians, the tables' estimate
    assert ratio == median(new) / median(old) == 0.8
    assert low <= ratio <= high
    pooled = np.median(np.concatenate(new)) / np.median(np.concatenate(old))
    assert pooled != ratio  # the case the single estimator is about


def test_fail_if_slower_fails_on_a_trusted_slow_cell_only(tmp_path):
    write_run(tmp_path / "old", {("MobileNetV1", 1): 30.0, ("MobileNetV1", 2): 20.0}, seed=1)
    write_run(tmp_path / "new", {("MobileNetV1", 1): 33.0, ("MobileNetV1", 2): 20.0}, seed=2)
    strict = run_cli("bench_scripts/report.py", "--compare", tmp_path / "old", tmp_path / "new",
                     "--fail-if-slower", "5")
    assert strict.returncode == 1, strict.stderr
    assert strict.stdout.splitlines()[-1] == ("2 of 2 cells judged; FAIL: 1 significantly slower by more than 5%: "
                                              "MobileNetV1__fp32__t1")
    loose = run_cli("bench_scripts/report.py", "--compare", tmp_path / "old", tmp_path / "new",
                    "--fail-if-slower", "20")
    assert loose.returncode == 0 and loose.stdout.splitlines()[-1].endswith("pass: none significantly slower by more "
                                                                            "than 20%")
    wrong = run_cli("bench_scripts/report.py", tmp_path / "old", "--fail-if-slower", "5")
    assert wrong.returncode == 2 and "--fail-if-slower goes with --compare" in wrong.stderr


def test_a_compare_whose_cells_are_all_unstable_says_so_last(tmp_path):
    for name, seed in (("old", 1), ("new", 2)):
        folder = tmp_path / name
        rng = np.random.default_rng(seed)
        samples = tuple(float(x) for x in 30 * (1 + 0.4 * rng.standard_normal(60)) if x > 0)  # CV far above 15%
        write_result(folder, CellResult(cell=CellOptions("MobileNetV1", "fp32", "x86", 1, "no_bind", 5, len(samples)),
                                        status="ok", runner="host-python", machine=HOST,
                                        model_file={"file": "m.nb", "sha256": "0" * 64, "storage_bytes": 1},
                                        rounds=(RoundResult(1, Measurement(samples)),)))
    done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "old", tmp_path / "new", "--fail-if-slower", "1")
    assert done.returncode == 0  # an unstable cell is never a CI failure: it is no evidence either way
    assert done.stdout.splitlines()[-1].startswith("all 1 cells are unstable in OLD or NEW: no verdict here can be "
                                                   "trusted")


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
    ssld_row = md_row(markdown, "MobileNetV1_ssld", "fp32")
    mark = ssld_row[2].rsplit(" ", 1)[1]  # the 1-thread cell ends with its mark
    assert mark.startswith("[") and "[" not in ssld_row[3]
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
    assert md_row(done.stdout, "MobileNetV1__fp32__t1")[4] == "faster"


def test_another_model_file_runner_or_target_gives_no_verdict(tmp_path):
    cells = {("MobileNetV1", 1): 30.0}
    write_run(tmp_path / "old", cells, seed=1)
    for name, changes in {"file": {"sha256": "1" * 64}, "runner": {"runner": "cxx"},
                          "target": {"target": "arm"}}.items():
        write_run(tmp_path / name, {("MobileNetV1", 1): 40.0}, seed=2, **changes)
        done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "old", tmp_path / name)
        assert done.returncode == 0, done.stderr
        row = md_row(done.stdout, "MobileNetV1__fp32__t1")
        assert row[4].startswith("not comparable:") and row[3] == "–" and "slower" not in row[4], (name, row)
    write_run(tmp_path / "warm", {("MobileNetV1", 1): 40.0}, seed=2, warmup=20)
    done = run_cli("bench_scripts/report.py", "--compare", tmp_path / "old", tmp_path / "warm")
    assert md_row(done.stdout, "MobileNetV1__fp32__t1")[4] == "slower (warm-up 5 vs 20 differ)"
