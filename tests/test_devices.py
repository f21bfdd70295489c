"""Device choice and parsing (pure), and the local-host device."""
import pytest

from lite.devices.adb_program import choose_serial, parse_devices
from lite.devices.facts import list_dir_from, parse_snapshot
from lite.devices.local import LocalDevice
from lite.devices.machine import read_temperatures
from lite.devices.select import parse_host_port, resolve_transport
from lite.devices.sync import plan_push
from lite.errors import DeviceError

LISTING = "List of devices attached\nR58M123\tdevice\n192.168.1.5:5555\tunauthorized\nEMU\toffline\n\n"


def test_parse_devices():
    assert parse_devices(LISTING) == [("R58M123", "device"), ("192.168.1.5:5555", "unauthorized"), ("EMU", "offline")]


@pytest.mark.parametrize("devices,serial,message", [
    ([], None, "no device attached"),
    ([("A", "device"), ("B", "device")], None, "several devices attached (A, B): choose one with --serial"),
    ([("A", "unauthorized")], None, "accept the 'Allow USB debugging?' prompt"),
    ([("A", "offline")], None, "device A is offline"),
    ([("A", "device")], "Z", "no device Z"),
])
def test_choose_serial_errors(devices, serial, message):
    with pytest.raises(DeviceError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        choose_serial(devices, serial)


def test_choose_serial_picks():
    assert choose_serial([("A", "device")]) == "A"
    assert choose_serial([("A", "device"), ("B", "device")], "B") == "B"


def test_auto_transport():
    assert resolve_transport("auto", None, adb_on_path=True) == "adb"
    assert resolve_transport("auto", None, adb_on_path=False) == "usb"
    assert resolve_transport("auto", "h:1", adb_on_path=False) == "tcp"
    assert resolve_transport("local", None, adb_on_path=True) == "local"
    with pytest.raises(DeviceError):
        resolve_transport("tcp", None, adb_on_path=True)
    assert parse_host_port("10.0.0.2:5555") == ("10.0.0.2", 5555)
    with pytest.raises(DeviceError):
        parse_host_port("10.0.0.2:99999")
    assert parse_host_port("[::1]:5555") == ("::1", 5555)
    assert parse_host_port("[fe80::2]:5037") == ("fe80::2", 5037)
    with pytest.raises(DeviceError, match="brackets"):
        parse_host_port("::1:5555")


def test_snapshot_parsing_feeds_the_thermal_reader():
    files = parse_snapshot("==> /sys/class/thermal/thermal_zone0/type\ncpu\n==> /sys/class/thermal/thermal_zone0/temp\n"
                           "45100\n==> /sys/class/thermal/thermal_zone3/type\nbattery\n"
                           "==> /sys/class/thermal/thermal_zone3/temp\n31\n")
    temps = read_temperatures(files.get, list_dir_from(files))
    assert temps == {"thermal_zone0:cpu": 45.1, "thermal_zone3:battery": 31.0}


def test_plan_push_only_changed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"aaaa")
    b.write_bytes(b"bb")
    plan = plan_push({"/d/a": a, "/d/b": b}, {"/d/a": "1", "/d/b": "2"}, {"/d/a": "1", "/d/b": "old"})
    assert plan.to_push == ((b, "/d/b"),) and plan.bytes_to_push == 2 and plan.unchanged == ((a, "/d/a"),)


def test_local_device_runs_commands_with_exit_codes_and_copies(tmp_path):
    device = LocalDevice(tmp_path / "dev")
    result = device.shell("echo out; echo err >&2; exit 4")
    assert (result.exit_code, result.stdout, result.stderr) == (4, "out\n", "err\n")
    source = tmp_path / "f.txt"
    source.write_text("x")
    device.push(source, str(tmp_path / "dev" / "sub" / "f.txt"))
    assert (tmp_path / "dev" / "sub" / "f.txt").read_text() == "x"
