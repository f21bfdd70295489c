"""The ADB device double, proven against two independent real clients: the adb-shell package and
Debian's adb program. Each fault switch is shown from a client's side."""
import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from adb_device_double.device import SD855_CPU_MAX_KHZ, SD855_LITTLE_CPUSET, SD855_THERMAL_C, Faults
from adb_shell.adb_device import AdbDeviceTcp
from adb_shell.auth.keygen import keygen
from adb_shell.auth.sign_pythonrsa import PythonRSASigner
from adb_shell.exceptions import (
    AdbConnectionError,
    AdbTimeoutError,
    DeviceAuthError,
    PushFailedError,
    TcpTimeoutException,
)
from helpers import wait_for

REPO = Path(__file__).resolve().parent.parent
FIVE_MIB = 5 * 1024 * 1024


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "five-mib.bin"
    path.write_bytes(os.urandom(FIVE_MIB))
    return path


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    keygen(str(folder / "adbkey"))
    other = folder / "other"
    keygen(str(other))
    signer = lambda base: PythonRSASigner((base.parent / (base.name + ".pub")).read_text(), base.read_text())  # noqa: E731
    return {"signer": signer(folder / "adbkey"), "public": (folder / "adbkey.pub").read_text(),
            "other_signer": signer(other)}




def client(device, timeout_s=5.0):
    return AdbDeviceTcp("127.0.0.1", device.port, default_transport_timeout_s=timeout_s)


# --- adb-shell ----------------------------------------------------------------------------------

@pytest.mark.device
@pytest.mark.slow
def test_adb_shell_without_key_shell_push_pull_stat_list(make_device, big_file, tmp_path):
    device = make_device()
    adb = client(device)
    assert adb.connect(auth_timeout_s=1)
    # adb-shell speaks legacy `shell:`: stdout and stderr arrive merged, and no exit code.
    assert adb.shell("echo out; echo err >&2; exit 3") == "out\nerr\n"
    assert adb.shell("getprop ro.board.platform").strip() == "msmnile"
    adb.push(str(big_file), "/data/local/tmp/x/five.bin")
    assert sha256(device.device_file("/data/local/tmp/x/five.bin")) == sha256(big_file)
    adb.pull("/data/local/tmp/x/five.bin", str(tmp_path / "back.bin"))
    assert sha256(tmp_path / "back.bin") == sha256(big_file)
    mode, size, _ = adb.stat("/data/local/tmp/x/five.bin")
    assert size == FIVE_MIB and mode & 0o100000
    assert b"x" in [bytes(entry.filename) for entry in adb.list("/data/local/tmp")]
    assert "sync:" in device.opened_services and any(s.startswith("shell:") for s in device.opened_services)
    adb.close()


@pytest.mark.device
@pytest.mark.slow
def test_adb_shell_with_a_trusted_key_signs_the_token(make_device, key_pair):
    device = make_device(auth_public_keys=(key_pair["public"],))
    adb = client(device)
    assert adb.connect(rsa_keys=[key_pair["signer"]], auth_timeout_s=1)
    assert adb.shell("echo signed").strip() == "signed"


@pytest.mark.device
@pytest.mark.slow
def test_adb_shell_unknown_key_is_refused_unless_the_prompt_is_accepted(make_device, key_pair):
    strict = make_device(auth_public_keys=(key_pair["public"],))
    with pytest.raises((DeviceAuthError, TcpTimeoutException, AdbConnectionError)):
        client(strict, timeout_s=1).connect(rsa_keys=[key_pair["other_signer"]], auth_timeout_s=0.5)
    prompting = make_device(auth_public_keys=(key_pair["public"],), accept_prompt=True)
    adb = client(prompting)
    assert adb.connect(rsa_keys=[key_pair["other_signer"]], auth_timeout_s=1)  # public-key fallback
    assert adb.shell("echo allowed").strip() == "allowed"


@pytest.mark.device
@pytest.mark.slow
def test_fault_refuse_auth(make_device, key_pair):
    device = make_device(faults=Faults(refuse_auth=True), auth_public_keys=(key_pair["public"],))
    with pytest.raises((DeviceAuthError, TcpTimeoutException, AdbConnectionError)):
        client(device, timeout_s=1).connect(rsa_keys=[key_pair["signer"]], auth_timeout_s=0.5)


@pytest.mark.device
@pytest.mark.slow
def test_fault_drop_after_packets(make_device):
    device = make_device()
    adb = client(device, timeout_s=1)
    assert adb.connect(auth_timeout_s=1)
    assert adb.shell("echo first").strip() == "first"
    device.faults.drop_after_packets = device.packet_count() + 1  # the very next packet
    with pytest.raises((AdbConnectionError, AdbTimeoutError, TcpTimeoutException, ConnectionError, OSError)):
        adb.shell("echo second", read_timeout_s=2)


@pytest.mark.device
@pytest.mark.slow
def test_fault_drop_mid_push_leaves_no_partial_file(make_device, big_file):
    device = make_device(faults=Faults(drop_mid_push_bytes=1024 * 1024))
    adb = client(device, timeout_s=2)
    adb.connect(auth_timeout_s=1)
    with pytest.raises((AdbConnectionError, AdbTimeoutError, TcpTimeoutException, ConnectionError, OSError)):
        adb.push(str(big_file), "/data/local/tmp/cut.bin", read_timeout_s=2)
    folder = device.device_file("/data/local/tmp")
    assert wait_for(lambda: not any(folder.iterdir()))  # the device side cleans up as it notices
    assert not device.device_file("/data/local/tmp/cut.bin").exists()


@pytest.mark.device
@pytest.mark.slow
def test_fault_disk_full(make_device, big_file):
    device = make_device(faults=Faults(disk_full=True))
    adb = client(device)
    adb.connect(auth_timeout_s=1)
    with pytest.raises(PushFailedError, match="No space left on device"):
        adb.push(str(big_file), "/data/local/tmp/full.bin")
    assert not device.device_file("/data/local/tmp/full.bin").exists()


@pytest.mark.device
@pytest.mark.slow
def test_fault_hanging_command(make_device):
    device = make_device(faults=Faults(hang_on_command="mnv1_bench"))
    adb = client(device, timeout_s=1)
    adb.connect(auth_timeout_s=1)
    with pytest.raises(TcpTimeoutException):
        adb.shell("./mnv1_bench --model m.nb", read_timeout_s=2, transport_timeout_s=1)


@pytest.mark.device
@pytest.mark.slow
def test_fault_drop_on_command(make_device):
    device = make_device(faults=Faults(drop_on_command="MobileNetV1_x0_75"))
    adb = client(device, timeout_s=2)
    adb.connect(auth_timeout_s=1)
    assert adb.shell("echo fine").strip() == "fine"
    with pytest.raises((AdbConnectionError, AdbTimeoutError, TcpTimeoutException, ConnectionError, OSError)):
        adb.shell("run MobileNetV1_x0_75", read_timeout_s=2)


# --- Debian's adb ---------------------------------------------------------------------------------

@pytest.fixture
def connected(make_device, adb_server):
    def connect(**kwargs):
        device = make_device(**kwargs)
        done = adb_server.run("connect", device.serial)
        assert "connected to" in done.stdout, done.stdout + done.stderr
        return device
    yield connect
    adb_server.run("disconnect")


@pytest.mark.device
@pytest.mark.slow
def test_debian_adb_lists_the_device_with_its_properties(connected, adb_server):
    device = connected()
    listing = adb_server.run("devices", "-l").stdout
    assert f"{device.serial}" in listing and "device product:cepheus" in listing


@pytest.mark.device
@pytest.mark.slow
def test_debian_adb_shell_passes_exit_code_and_separates_stderr(connected, adb_server):
    device = connected()
    done = adb_server.run("-s", device.serial, "shell", "echo out; echo err >&2; exit 7")
    assert (done.returncode, done.stdout, done.stderr) == (7, "out\n", "err\n")
    assert any(s.startswith("shell,v2") for s in device.opened_services)


@pytest.mark.device
@pytest.mark.slow
def test_debian_adb_push_pull_ls_of_5_mib(connected, adb_server, big_file, tmp_path):
    device = connected()
    assert adb_server.run("-s", device.serial, "push", big_file, "/data/local/tmp/d/five.bin").returncode == 0
    assert sha256(device.device_file("/data/local/tmp/d/five.bin")) == sha256(big_file)
    assert adb_server.run("-s", device.serial, "pull", "/data/local/tmp/d/five.bin", tmp_path / "b.bin").returncode == 0
    assert sha256(tmp_path / "b.bin") == sha256(big_file)
    listing = adb_server.run("-s", device.serial, "ls", "/data/local/tmp/d").stdout
    assert "five.bin" in listing and "00500000" in listing  # size in hex, as adb ls prints it


@pytest.mark.device
@pytest.mark.slow
def test_debian_adb_install_streams_to_cmd_package(connected, adb_server, demo_apk):
    device = connected()
    apk = demo_apk
    done = adb_server.run("-s", device.serial, "install", apk)
    assert done.returncode == 0 and "Success" in done.stdout
    size = apk.stat().st_size
    assert device.installs == [f"cmd package install -S {size} -> {device.installs[0].split(' -> ')[1]}"]
    installed = device.device_file(device.installs[0].split(" -> ")[1])
    assert installed.read_bytes() == apk.read_bytes()


@pytest.mark.device
@pytest.mark.slow
def test_debian_adb_without_cmd_feature_pushes_then_runs_pm(connected, adb_server, demo_apk):
    device = connected(features=("shell_v2", "stat_v2"))
    done = adb_server.run("-s", device.serial, "install", demo_apk)
    assert done.returncode == 0 and "Success" in done.stdout, done.stdout + done.stderr
    assert device.installs and device.installs[0].startswith("pm install")


@pytest.mark.parametrize("features", [("shell_v2", "cmd", "stat_v2"), ("shell_v2", "stat_v2")])
@pytest.mark.device
@pytest.mark.slow
def test_a_file_that_is_not_an_apk_is_refused_as_a_phone_refuses_it(connected, adb_server, tmp_path, features):
    device = connected(features=features)
    fake = tmp_path / "fake.apk"
    fake.write_bytes(b"PK\x03\x04" + os.urandom(3000))  # a zip header and noise: no manifest
    done = adb_server.run("-s", device.serial, "install", fake)
    assert done.returncode != 0 and "INSTALL_PARSE_FAILED_NOT_APK" in done.stdout + done.stderr
    assert device.installs == []


@pytest.mark.device
@pytest.mark.slow
def test_debian_adb_with_auth_uses_its_own_key(make_device, adb_server):
    public = (adb_server.home / ".android" / "adbkey.pub").read_text()
    device = make_device(auth_public_keys=(public,))
    adb_server.run("connect", device.serial)
    assert adb_server.run("-s", device.serial, "shell", "echo authorized").stdout.strip() == "authorized"
    refused = make_device(faults=Faults(refuse_auth=True), auth_public_keys=(public,))
    adb_server.run("connect", refused.serial)
    listing = adb_server.run("devices").stdout
    assert f"{refused.serial}\tunauthorized" in listing
    adb_server.run("disconnect")


@pytest.mark.device
@pytest.mark.slow
def test_debian_adb_sees_a_full_disk(connected, adb_server, tmp_path):
    device = connected(faults=Faults(disk_full=True))
    small = tmp_path / "s.bin"
    small.write_bytes(b"x" * 100)
    done = adb_server.run("-s", device.serial, "push", small, "/data/local/tmp/s.bin")
    assert done.returncode != 0 and "No space left on device" in done.stdout + done.stderr


@pytest.mark.device
@pytest.mark.slow
def test_debian_adb_sees_a_dropped_connection(connected, adb_server):
    device = connected()
    device.faults.drop_on_command = "vanish"
    done = adb_server.run("-s", device.serial, "shell", "echo vanish")
    assert done.returncode != 0


# --- the device's file tree and shell --------------------------------------------------------------

@pytest.mark.device
@pytest.mark.slow
def test_commands_cannot_write_outside_the_device_folder(make_device, tmp_path):
    device = make_device()
    outside = tmp_path / "escape"
    adb = client(device)
    adb.connect(auth_timeout_s=1)
    adb.shell(f"echo pwned > {outside}; mkdir -p /etc/pwned; echo ok > /data/local/tmp/inside")
    assert not outside.exists() and not Path("/etc/pwned").exists()
    assert device.device_file("/data/local/tmp/inside").read_text() == "ok\n"
    assert adb.shell("ls /sdcard /data/local/tmp").split() == ["/data/local/tmp:", "inside", "/sdcard:"]


@pytest.mark.device
@pytest.mark.slow
def test_host_programs_stay_runnable_and_sysfs_can_be_faked(make_device):
    venv_bin = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin"
    device = make_device(extra_path=(str(venv_bin),), fake_cpus_khz=SD855_CPU_MAX_KHZ, fake_thermal_c=SD855_THERMAL_C)
    adb = client(device)
    adb.connect(auth_timeout_s=1)
    assert adb.shell("python3 -c 'import paddlelite.lite; print(\"lite ok\")'").strip() == "lite ok"
    freqs = adb.shell("cat /sys/devices/system/cpu/cpu*/cpufreq/cpuinfo_max_freq").split()
    assert freqs == [str(f) for f in SD855_CPU_MAX_KHZ]
    assert adb.shell("cat /sys/devices/system/cpu/possible").strip() == "0-7"
    assert adb.shell("cat /sys/class/thermal/thermal_zone1/temp").strip() == "41500"
    assert "No such file" in adb.shell("cat /dev/cpuset/cpus 2>&1")  # no cpuset unless asked for


@pytest.mark.device
@pytest.mark.slow
def test_a_shell_cpuset_sits_in_dev_and_leaves_the_hosts_dev_alone(make_device):
    device = make_device(shell_cpuset=SD855_LITTLE_CPUSET)
    adb = client(device)
    adb.connect(auth_timeout_s=1)
    assert adb.shell("cat /dev/cpuset/cpus").strip() == SD855_LITTLE_CPUSET
    assert adb.shell("echo ok > /dev/null && echo written").strip() == "written"  # devices still work
    assert not Path("/dev/cpuset").exists()


@pytest.mark.device
@pytest.mark.slow
def test_am_start_is_recorded(make_device):
    device = make_device()
    adb = client(device)
    adb.connect(auth_timeout_s=1)
    answer = adb.shell("am start -n com.example.mnv1/.MainActivity")
    assert "cmp=com.example.mnv1/.MainActivity" in answer
    assert device.activities == ["am start -n com.example.mnv1/.MainActivity"]


def test_runnable_by_hand_with_help():
    done = subprocess.run([str(REPO / ".venv/bin/python"), "-m", "tests.adb_device_double", "--help"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0 and "--auth-key" in done.stdout and "--fake-sysfs" in done.stdout


@pytest.mark.device
@pytest.mark.slow
def test_a_link_planted_by_a_device_command_cannot_make_a_push_write_outside(connected, adb_server, tmp_path):
    device = connected()
    outside = tmp_path / "host-file-outside"
    payload = tmp_path / "payload"
    payload.write_bytes(b"pushed bytes")
    # The name the double once staged pushes at, and a final name, both made links out of the device.
    for link in (".victim.sync-tmp", "link-out"):
        done = adb_server.run("-s", device.serial, "shell", f"ln -s {outside} /data/local/tmp/{link}")
        assert done.returncode == 0, done.stderr
    pushed = adb_server.run("-s", device.serial, "push", payload, "/data/local/tmp/victim")
    assert pushed.returncode == 0 and device.device_file("/data/local/tmp/victim").read_bytes() == b"pushed bytes"
    refused = adb_server.run("-s", device.serial, "push", payload, "/data/local/tmp/link-out")
    assert refused.returncode != 0  # it leads out of the device: refused, as a read-only place is
    assert not outside.exists() and not list(device.sandbox.staging_dir.iterdir())


@pytest.mark.device
@pytest.mark.slow
def test_pushes_onto_a_folder_or_under_a_file_fail_as_adbd_says(connected, adb_server, tmp_path):
    device = connected()
    payload = tmp_path / "payload"
    payload.write_bytes(b"x" * 100)
    adb_server.run("-s", device.serial, "shell", "mkdir -p /data/local/tmp/folder; echo hi > /data/local/tmp/file")
    onto_folder = adb_server.run("-s", device.serial, "push", payload, "/data/local/tmp/folder/", timeout=30)
    assert onto_folder.returncode == 0  # adb pushes INTO a folder given with a slash
    assert device.device_file("/data/local/tmp/folder/payload").read_bytes() == b"x" * 100
    from lite.devices.select import open_device
    from lite.errors import DeviceError
    with open_device("tcp", None, device.serial) as adb:
        with pytest.raises(DeviceError, match="Is a directory"):
            adb.push(payload, "/data/local/tmp/folder")
        with pytest.raises(DeviceError, match="Not a directory"):
            adb.push(payload, "/data/local/tmp/file/under")
        assert adb.shell("echo still here").stdout == "still here\n"  # the connection and the double live on


@pytest.mark.parametrize("signal_name,code", [("KILL", 137), ("SEGV", 139), ("ABRT", 134)])
@pytest.mark.device
@pytest.mark.slow
def test_a_command_killed_by_a_signal_exits_128_plus_the_signal(connected, adb_server, signal_name, code):
    device = connected()
    done = adb_server.run("-s", device.serial, "shell", f"exec kill -{signal_name} $$")
    assert done.returncode == code


@pytest.mark.device
@pytest.mark.slow
def test_system_is_read_only_as_on_a_phone(connected, adb_server, tmp_path):
    device = connected()
    done = adb_server.run("-s", device.serial, "shell", "echo x > /system/bin/planted")
    assert done.returncode != 0 and "Read-only file system" in done.stdout + done.stderr
    assert not (device.root / "system" / "bin" / "planted").exists()
    assert adb_server.run("-s", device.serial, "shell", "getprop ro.soc.model").stdout.strip() == "SM8150"


@pytest.mark.parametrize("arm_cpu", [None, "cortex-a76"])
@pytest.mark.device
@pytest.mark.slow
def test_commands_run_as_the_shell_user_and_pushes_belong_to_it(make_device, arm_cpu, tmp_path):
    from lite.devices.select import open_device
    device = make_device(arm_cpu=arm_cpu)
    payload = tmp_path / "payload"
    payload.write_bytes(b"p")
    with open_device("tcp", None, device.serial) as adb:
        assert adb.shell("id -u; id -g").stdout.split() == ["2000", "2000"]  # Android's shell user
        adb.push(payload, "/data/local/tmp/made/by/push")
        denied = adb.shell("touch /data/not-yours")
    assert denied.exit_code != 0 and "Permission denied" in denied.output  # as on a phone
    for path in ("/data/local/tmp/made", "/data/local/tmp/made/by", "/data/local/tmp/made/by/push"):
        info = device.device_file(path).stat()
        assert (info.st_uid, info.st_gid) == (2000, 2000), path
