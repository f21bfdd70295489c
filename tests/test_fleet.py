"""Many phones at once: `run_sd855.py --devices ...` / repeated `--tcp` over four ADB device doubles
started together (two SoCs presenting as x86_64, an EMULATED arm64 phone running the real Paddle Lite
ARM library under qemu, and an unauthorized one), through adb-shell and through Debian's adb server;
the push gate; target planning; the per-device summary. None of these figures is a phone's."""
import os
import threading

import pytest
from adb_device_double.device import (
    SD855_CPU_MAX_KHZ,
    SD855_THERMAL_C,
    SD865_PROPERTIES,
    Faults,
)
from helpers import ONE_ROUND, read_result_dicts, run_cli, wait_for

from lite.bench.parallel import FINISHED, FolderClaims, ProgressBoard, run_per_device
from lite.bench.push_gate import PushGate
from lite.devices.targets import ALL, Target, devices_option, plan_targets
from lite.errors import DeviceError, DeviceLost, ToolkitError

pytestmark = pytest.mark.slow  # ARM programs under qemu or whole sweeps: left out of make test-fast

PLAN = ("--models", "MobileNetV1_x0_25,MobileNetV1_x0_5", "--threads", "1,2", "--warmup", "0", "--repeats", "1",
        "--cooldown", "0", *ONE_ROUND)
CELLS = {(m, t) for m in ("MobileNetV1_x0_25", "MobileNetV1_x0_5") for t in (1, 2)}
DROP_ON = "MobileNetV1_x0_5.nb --threads 2"


# --- choosing the devices (pure) --------------------------------------------------------------------------

def test_all_takes_every_listed_device_and_reports_the_unusable_ones():
    listing = [("R58M1", "device"), ("10.0.0.5:5555", "unauthorized"), ("EMU", "offline")]
    targets = plan_targets(ALL, listing)
    assert [t.serial for t in targets] == ["R58M1", "10.0.0.5:5555", "EMU"]
    assert targets[0].problem is None
    assert "Allow USB debugging" in targets[1].problem and targets[2].problem.startswith("offline")


def test_named_devices_keep_their_order_once_each_and_a_missing_one_is_a_problem():
    targets = plan_targets(("B", "A", "B"), [("A", "device"), ("B", "device")], extra=("A", "C:5555"))
    assert targets == [Target("B"), Target("A"), Target("C:5555", "not in `adb devices` (attached: A, B)")]
    with pytest.raises(DeviceError, match="no device attached"):
        plan_targets(ALL, [])


@pytest.mark.parametrize("text,expected", [("all", ALL), ("A,B,A", ("A", "B")), (" A , 1.2.3.4:5555",
                                                                                 ("A", "1.2.3.4:5555"))])
def test_devices_option(text, expected):
    assert devices_option(text) == expected


def test_devices_option_refuses_empty_and_control_characters():
    import argparse
    for bad in (",", "a\tb", "x\ny"):
        with pytest.raises(argparse.ArgumentTypeError):
            devices_option(bad)


def test_build_dir_per_abi():
    from lite.cli.device_bench import build_dir_option
    from lite.jobs.device_sweep import build_dir_for
    dirs = [build_dir_option("arm64-v8a=/b/arm"), build_dir_option("/b/any"), build_dir_option("c=d")]
    assert dirs == [("arm64-v8a", "/b/arm"), (None, "/b/any"), (None, "c=d")]
    assert build_dir_for(dirs, "arm64-v8a") == "/b/arm" and build_dir_for(dirs, "x86_64") == "c=d"  # last wins
    assert build_dir_for([], "x86_64") is None


# --- the push gate (threads, ordered by events: no timing) ------------------------------------------------

def test_a_push_waits_for_another_devices_measurement_and_a_device_never_waits_for_itself():
    gate, order = PushGate(), []
    measuring, release = threading.Event(), threading.Event()

    def measure():
        with gate.measuring("A"):
            measuring.set()
            release.wait(5)
            order.append("A measured")

    def push():
        with gate.pushing("B"):
            order.append("B pushed")

    worker = threading.Thread(target=measure)
    worker.start()
    assert measuring.wait(5)
    with gate.pushing("A"):  # A's own push does not wait for A's measurement
        order.append("A pushed")
    pusher = threading.Thread(target=push)
    pusher.start()
    assert wait_for(lambda: gate._waiting_pushes["B"] == 1)  # B asked and is held
    assert order == ["A pushed"]
    release.set()
    worker.join(5)
    pusher.join(5)
    assert order == ["A pushed", "A measured", "B pushed"]


def test_a_waiting_push_holds_new_measurements_so_pushes_are_not_starved():
    gate, order = PushGate(), []
    first, release_first = threading.Event(), threading.Event()

    def measure_a():
        with gate.measuring("A"):
            first.set()
            release_first.wait(5)
        order.append("A done")

    def push_b():
        with gate.pushing("B"):
            order.append("B pushed")

    def measure_c():
        with gate.measuring("C") as record:
            order.append("C measured")
            assert record["pushes_to_other_devices"] == 0 and record["overlap_push"] is False

    threads = [threading.Thread(target=measure_a)]
    threads[0].start()
    assert first.wait(5)
    threads.append(threading.Thread(target=push_b))
    threads[1].start()
    assert wait_for(lambda: gate._waiting_pushes["B"] == 1)
    threads.append(threading.Thread(target=measure_c))
    threads[2].start()
    assert wait_for(lambda: threads[2].is_alive())
    release_first.set()
    for thread in threads:
        thread.join(5)
    assert order.index("B pushed") < order.index("C measured")


def test_overlap_push_never_waits_and_counts_the_overlaps():
    gate = PushGate(overlap=True)
    with gate.pushing("B"):
        with gate.measuring("A") as record:
            with gate.pushing("C"):
                pass
    assert record["pushes_to_other_devices"] == 2 and record["overlap_push"] is True


# --- the fleet runner and its summary ---------------------------------------------------------------------

def test_one_device_failing_does_not_stop_the_others_and_the_board_shows_each_place():
    lines = []
    board = ProgressBoard(["A", "B", "C", "D"], say=lines.append, interval_s=0)

    def work(serial, board):
        board.update(serial, phase="measuring", total=3)
        if serial == "B":
            board.update(serial, done=1)
            raise DeviceLost("B went away")
        if serial == "C":
            raise RuntimeError("a bug")
        board.update(serial, done=3)
        return serial.lower()

    places = {p.serial: p for p in run_per_device(["A", "B", "C", "D"], work, board,
                                                  problems={"D": "unauthorized: ..."})}
    assert places["A"].status == FINISHED and places["A"].outcome == "a"
    assert (places["B"].status, places["B"].done, places["B"].error) == ("lost", 1, "B went away")
    assert places["C"].status == "failed" and "internal error RuntimeError: a bug" in places["C"].error
    assert places["D"].status == "failed" and places["D"].error == "unauthorized: ..."
    assert "A 3/3 finished" in board.line() and "B 1/3 lost" in board.line()
    assert any("A 3/3" in line for line in lines)


def test_a_folder_belongs_to_one_device():
    claims = FolderClaims()
    claims.claim("results/sd855-a_b", "a:b")
    claims.claim("results/sd855-a_b", "a:b")
    with pytest.raises(ToolkitError, match="already a:b's"):
        claims.claim("results/sd855-a_b", "a_b")


# --- end to end over four device doubles -------------------------------------------------------------------

@pytest.fixture
def four_phones(make_device):
    """Started together: an SD855 and an SD865 (both x86_64, the light-API double's builds), an emulated
    arm64 phone (real ARM library under qemu) and one whose 'Allow USB debugging?' prompt is never accepted.
    The SD865 drops its connection at its x0_5 2-thread cell."""
    phones = {
        "sd855": make_device(fake_cpus_khz=SD855_CPU_MAX_KHZ, fake_thermal_c=SD855_THERMAL_C),
        "sd865": make_device(faults=Faults(drop_on_command=DROP_ON), properties=dict(SD865_PROPERTIES),
                             fake_cpus_khz=SD855_CPU_MAX_KHZ),
        "arm": make_device(arm_cpu="cortex-a76", fake_cpus_khz=SD855_CPU_MAX_KHZ, fake_thermal_c=SD855_THERMAL_C),
        "unauthorized": make_device(faults=Faults(refuse_auth=True), accept_prompt=True),
    }
    return phones


def folder_of(phone, kind, results):
    return results / f"{kind}-{phone.serial.replace(':', '_')}"


def fleet_sweep(args, builds, models, results, env=None, timeout=900):
    return run_cli("bench_scripts/run_sd855.py", *args, "--build-dir", f"x86_64={builds['x86_64']}",
                   "--build-dir", f"arm64-v8a={builds['arm64-v8a']}", "--models-dir", models, "--results", results,
                   *PLAN, env=env, timeout=timeout)


def check_folder(folder, phone, abi, complete=True):
    """Every result in `folder` was measured on `phone` (its serial is in the transport recorded), on its ABI's
    model files, with the gate's record; with `complete`, every planned cell is there."""
    results = read_result_dicts(folder)
    cells = {(r["cell"]["model"], r["cell"]["threads"]) for r in results}
    assert cells == CELLS if complete else cells < CELLS
    for result in results:
        assert phone.serial in result["machine"]["transport"] and result["machine"]["abi"] == abi
        assert result["cell"]["target"] == ("arm" if abi == "arm64-v8a" else "x86")
        fleet = result["schedule"]["fleet"]
        assert fleet["overlap_push"] is False and phone.serial in fleet["devices"]
        for round_ in result["rounds"]:
            record = round_["interference"]["other_devices"]
            assert record["pushes_to_other_devices"] == 0 and record["overlap_push"] is False
    return results


def assert_no_push_overlapped_another_devices_benchmark(phones):
    """From the doubles' own clocks: no push to one device ran while another ran the benchmark program."""
    pushes = [(name, start, end) for name, phone in phones.items() for kind, _, start, end in phone.events
              if kind == "push"]
    runs = [(name, start, end) for name, phone in phones.items() for kind, command, start, end in phone.events
            if kind == "command" and "/bin/mnv1_bench --model " in command]  # the benchmark itself
    assert pushes and runs
    for pushed_to, push_start, push_end in pushes:
        for ran_on, run_start, run_end in runs:
            if pushed_to != ran_on:
                assert push_end <= run_start or run_end <= push_start, (pushed_to, ran_on)


@pytest.fixture
def builds(cxx_builds, real_arm_builds):
    return {"x86_64": cxx_builds["host"], "arm64-v8a": real_arm_builds["fp32"]}


@pytest.mark.device
@pytest.mark.real_arm
def test_four_devices_through_adb_shell(four_phones, builds, converted, tmp_path):
    phones, results = four_phones, tmp_path / "results"
    env = dict(os.environ, HOME=str(tmp_path))  # adb-shell's key is made in ~/.android, once for all devices
    tcp = [arg for phone in phones.values() for arg in ("--tcp", phone.serial)]
    done = fleet_sweep(("--transport", "tcp", *tcp), builds, converted["models"], results, env=env)
    assert done.returncode == 3, done.stdout + done.stderr
    out = done.stdout
    sd855, arm = folder_of(phones["sd855"], "sd855", results), folder_of(phones["arm"], "emulated-sm8150", results)
    dropped = folder_of(phones["sd865"], "sm8250", results)
    check_folder(sd855, phones["sd855"], "x86_64")
    check_folder(arm, phones["arm"], "arm64-v8a")
    kept = check_folder(dropped, phones["sd865"], "x86_64", complete=False)
    assert sorted(p.name for p in results.iterdir()) == sorted([sd855.name, arm.name, dropped.name])
    # The summary says per device what finished, and how to accept the unauthorized one's key.
    unauthorized = phones["unauthorized"].serial
    assert f"{phones['sd855'].serial}: finished: 4 cells run" in out
    assert f"{phones['arm'].serial}: finished: 4 cells run" in out
    assert f"{phones['sd865'].serial}: LOST" in out and "rerun with --resume" in out
    assert f"{unauthorized}: FAILED" in out and "Allow USB debugging" in out
    assert "2 of 4 device(s) did not finish" in done.stderr
    # Progress: every device's position in its plan, on one line.
    assert any(line.startswith("devices: ") and f"{sd855.name} 4/4" in line for line in out.splitlines())
    assert f"[{arm.name}] [" in out  # each device's own lines carry its name
    assert_no_push_overlapped_another_devices_benchmark(phones)
    # The ARM phone's programs really ran on ARM kernels (the real library's answer, not the x86 double's).
    arm_checksums = {r["measurement"]["output_checksum"] for r in read_result_dicts(arm)}
    x86_checksums = {r["measurement"]["output_checksum"] for r in read_result_dicts(sd855)}
    assert not arm_checksums & x86_checksums
    # --resume: the dropped device completes; the finished ones keep everything.
    phones["sd865"].faults.drop_on_command = None
    usable = [arg for name in ("sd855", "sd865", "arm") for arg in ("--tcp", phones[name].serial)]
    again = fleet_sweep(("--transport", "tcp", *usable, "--resume"), builds, converted["models"], results, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    check_folder(dropped, phones["sd865"], "x86_64")
    assert again.stdout.count("done earlier, kept") == 8 + len(kept)
    assert f"{phones['sd865'].serial}: finished: {4 - len(kept)} cells run, {len(kept)} kept" in again.stdout


@pytest.mark.device
@pytest.mark.real_arm
def test_four_devices_through_debian_adb_server(four_phones, builds, converted, adb_server, tmp_path):
    phones, results = four_phones, tmp_path / "results"
    adb_server.run("disconnect")
    for phone in phones.values():
        adb_server.run("connect", phone.serial)
    assert wait_for(lambda: f"{phones['unauthorized'].serial}\tunauthorized" in adb_server.run("devices").stdout, 20)
    env = {k: v for k, v in os.environ.items() if k != "ANDROID_ADB_SERVER_PORT"}
    server = ("--transport", "adb", "--adb-server", f"127.0.0.1:{adb_server.port}")  # as for a server elsewhere
    try:
        done = fleet_sweep((*server, "--devices", "all"), builds, converted["models"], results, env=env)
        assert done.returncode == 3, done.stdout + done.stderr
        sd855, arm = folder_of(phones["sd855"], "sd855", results), folder_of(phones["arm"], "emulated-sm8150", results)
        dropped = folder_of(phones["sd865"], "sm8250", results)
        check_folder(sd855, phones["sd855"], "x86_64")
        check_folder(arm, phones["arm"], "arm64-v8a")
        check_folder(dropped, phones["sd865"], "x86_64", complete=False)
        assert f"{phones['unauthorized'].serial}: FAILED: unauthorized" in done.stdout
        assert "Allow USB debugging" in done.stdout
        assert all(s.startswith("shell,v2") for s in phones["sd855"].opened_services if "mnv1_bench --model" in s)
        assert_no_push_overlapped_another_devices_benchmark(phones)
        # The user reconnects the phone that dropped and completes it alone, into the same folder.
        phones["sd865"].faults.drop_on_command = None
        adb_server.run("disconnect", phones["sd865"].serial)
        adb_server.run("connect", phones["sd865"].serial)
        again = fleet_sweep((*server, "--devices", phones["sd865"].serial, "--resume"), builds,
                            converted["models"], results, env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        check_folder(dropped, phones["sd865"], "x86_64")
    finally:
        adb_server.run("disconnect")


@pytest.mark.parametrize("args,message", [
    (("--devices", "all", "--serial", "X"), "--serial names one device"),
    (("--devices", "all", "--name", "x"), "--name names one results folder"),
    (("--devices", "all", "--transport", "tcp"), "--devices all needs the adb server"),
    (("--devices", "all", "--transport", "local"), "--transport local is this host alone"),
    (("--devices", "127.0.0.1", "--transport", "tcp"), "--tcp takes HOST:PORT"),
    (("--tcp", "127.0.0.1:1", "--overlap-push"), "--overlap-push is for several devices"),
    (("--devices", "all", "--adb-server", "nohost"), "--adb-server takes HOST:PORT"),
    (("--devices", "all", "--transport", "tcp", "--adb-server", "h:1"), "--adb-server needs the adb program"),
])
def test_bad_many_device_options_are_one_line(args, message):
    done = run_cli("bench_scripts/run_sd855.py", *args, timeout=120)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.device
def test_no_device_on_the_adb_server_is_one_line(adb_server):
    adb_server.run("disconnect")
    done = run_cli("bench_scripts/run_sd855.py", "--transport", "adb", "--devices", "all", env=adb_server.env,
                   timeout=120)
    assert done.returncode == 2 and "no device attached" in done.stderr


def test_make_run_sweeps_every_ready_phone_it_finds():
    from lite.cli.main_job import bench_command
    assert bench_command(["A", "B"], ["--resume"])[1:] == ["lite.cli.device_bench", "--threads", "1,2,4", "--devices",
                                                           "A,B", "--resume"]
    assert bench_command(["A"], [])[-2:] == ["--serial", "A"]
    assert bench_command([], [])[1] == "lite.cli.host_bench"
