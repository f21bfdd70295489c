"""`python bench_scripts/run_sd855.py` against the ADB device double over real TCP: adb-shell,
Debian's adb server, the three runners, resilience, incremental pushes and shell quoting."""
import csv
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from adb_device_double.device import SD855_CPU_MAX_KHZ, SD855_LITTLE_CPUSET, SD855_THERMAL_C
from helpers import FAST_SWEEP, read_result_dicts, run_cli, run_sd855

from lite.util.files import sha256_file

VENV_BIN = str(Path(sys.executable).parent)


@pytest.fixture
def phone(make_device):
    """An SD855-like device double whose shell can run this venv's python3."""
    return make_device(extra_path=(VENV_BIN,), fake_cpus_khz=SD855_CPU_MAX_KHZ, fake_thermal_c=SD855_THERMAL_C)


@pytest.fixture
def sweep(converted, cxx_builds, tmp_path):
    def run(device, *args, transport="tcp", results=None, models_dir=None, env=None):
        results = results or tmp_path / "results"
        return run_sd855(device, cxx_builds["host"], models_dir or converted["models"], results, *args,
                         transport=transport, env=env)
    return run


def table(result_dir):
    with open(result_dir / "latency.csv") as f:
        return {row["model"]: row for row in csv.DictReader(f)}


@pytest.mark.device
@pytest.mark.slow
@pytest.mark.parametrize("cpuset", [None, SD855_LITTLE_CPUSET])
def test_a_shell_cpuset_without_the_big_cores_marks_the_cells(make_device, sweep, tmp_path, cpuset):
    """The double's SD855: prime 0 (2.84 GHz), big 1-3, little 4-7; its programs really run on this host's
    CPUs 0-1 (prime and big). A shell cpuset of the little cores marks every cell; without one, none."""
    device = make_device(extra_path=(VENV_BIN,), fake_cpus_khz=SD855_CPU_MAX_KHZ, shell_cpuset=cpuset)
    done = sweep(device, "--models", "MobileNetV1_x0_25", "--threads", "1")  # one thread count: no timing race
    assert done.returncode == 0, done.stderr
    result_dir = tmp_path / "results" / "sd855"
    result = read_result_dicts(result_dir)[0]
    machine, measurement = result["machine"], result["measurement"]
    assert machine["shell_cpuset"] == "/" and machine["shell_cpuset_cpus"] == ([4, 5, 6, 7] if cpuset else [])
    assert measurement["cpus_allowed"] == sorted(os.sched_getaffinity(0))  # mnv1_bench read its own status
    markdown = (result_dir / "latency.md").read_text()
    assert "CPU clusters: prime 0 (2.84 GHz), big 1-3 (2.42 GHz), little 4-7 (1.79 GHz)" in markdown
    placement = table(result_dir)["MobileNetV1_x0_25"]["threads1_placement"]
    if cpuset:
        assert placement == "the shell's cpuset / (4-7) leaves 0 of the 4 big cores (0-3) for 1 thread(s)"
        assert "[c1]" in markdown and f"[c1] {placement}." in markdown and "cpuset /: CPUs 4-7" in markdown
    else:
        assert placement == "" and "[c1]" not in markdown and "fastest cores" not in markdown


@pytest.mark.device
@pytest.mark.slow
def test_end_to_end_over_adb_shell_tcp(phone, sweep, tmp_path):
    done = sweep(phone, "--threads", "1,2,4")
    assert done.returncode == 0, done.stderr
    result_dir = tmp_path / "results" / "sd855"
    rows = table(result_dir)
    assert list(rows) == ["MobileNetV1_x0_25", "MobileNetV1_x0_5", "MobileNetV1_x0_75", "MobileNetV1",
                          "MobileNetV1_ssld"]
    for row in rows.values():
        for threads in (1, 2, 4):
            assert float(row[f"threads{threads}_ms_median"]) > 0
            assert float(row[f"threads{threads}_published_sd855_ms"]) > 0
            assert float(row[f"threads{threads}_ratio_to_published"]) == pytest.approx(
                float(row[f"threads{threads}_ms_median"]) / float(row[f"threads{threads}_published_sd855_ms"]),
                abs=2e-3)
    results = read_result_dicts(result_dir)
    assert len(results) == 15
    machine = results[0]["machine"]
    assert machine["soc"] == "SM8150" and machine["abi"] == "x86_64" and machine["core_count"] == 8
    assert [c["max_freq_khz"] for c in machine["cpus"]] == SD855_CPU_MAX_KHZ
    assert results[0]["temperatures_before_c"]["thermal_zone1:cpu-1-0-usr"] == 41.5
    assert results[0]["cell"]["power_mode"] == "high" and results[0]["runner"] == "cxx"
    assert results[0]["measurement"]["cpus_used"]
    freqs = results[0]["interference"]["cpu_freq_khz"]  # the device's own scaling_cur_freq of the CPUs used
    assert freqs["before"] and set(freqs["before"]) <= {str(c) for c in results[0]["measurement"]["cpus_used"]}
    assert set(freqs["before"].values()) <= set(SD855_CPU_MAX_KHZ)
    assert (result_dir / "models.csv").is_file() and (result_dir / "latency_vs_threads.png").is_file()
    assert "adb device double" in (result_dir / "latency.md").read_text()  # it never poses as a phone


@pytest.mark.device
@pytest.mark.slow
def test_rounds_on_a_phone_keep_every_round_with_the_devices_own_counters(phone, sweep, tmp_path):
    done = sweep(phone, "--threads", "1,2", "--models", "MobileNetV1_x0_25", "--rounds", "2", "--seed", "3")
    assert done.returncode == 0, done.stderr  # these replace FAST_SWEEP's one round
    assert "2 rounds of 2 cells, each round in its own order (seed 3" in done.stdout
    for result in read_result_dicts(tmp_path / "results" / "sd855"):
        assert [r["round"] for r in result["rounds"]] == [1, 2] and result["schedule"]["seed"] == 3
        for round_ in result["rounds"]:
            assert len(round_["measurement"]["samples_ms"]) == 5
            assert round_["interference"]["wall_s"] > 0 and "machine_busy_cores" in round_["interference"]
            assert round_["interference"]["cpu_freq_khz"]["after"]


@pytest.mark.device
@pytest.mark.slow
def test_end_to_end_through_debian_adb_server(phone, sweep, adb_server, tmp_path):
    done = sweep(phone, "--threads", "1,2,4", "--models", "MobileNetV1_x0_25,MobileNetV1", transport="adb",
                 env=adb_server.env)
    assert done.returncode == 0, done.stderr
    rows = table(tmp_path / "results" / "sd855")
    assert set(rows) == {"MobileNetV1_x0_25", "MobileNetV1"}
    assert all(float(rows[m][f"threads{t}_ms_median"]) > 0 for m in rows for t in (1, 2, 4))
    assert any(s.startswith("shell,v2") for s in phone.opened_services)  # the real adb client spoke v2
    adb_server.run("disconnect")


@pytest.mark.device
@pytest.mark.slow
def test_python_runner_gives_real_paddle_lite_latencies(phone, sweep, tmp_path):
    done = sweep(phone, "--runner", "python", "--threads", "1", "--models", "MobileNetV1_x0_25,MobileNetV1")
    assert done.returncode == 0, done.stderr
    results = {r["cell"]["model"]: r for r in read_result_dicts(tmp_path / "results" / "sd855")}
    for result in results.values():
        assert result["runner"] == "python"
        assert result["measurement"]["output_shape"] == [1, 1000] and result["measurement"]["math_threads"] == 1
    # The real x86 runtime computed each model: each cell names its own .nb and answers differently
    # (speed belongs in bench_scripts, not in a test).
    small, large = results["MobileNetV1_x0_25"], results["MobileNetV1"]
    assert (small["model_file"]["file"], large["model_file"]["file"]) == ("MobileNetV1_x0_25.nb", "MobileNetV1.nb")
    assert small["measurement"]["output_checksum"] != large["measurement"]["output_checksum"]
    assert all(len(r["measurement"]["samples_ms"]) == r["cell"]["repeats"] for r in results.values())


@pytest.mark.device
@pytest.mark.slow
def test_dropped_connection_keeps_finished_cells_and_resume_completes(phone, sweep, tmp_path):
    phone.faults.drop_on_command = "MobileNetV1_x0_75.nb --threads"  # the first x0_75 cell, not the push
    done = sweep(phone, "--threads", "1,2,4")
    assert done.returncode == 3
    assert "went away" in done.stderr and "--resume" in done.stderr
    result_dir = tmp_path / "results" / "sd855"
    kept = read_result_dicts(result_dir)
    finished = [line for line in done.stdout.splitlines() if ": median " in line]
    assert len(kept) == len(finished) and all(r["status"] == "ok" for r in kept)  # each finished cell, no other
    assert sum(r["cell"]["model"] == "MobileNetV1_x0_75" for r in kept) < 3  # the cell it dropped on is not there
    phone.faults.drop_on_command = None
    done = sweep(phone, "--threads", "1,2,4", "--resume")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("done earlier, kept") == len(kept)
    results = read_result_dicts(result_dir)
    cells = [(r["cell"]["model"], r["cell"]["threads"]) for r in results]
    assert len(cells) == 15 and len(set(cells)) == 15
    rows = table(result_dir)
    assert len(rows) == 5 and all(rows[m][f"threads{t}_ms_median"] not in ("", "failed") for m in rows for t in (1, 2,
                                                                                                                 4))


@pytest.mark.device
@pytest.mark.slow
def test_crashing_and_hanging_cells_become_failure_rows(phone, sweep, converted, tmp_path):
    models = tmp_path / "models"
    (models / "x86").mkdir(parents=True)
    for name in ("MobileNetV1_x0_25", "MobileNetV1_x0_5", "MobileNetV1"):
        shutil.copy(converted["models"] / "x86" / f"{name}.nb", models / "x86")
    crashing = models / "x86" / "MobileNetV1_x0_25.nb"  # whole in layout, so it passes the checks on this host;
    crashing.write_bytes(crashing.read_bytes()[:-8] + b"crash-me")  # the light-API double aborts on the text
    phone.faults.hang_on_command = "MobileNetV1_x0_5.nb --threads"
    done = sweep(phone, "--threads", "1", "--models", "MobileNetV1_x0_25,MobileNetV1_x0_5,MobileNetV1",
                 "--cell-timeout", "4", models_dir=models)
    assert done.returncode == 1, done.stderr
    assert "] MobileNetV1_x0_25 fp32 1 thread: FAILED: crashed with signal 6 (SIGABRT)" in done.stdout
    assert "] MobileNetV1_x0_5 fp32 1 thread: FAILED: timed out after 4 s" in done.stdout
    assert "] MobileNetV1 fp32 1 thread: median" in done.stdout


@pytest.mark.device
@pytest.mark.slow
def test_second_run_pushes_nothing_and_a_changed_model_alone(phone, sweep, converted, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(converted["models"] / "x86", models / "x86")
    args = ("--threads", "1", "--models", "MobileNetV1_x0_25,MobileNetV1_x0_5")
    assert sweep(phone, *args, models_dir=models).returncode == 0
    again = sweep(phone, *args, models_dir=models)
    assert "pushed 0 bytes: all 4 files on the device are up to date" in again.stdout
    changed_model = models / "x86" / "MobileNetV1_x0_5.nb"
    data = bytearray(changed_model.read_bytes())
    data[-1] ^= 0xFF  # a changed weight, same layout, as a new conversion writes it with its manifest
    changed_model.write_bytes(bytes(data))
    manifest = json.loads(changed_model.with_suffix(".json").read_text())
    changed_model.with_suffix(".json").write_text(json.dumps({**manifest, "nb_sha256": sha256_file(changed_model)}))
    changed = sweep(phone, *args, models_dir=models)
    assert changed.stdout.count("  push ") == 1 and "MobileNetV1_x0_5.nb ->" in changed.stdout
    assert "pushed 1 file(s)" in changed.stdout


@pytest.mark.device
@pytest.mark.slow
def test_hostile_folder_names_run_nothing(phone, sweep, converted, tmp_path):
    hostile = "/data/local/tmp/mnv1 it's; touch pwned1 $(touch pwned2) `touch pwned3` \"q\""
    models = tmp_path / "my models; $(touch pwned3)"
    shutil.copytree(converted["models"] / "x86", models / "x86")
    done = sweep(phone, "--threads", "1", "--models", "MobileNetV1_x0_25", "--device-dir", hostile, models_dir=models)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in phone.device_file("/data/local/tmp").iterdir()) == [Path(hostile).name]
    injected = [p for p in [*phone.root.rglob("*"), *tmp_path.rglob("*")] if p.name in ("pwned1", "pwned2", "pwned3")]
    assert injected == []
    assert (phone.device_file(hostile) / "models" / "MobileNetV1_x0_25.nb").is_file()


@pytest.mark.device
@pytest.mark.slow
def test_a_phone_that_is_not_sd855_is_warned_about_and_kept_apart(make_device, sweep, tmp_path):
    from adb_device_double.device import SD855_PROPERTIES
    properties = dict(SD855_PROPERTIES, **{"ro.board.platform": "kona", "ro.soc.model": "SM8250"})
    device = make_device(properties=properties, extra_path=(VENV_BIN,))
    done = sweep(device, "--threads", "1", "--models", "MobileNetV1_x0_25")
    assert done.returncode == 0, done.stderr
    assert "not a Snapdragon 855" in done.stdout
    row = table(tmp_path / "results" / "sm8250")["MobileNetV1_x0_25"]
    assert "threads1_published_sd855_ms" not in row


@pytest.mark.device
@pytest.mark.slow
def test_unauthorized_device_says_how_to_accept_the_prompt(make_device, sweep, tmp_path):
    from adb_device_double.device import Faults
    device = make_device(faults=Faults(refuse_auth=True), accept_prompt=True)
    env = dict(os.environ, HOME=str(tmp_path))  # adb-shell keys are created in ~/.android
    done = run_cli("bench_scripts/run_sd855.py", "--transport", "tcp", "--tcp", device.serial, env=env, timeout=120)
    assert done.returncode == 2
    assert "Allow USB debugging" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert (tmp_path / ".android" / "adbkey").is_file()


@pytest.mark.parametrize("args,message", [
    (["--transport", "tcp"], "--transport tcp needs --tcp HOST:PORT"),
    (["--transport", "tcp", "--tcp", "nohost"], "--tcp takes HOST:PORT"),
    (["--transport", "tcp", "--tcp", "127.0.0.1:1"], "cannot connect to 127.0.0.1:1"),
    (["--threads", "0"], "not a thread count"),
    (["--runner", "fast"], "invalid choice: 'fast'"),
    (["--device-dir", "/data/local/tmp/a\\b"], "sha256sum on the device escapes such names"),
    (["--device-dir", "/data/local/tmp/a\nb"], "holds \\n"),
])
def test_bad_device_options_are_one_line(args, message):
    done = run_cli("bench_scripts/run_sd855.py", *args, timeout=120)
    assert done.returncode == 2 and message in done.stderr


@pytest.mark.device
@pytest.mark.slow
def test_missing_build_names_the_build_command(phone, converted, tmp_path):
    done = run_cli("bench_scripts/run_sd855.py", "--transport", "tcp", "--tcp", phone.serial, "--build-dir",
                   tmp_path / "nothing", "--models-dir", converted["models"], "--results", tmp_path / "r")
    assert done.returncode == 2 and "cxx_demo/build.sh --target host" in done.stderr


def test_help_covers_device_choice_and_runners():
    done = run_cli("bench_scripts/run_sd855.py", "--help")
    for text in ("--serial", "--tcp", "--transport", "auto: adb when the adb program is on PATH", "--runner",
                 "benchmark_bin", "default: high", "default: 20", "default: 100", "--resume", "--cooldown"):
        assert text in done.stdout


@pytest.mark.slow
def test_local_transport_runs_the_python_runner_on_this_host(converted, tmp_path):
    done = run_cli("bench_scripts/run_sd855.py", "--transport", "local", "--runner", "python", "--threads", "1",
                   "--models", "MobileNetV1_x0_25", "--models-dir", converted["models"], "--results", tmp_path / "r",
                   "--device-dir", tmp_path / "device", *FAST_SWEEP, "--name", "this-host")
    assert done.returncode == 0, done.stderr
    result = read_result_dicts(tmp_path / "r" / "this-host")[0]
    assert result["machine"]["kind"] == "linux" and result["machine"]["abi"] == "x86_64"
    assert result["measurement"]["output_shape"] == [1, 1000]
    assert (tmp_path / "device" / "models" / "MobileNetV1_x0_25.nb").is_file()


@pytest.mark.parametrize("transport", ["tcp", "adb"])
@pytest.mark.device
@pytest.mark.slow
def test_a_full_disk_is_said_in_words_over_both_transports(make_device, sweep, adb_server, transport, tmp_path):
    from adb_device_double.device import Faults
    phone = make_device(faults=Faults(disk_full=True), extra_path=(VENV_BIN,))
    done = sweep(phone, "--threads", "1", "--models", "MobileNetV1_x0_25", transport=transport,
                 env=adb_server.env if transport == "adb" else None)
    assert done.returncode == 2
    assert "the device's storage is full (No space left on device): free space on it" in done.stderr
    assert "bytearray" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    if transport == "adb":
        adb_server.run("disconnect")


@pytest.mark.parametrize("transport", ["tcp", "adb"])
@pytest.mark.device
@pytest.mark.slow
def test_a_silent_phone_is_one_line_and_exit_2_before_measuring(make_device, sweep, adb_server, transport, tmp_path):
    """getprop never answers (it has no timeout of its own): the bounded wait ends it in one line."""
    from adb_device_double.device import Faults
    phone = make_device(faults=Faults(hang_on_command="getprop"), extra_path=(VENV_BIN,))
    done = sweep(phone, "--threads", "1", "--models", "MobileNetV1_x0_25", "--command-timeout", "3",
                 transport=transport, env=adb_server.env if transport == "adb" else None)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "did not answer `getprop" in lines[0] and "within 3 s" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "results" / "sd855").exists()
    if transport == "adb":
        adb_server.run("disconnect")


@pytest.mark.device
@pytest.mark.slow
def test_what_a_phone_says_about_itself_is_cut_and_cannot_forge_report_rows(make_device, sweep, tmp_path):
    from adb_device_double.device import SD855_PROPERTIES
    properties = {**SD855_PROPERTIES, "ro.product.manufacturer": "X" * 3_000_000,
                  "ro.product.model": "Evil\n| injected | row |\x1b[31m"}
    phone = make_device(properties=properties, extra_path=(VENV_BIN,))
    done = sweep(phone, "--threads", "1", "--models", "MobileNetV1_x0_25")
    assert done.returncode == 0, done.stderr
    result_dir = tmp_path / "results" / "sd855"
    markdown = (result_dir / "latency.md").read_text()
    assert len(markdown) < 20_000 and "| injected | row |" not in markdown and "\x1b" not in markdown
    assert not any(line.startswith("| injected") for line in markdown.splitlines())
    raw = [p for p in result_dir.rglob("*.json")]
    assert raw and max(p.stat().st_size for p in raw) < 200_000
    machine = read_result_dicts(result_dir)[0]["machine"]
    assert len(machine["properties"]["ro.product.manufacturer"]) <= 120
    assert "\n" not in machine["properties"]["ro.product.model"]
