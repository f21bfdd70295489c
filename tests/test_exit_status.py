"""The README's exit-status table, command by command: each documented failure is one line on stderr
and the documented code. (Failed cells = 1, a lost phone = 3 and unstable cells = 4 are run end to end
in test_run_sd855.py, test_interrupts.py and test_rounds.py; the C++ programs' codes in test_cxx_real_arm.py.)"""
import socket

import pytest
from helpers import run_cli

BAD_INPUT = 2


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CASES = [
    ("lite/opt_models.py", ["--all", "--threads", "2"], "unrecognized arguments"),
    ("lite/opt_models.py", ["--models", "MobileNetV9"], "MobileNetV9"),
    ("bench_scripts/run_host.py", ["--threads", "0"], "--threads"),
    ("bench_scripts/run_host.py", ["--models-dir", "{tmp}/none", "--results", "{tmp}/r"], "{tmp}/none"),
    ("bench_scripts/run_sd855.py", ["--max-cv", "much"], "--max-cv"),
    ("bench_scripts/run_sd855.py", ["--transport", "tcp", "--tcp", "127.0.0.1:{port}", "--results", "{tmp}/r"],
     "127.0.0.1:{port}"),
    ("bench_scripts/report.py", ["{tmp}/none"], "{tmp}/none"),
    ("bench_scripts/report.py", ["--compare", "{tmp}", "{tmp}/none"], "raw/"),
    ("bench_scripts/eval_accuracy.py", ["--data", "{tmp}/none"], "is not a folder"),
    ("bench_scripts/quant_sensitivity.py", ["--model", "MobileNetV9"], "MobileNetV9"),
    ("android_demo/install.py", ["--transport", "carrier-pigeon"], "--transport"),
]


@pytest.mark.parametrize("script,args,message", CASES, ids=[f"{c[0].split('/')[-1]}-{i}" for i, c in enumerate(CASES)])
def test_each_documented_failure_is_one_line_and_exit_2(script, args, message, tmp_path):
    fill = {"tmp": tmp_path, "port": closed_port()}
    done = run_cli(script, *[a.format(**fill) for a in args], timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == BAD_INPUT, done.stderr
    assert len(lines) == 1 and "error" in lines[0] and message.format(**fill) in lines[0], done.stderr
