"""Every way out stops what a sweep started: Ctrl-C of run_sd855.py ends the benchmark on the device
(the connection closes and the device hangs the command up, as adbd does), SIGKILL of run_host.py
ends its cell process (the kernel's parent-death signal), a lost connection hangs up a device command."""
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import REPO, wait_for

from lite.runtime.bench_cell import PROCESS_NAME as CELL_PROCESS_NAME

FIRST_CELL = "benchmarking 1 cells"


def processes_matching(text):
    """PIDs of live processes whose command line holds `text` (host processes: the double runs its
    commands as processes of this host)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found




def processes_named(name):
    """PIDs of live processes whose /proc/PID/comm is `name`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == name:
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def settles(condition):
    """Processes take a moment to start and to go: poll for up to 20 s."""
    return wait_for(condition, timeout_s=20.0, poll_s=0.1)


def start(*args):
    return subprocess.Popen([sys.executable, *map(str, args)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def read_until(process, text):
    for line in process.stdout:
        if text in line:
            return True
    return False


@pytest.mark.device
@pytest.mark.slow
def test_a_lost_connection_hangs_up_the_command_on_the_device(make_device):
    from lite.devices.select import open_device
    phone = make_device()
    adb = open_device("tcp", None, phone.serial)
    marker = "/data/local/tmp/hangup-pid"
    runner = threading.Thread(target=lambda: _ignore_errors(adb.shell, f"echo $$ > {marker}; exec sleep 300"),
                              daemon=True)
    runner.start()
    assert settles(lambda: phone.device_file(marker).is_file() and phone.device_file(marker).read_text().strip())
    pid = int(phone.device_file(marker).read_text())
    assert Path(f"/proc/{pid}").exists()
    phone.drop_all()  # the cable is pulled
    assert settles(lambda: not Path(f"/proc/{pid}").exists()), "the command outlived its connection"


def _ignore_errors(call, *args):
    try:
        call(*args)
    except Exception:  # noqa: BLE001 - the connection is dropped on purpose
        pass


@pytest.mark.device
@pytest.mark.slow
def test_ctrl_c_of_run_sd855_stops_the_benchmark_on_the_device(make_device, cxx_builds, converted, tmp_path):
    phone = make_device()
    sweep = start("bench_scripts/run_sd855.py", "--transport", "tcp", "--tcp", phone.serial, "--build-dir",
                  cxx_builds["host"], "--models-dir", converted["models"], "--results", tmp_path / "r", "--models",
                  "MobileNetV1_x0_25", "--threads", "1", "--warmup", "0", "--repeats", "100000", "--cooldown", "0")
    assert read_until(sweep, FIRST_CELL)
    program = "/data/local/tmp/mnv1/bin/mnv1_bench"
    assert settles(lambda: processes_matching(program)), "the cell never started on the device"
    sweep.send_signal(signal.SIGINT)
    assert sweep.wait(timeout=60) == 130
    assert settles(lambda: not processes_matching(program)), "mnv1_bench kept running on the device"


@pytest.mark.slow
def test_sigkill_of_run_host_ends_its_cell_process(converted, tmp_path):
    sweep = start("bench_scripts/run_host.py", "--models", "MobileNetV1_x0_25", "--threads", "1", "--warmup", "0",
                  "--repeats", "100000", "--cooldown", "0", "--models-dir", converted["models"], "--results",
                  tmp_path / "r")
    assert settles(lambda: processes_named(CELL_PROCESS_NAME)), "the cell never started"
    server = processes_matching("lite.runtime.cell_server")  # the fork server the cell was forked from
    assert server
    os.kill(sweep.pid, signal.SIGKILL)
    sweep.wait(timeout=30)
    assert settles(lambda: not processes_named(CELL_PROCESS_NAME)), "the cell process outlived run_host.py"
    assert settles(lambda: not set(server) & set(processes_matching("lite.runtime.cell_server"))), \
        "the fork server outlived run_host.py"
