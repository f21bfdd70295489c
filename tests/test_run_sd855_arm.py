"""run_sd855.py end to end on an EMULATED ARM phone: the ADB device double presents as an arm64-v8a
Snapdragon 855 whose programs are real aarch64 binaries - mnv1_bench built against Paddle Lite's REAL
ARM library, and Paddle Lite's real benchmark_bin - executed on ARM instructions by qemu-aarch64
(a private binfmt_misc in the double's user namespace; tests/adb_device_double/sandbox.py). Its
figures are never a phone's: such runs say so in every table and land in results/emulated-*/,
which git ignores."""
import csv
import subprocess
from pathlib import Path

import pytest
from adb_device_double.device import SD855_CPU_MAX_KHZ, SD855_THERMAL_C
from helpers import ONE_ROUND, REPO, read_result_dicts, run_cli, run_sd855

from lite.bench.device_runners import BenchmarkBinRunner
from lite.bench.plan import plan_cells
from lite.devices.facts import read_device_facts
from lite.devices.select import open_device
from lite.errors import CellFailed
from lite.models.store import ModelStore

pytestmark = pytest.mark.slow  # ARM programs under qemu or whole sweeps: left out of make test-fast

ISSUE_COMMAND = ("--threads", "1,2", "--models", "MobileNetV1_x0_25", "--variants", "fp32,int8,int16,fp16",
                 "--repeats", "2")


def arm_phone(make_device, cpu):
    return make_device(arm_cpu=cpu, fake_cpus_khz=SD855_CPU_MAX_KHZ, fake_thermal_c=SD855_THERMAL_C)


def local_checksum(build_dir, nb_path, cpu):
    """What mnv1_bench answers for a model run directly under qemu on this host (its fixed input)."""
    done = subprocess.run(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", "-cpu", cpu,
                           str(build_dir / "bin" / "mnv1_bench"), "--model", str(nb_path), "--warmup", "0",
                           "--repeats", "1"], capture_output=True, text=True, timeout=300, check=True)
    return float(done.stdout.split('"output_checksum":')[1].split(",")[0])


@pytest.mark.parametrize("transport", ["tcp", "adb"])
@pytest.mark.device
@pytest.mark.real_arm
def test_the_issue_command_on_an_emulated_arm_phone(make_device, real_arm_builds, arm_models, adb_server, tmp_path,
                                                    transport):
    phone = arm_phone(make_device, "cortex-a76")  # ARMv8.2 with half precision, as the SD855's cores
    # Debian's adb carries the same commands: two of the variants show it (the four cost 30 s under qemu)
    variants = ("fp32", "int8", "int16", "fp16") if transport == "tcp" else ("fp32", "int8")
    done = run_sd855(phone, real_arm_builds["fp16"], arm_models, tmp_path / "results", *ISSUE_COMMAND[:4],
                     "--variants", ",".join(variants), *ISSUE_COMMAND[6:],
                     transport=transport, env=adb_server.env if transport == "adb" else None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "says it is emulated" in done.stdout
    folder = tmp_path / "results" / "emulated-sm8150"  # never the sd855 folder: not a phone's figures
    results = read_result_dicts(folder)
    assert sorted((r["cell"]["variant"], r["cell"]["threads"]) for r in results) == sorted(
        (v, t) for v in variants for t in (1, 2))
    machine = results[0]["machine"]
    assert machine["emulated"] is True and machine["abi"] == "arm64-v8a"
    assert {"asimdhp", "fphp"} <= set(machine["cpu_features"])
    by_cell = {(r["cell"]["variant"], r["cell"]["threads"]): r["measurement"] for r in results}
    assert all(m["output_shape"] == [1, 1000] and len(m["samples_ms"]) == 2 for m in by_cell.values())
    # Written by the real mnv1_bench on real kernels: the same answers as a direct run under qemu.
    fp32 = arm_models / "arm" / "MobileNetV1_x0_25.nb"
    assert by_cell[("fp32", 1)]["output_checksum"] == pytest.approx(
        local_checksum(real_arm_builds["fp16"], fp32, "cortex-a76"), abs=1e-6)
    assert by_cell[("fp32", 1)]["output_checksum"] == by_cell[("fp32", 2)]["output_checksum"]
    assert by_cell[("int8", 1)]["output_checksum"] != by_cell[("fp32", 1)]["output_checksum"]
    latency_md = (folder / "latency.md").read_text()
    assert "EMULATED" in latency_md and "published" not in latency_md.split("|", 1)[1].split("\n", 1)[0]
    assert "its figures are never a phone's" in latency_md
    with open(folder / "latency.csv") as f:
        assert all(row["device"].startswith("EMULATED") for row in csv.DictReader(f))
    if transport == "adb":
        assert any(s.startswith("shell,v2") for s in phone.opened_services)
        adb_server.run("disconnect")


@pytest.mark.device
@pytest.mark.real_arm
def test_fp16_is_refused_on_a_core_without_it_and_on_an_fp32_library(make_device, real_arm_builds, arm_models,
                                                                   tmp_path):
    old_core = arm_phone(make_device, "cortex-a72")  # ARMv8.0: FP16 would die with SIGILL
    done = run_sd855(old_core, real_arm_builds["fp16"], arm_models, tmp_path / "a72", "--threads", "1", "--models",
                 "MobileNetV1_x0_25", "--variants", "fp32,fp16", "--repeats", "1")
    assert done.returncode == 1  # a failed cell
    results = {r["cell"]["variant"]: r for r in read_result_dicts(tmp_path / "a72" / "emulated-sm8150")}
    assert results["fp32"]["status"] == "ok"
    assert results["fp16"]["error"].startswith("not supported on this CPU") and "asimdhp" in results["fp16"]["error"]
    assert "asimdhp" not in results["fp16"]["machine"]["cpu_features"]

    new_core = arm_phone(make_device, "cortex-a76")
    done = run_sd855(new_core, real_arm_builds["fp32"], arm_models, tmp_path / "a76", "--threads", "1", "--models",
                 "MobileNetV1_x0_25", "--variants", "fp16", "--repeats", "1")
    assert done.returncode == 1
    result = read_result_dicts(tmp_path / "a76" / "emulated-sm8150")[0]
    assert "needs Paddle Lite's FP16 library" in result["error"]


@pytest.mark.device
@pytest.mark.real_arm
def test_real_benchmark_bin_runner_through_the_emulated_phone(make_device, paddle_lite_arm, arm_models, tmp_path):
    phone = arm_phone(make_device, "cortex-a76")
    done = run_cli("bench_scripts/run_sd855.py", "--transport", "tcp", "--tcp", phone.serial, "--runner",
                   "benchmark_bin", "--benchmark-bin", paddle_lite_arm["benchmark_bin"], "--models-dir", arm_models,
                   "--results", tmp_path / "r", "--threads", "1", "--models", "MobileNetV1_x0_25", "--variants",
                   "fp32,fp16", "--warmup", "1", "--repeats", "2", "--cooldown", "0", *ONE_ROUND)
    assert done.returncode == 1, done.stderr  # the fp16 cell: benchmark_bin has no FP16 kernels
    results = {r["cell"]["variant"]: r for r in read_result_dicts(tmp_path / "r" / "emulated-sm8150")}
    measured = results["fp32"]["measurement"]
    assert results["fp32"]["runner"] == "benchmark_bin" and measured["output_shape"] == [1, 1000]
    assert len(measured["samples_ms"]) == 1 and measured["sample_kind"].startswith("benchmark_bin average")
    assert "needs Paddle Lite's FP16 library" in results["fp16"]["error"]


@pytest.mark.device
@pytest.mark.real_arm
def test_benchmark_bin_abort_without_a_reason_still_says_what_happened(make_device, paddle_lite_arm, arm_models,
                                                                      tmp_path):
    # A model damaged on the device itself (after the checks on this host): benchmark_bin aborts silently.
    phone = arm_phone(make_device, "cortex-a76")
    cell = plan_cells(ModelStore(arm_models), ["MobileNetV1_x0_25"], ["fp32"], [1], "arm", power_mode="high",
                      warmup=0, repeats=1, with_reference=False)[0]
    with open_device("tcp", None, phone.serial) as device:
        runner = BenchmarkBinRunner(device, "/data/local/tmp/mnv1", read_device_facts(device), 300,
                                    paddle_lite_arm["benchmark_bin"])
        for remote, local in runner.files().items():
            device.push(local, remote)
        device.check("chmod 755 /data/local/tmp/mnv1/bin/benchmark_bin")
        device.check("mkdir -p /data/local/tmp/mnv1/models")
        damaged = tmp_path / "damaged.nb"
        damaged.write_bytes(Path(cell.nb_path).read_bytes()[:5000])
        device.push(damaged, runner.remote_model(cell))
        with pytest.raises(CellFailed) as failure:
            runner.run_cell(cell)
    message = str(failure.value)
    assert message.startswith("crashed with signal 6 (SIGABRT)") and "aborted without giving a reason" in message


def test_results_of_emulated_devices_are_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", "results/emulated-sm8150/latency.csv"], cwd=REPO)
    assert ignored.returncode == 0


@pytest.mark.device
@pytest.mark.real_arm
def test_a_build_for_another_abi_is_refused_before_anything_is_pushed(make_device, cxx_builds, arm_models, tmp_path):
    phone = arm_phone(make_device, "cortex-a76")
    done = run_sd855(phone, cxx_builds["host"], arm_models, tmp_path / "r", "--threads", "1", "--models",
                 "MobileNetV1_x0_25", "--repeats", "1")
    assert done.returncode == 2
    assert "mnv1_bench is built for x86-64, but the device's ABI is arm64-v8a" in done.stderr
    assert not phone.device_file("/data/local/tmp/mnv1").exists()


@pytest.fixture(scope="module")
def profile_build(paddle_lite_arm, tmp_path_factory):
    """mnv1_bench for armlinux-aarch64 against the REAL library built with Paddle Lite's operator profiler."""
    build_dir = tmp_path_factory.mktemp("profile-build")
    lite_dir = paddle_lite_arm["fp32"].parent / "profile" / "inference_lite_lib.armlinux.armv8"
    done = subprocess.run(["bash", str(REPO / "cxx_demo" / "build.sh"), "--target", "armlinux-aarch64", "--lite-dir",
                           str(lite_dir), "--build-dir", str(build_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return build_dir


@pytest.mark.device
@pytest.mark.real_arm
def test_profile_on_the_phone_sweep_writes_the_operator_tables_apart_from_the_figures(
        make_device, real_arm_builds, arm_models, profile_build, tmp_path):
    phone = arm_phone(make_device, "cortex-a76")
    done = run_sd855(phone, real_arm_builds["fp32"], arm_models, tmp_path / "r", "--threads", "1", "--models",
                     "MobileNetV1_x0_25", "--repeats", "2", "--profile", "--profile-build-dir", profile_build)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = tmp_path / "r" / "emulated-sm8150"
    assert len(read_result_dicts(folder)) == 1  # the profiling pass is no cell and no figure
    assert "profile MobileNetV1_x0_25__fp32__t1: 30 layers" in done.stdout and "never a latency figure" in done.stdout
    ops_md = (folder / "ops.md").read_text()
    assert "EMULATED" in ops_md and "conv1x1s1_gemm_fp32" in ops_md and "conv_depthwise_3x3_fp32" in ops_md
    assert (folder / "ops" / "MobileNetV1_x0_25__fp32__t1.json").is_file() and (folder / "ops.csv").is_file()
    # a build without the profiler: one line that says what to build, exit 2, before any cell runs
    refused = run_sd855(phone, real_arm_builds["fp32"], arm_models, tmp_path / "r2", "--threads", "1", "--models",
                        "MobileNetV1_x0_25", "--profile", "--profile-build-dir", real_arm_builds["fp32"])
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "has no operator profiler" in refused.stderr and "--with_profile=ON" in refused.stderr
    assert not (tmp_path / "r2" / "emulated-sm8150" / "raw").is_dir() or not read_result_dicts(
        tmp_path / "r2" / "emulated-sm8150")
