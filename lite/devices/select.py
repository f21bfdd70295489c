"""Choose and open a device from the command line's --transport, --serial and --tcp."""
import shutil

from lite.errors import DeviceError

TRANSPORTS = ("auto", "adb", "usb", "tcp", "local")


def parse_host_port(text, option="--tcp"):
    """(host, port) from HOST:PORT; an IPv6 address goes in brackets, as adb writes it: [::1]:5555."""
    host, _, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]") and len(host) > 2:
        host = host[1:-1]
    elif ":" in host:
        raise DeviceError(f"{option}: put an IPv6 address in brackets, as in [::1]:5555, not '{text}'")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DeviceError(f"{option} takes HOST:PORT (for example 192.168.1.20:5555 or [::1]:5555), not '{text}'")
    return host, int(port)


def resolve_transport(transport, tcp, adb_on_path, adb_server=None):
    """The transport `auto` means (pure): the adb server when `adb` is on PATH (or --adb-server is given),
    else USB (or TCP with --tcp)."""
    if adb_server and transport not in ("auto", "adb"):
        raise DeviceError(f"--adb-server needs the adb program (--transport adb), not --transport {transport}")
    if transport != "auto":
        if transport == "tcp" and not tcp:
            raise DeviceError("--transport tcp needs --tcp HOST:PORT")
        return transport
    if adb_on_path or adb_server:
        return "adb"
    return "tcp" if tcp else "usb"


def open_device(transport="auto", serial=None, tcp=None, local_workdir=None, adb_server=None,
                command_timeout_s=None):
    """The device to use. `adb_server`: "HOST:PORT" of an adb server on another host (adb -H HOST -P PORT);
    `command_timeout_s`: the wait for commands given no timeout of their own (default: the Device's)."""
    return with_command_timeout(_open(transport, serial, tcp, local_workdir, adb_server), command_timeout_s)


def with_command_timeout(device, command_timeout_s):
    if command_timeout_s is not None:
        device.command_timeout_s = float(command_timeout_s)
    return device


def _open(transport, serial, tcp, local_workdir, adb_server):
    chosen = resolve_transport(transport, tcp, shutil.which("adb") is not None, adb_server)
    if chosen == "local":
        from lite.devices.local import LocalDevice
        return LocalDevice(local_workdir)
    if chosen == "adb":
        from lite.devices.adb_program import AdbProgramDevice
        server = parse_host_port(adb_server, "--adb-server") if adb_server else None
        return AdbProgramDevice(serial=serial, tcp=tcp, server=server)
    if chosen == "tcp":
        from lite.devices.adb_shell import AdbShellDevice
        host, port = parse_host_port(tcp)
        return AdbShellDevice.over_tcp(host, port)
    from lite.devices.adb_shell import AdbShellDevice
    return AdbShellDevice.over_usb(serial)
