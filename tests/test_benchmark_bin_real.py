"""Paddle Lite's own benchmark_bin, REAL (built from v2.13-rc for ARM Linux): the parser and the
failure reasons against what the tool printed in 20 cases (../shared/paddle_lite/benchmark_bin/captured),
and the tool itself run under qemu-aarch64 on this session's models."""
import subprocess

import pytest

from lite.bench.outputs import benchmark_bin_contract, parse_benchmark_bin
from lite.errors import BenchOutputError
from lite.runtime.failures import failure_reason

pytestmark = [pytest.mark.slow,
              pytest.mark.real_arm]  # ARM programs under qemu or whole sweeps: left out of make test-fast

SUCCESSES = ["fp32_x0_25_t1", "fp32_x0_25_t2", "fp32_x1_0_t1", "int8_t1", "int16_t1", "fp32_x0_25_t1_memprof",
             "fp32_x0_25_t1_delay", "fp32_x0_25_t1_result_path", "toolkit_cmd"]


def captured(paddle_lite_arm, name):
    folder = paddle_lite_arm["captured"]
    return {part: (folder / f"{name}.{part}").read_text() for part in ("cmd", "stdout", "stderr", "rc")}


@pytest.mark.parametrize("name", SUCCESSES)
def test_every_successful_capture_parses(paddle_lite_arm, name):
    run = captured(paddle_lite_arm, name)
    assert run["rc"].strip() == "0"
    values = parse_benchmark_bin(run["stdout"])
    assert 0 < values["min"] <= values["avg"] <= values["max"] and values["init"] > 0 and values["first"] > 0
    assert values["output_shape"] == [1, 1000] and values["cpu_precision"] == "fp32"
    threads = int(run["cmd"].split("--threads=")[1].split()[0])
    contract = benchmark_bin_contract(values, threads, "high", 2, 3)
    assert contract["samples_ms"] == [values["avg"]] and contract["output_shape"] == [1, 1000]
    assert "first warm-up run" in contract["first_run_kind"]  # unlike mnv1_bench's first_run_ms


def test_the_memory_profile_block_does_not_confuse_the_times(paddle_lite_arm):
    run = captured(paddle_lite_arm, "fp32_x0_25_t1_memprof")
    assert "Memory Usage(unit: MB):" in run["stdout"]
    time_block = run["stdout"].split("Time(unit: ms):")[1].split("Memory Usage")[0]
    init_line = [line for line in time_block.splitlines() if line.startswith("init")][0]
    assert parse_benchmark_bin(run["stdout"])["init"] == float(init_line.split("=")[1])


def test_usage_instead_of_a_measurement_is_an_error_though_it_exits_0(paddle_lite_arm):
    run = captured(paddle_lite_arm, "no_backend")
    assert run["rc"].strip() == "0"
    with pytest.raises(BenchOutputError, match="printed its usage instead of measuring: Must set --backend"):
        parse_benchmark_bin(run["stdout"] + run["stderr"])


@pytest.mark.parametrize("name,reason", [
    ("missing_model", "Mode file[models/no_such_model.nb] not exist!"),
    ("garbage_nb", "aborted without giving a reason"),
    ("fp16_t1", "aborted without giving a reason"),
    ("fp16_t1_cpu_precision_fp16", "aborted without giving a reason"),
])
def test_aborts_are_given_a_reason(paddle_lite_arm, name, reason):
    run = captured(paddle_lite_arm, name)
    assert run["rc"].strip() == "134" and run["stderr"].strip().endswith("core dumped")
    assert reason in failure_reason(run["stderr"] + run["stdout"])


def test_the_real_tool_runs_this_sessions_model_under_qemu(paddle_lite_arm, converted):
    done = subprocess.run(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", str(paddle_lite_arm["benchmark_bin"]),
                           f"--optimized_model_file={converted['models'] / 'arm' / 'MobileNetV1_x0_25.nb'}",
                           "--input_shape=1,3,224,224", "--threads=1", "--power_mode=0", "--warmup=0",
                           "--repeats=1", "--backend=arm"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, failure_reason(done.stderr)
    assert parse_benchmark_bin(done.stdout)["output_shape"] == [1, 1000]
