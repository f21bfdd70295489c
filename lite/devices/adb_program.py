"""A device reached through the `adb` program and its server, as most users already run it."""
import shutil
import subprocess

from lite.devices.base import Device, ShellResult, push_failure, timeout_message
from lite.errors import DeviceError, DeviceLost, DeviceTimeout
from lite.util.children import die_with_parent
from lite.util.text import last_line

UNAUTHORIZED_HELP = "unlock the phone and accept the 'Allow USB debugging?' prompt, then run again"


def parse_devices(listing):
    """[(serial, state)] from `adb devices` output (pure)."""
    devices = []
    for line in listing.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2:
            devices.append((parts[0], parts[1]))
    return devices


def choose_serial(devices, serial=None):
    """The serial to use, or a DeviceError saying what is wrong (pure)."""
    if serial:
        states = dict(devices)
        if serial not in states:
            raise DeviceError(f"no device {serial} in `adb devices`; attached: "
                              f"{', '.join(s for s, _ in devices) or 'none'}")
        chosen = [(serial, states[serial])]
    else:
        if not devices:
            raise DeviceError("no device attached: plug the phone in with USB debugging enabled "
                              "(or use --tcp HOST:PORT), then check `adb devices`")
        if len(devices) > 1:
            raise DeviceError(f"several devices attached ({', '.join(s for s, _ in devices)}): "
                              f"choose one with --serial")
        chosen = devices
    serial, state = chosen[0]
    if state == "unauthorized":
        raise DeviceError(f"device {serial} is unauthorized: {UNAUTHORIZED_HELP}")
    if state != "device":
        raise DeviceError(f"device {serial} is {state}; reconnect it and check `adb devices`")
    return serial


def server_arguments(server):
    """`adb` options that address the adb server at (host, port) instead of the local one (pure)."""
    return ["-H", server[0], "-P", str(server[1])] if server else []


class AdbServer:
    """The adb program and the server it talks to (this host's, or another host's with -H/-P)."""

    def __init__(self, server=None, adb="adb", env=None):
        if not shutil.which(adb):
            raise DeviceError("the adb program is not on PATH: install it (Debian: apt-get install adb; "
                              "or Android's platform-tools) or use --transport usb|tcp")
        self.server, self.adb, self.env = server, adb, env
        self.where = f" on the adb server {server[0]}:{server[1]}" if server else ""

    def command(self, *args):
        return [self.adb, *server_arguments(self.server), *map(str, args)]

    def run(self, *args, timeout_s=120.0):
        try:
            return subprocess.run(self.command(*args), capture_output=True, text=True, env=self.env,
                                  timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise DeviceError(f"`adb {' '.join(map(str, args))}` did not answer in {timeout_s:.0f} s"
                              f"{self.where}") from exc

    def devices(self):
        """[(serial, state)] the server lists; DeviceError when it cannot be reached."""
        done = self.run("devices")
        if done.returncode != 0:
            raise DeviceError(f"`adb devices` failed{self.where}: {last_line(done.stderr + done.stdout, 'no output')}")
        return parse_devices(done.stdout)

    def connect(self, host_port):
        done = self.run("connect", host_port)
        if "connected to" not in done.stdout:
            raise DeviceError(f"adb connect {host_port} failed{self.where}: {(done.stdout + done.stderr).strip()}")


class AdbProgramDevice(Device):
    def __init__(self, serial=None, adb="adb", env=None, tcp=None, server=None):
        self._server = AdbServer(server, adb, env)
        if tcp:
            self._server.connect(tcp)
            serial = serial or tcp
        self.serial = choose_serial(self._server.devices(), serial)
        self.description = f"{self.serial} (adb{self._server.where})"

    def _state(self):
        try:
            return self._server.run("-s", self.serial, "get-state", timeout_s=15).stdout.strip()
        except DeviceError:  # no answer in time
            return "unknown"

    def _lost_if_gone(self, what):
        state = self._state()
        if state != "device":
            raise DeviceLost(f"{self.description} went away during {what} (state now: {state or 'gone'})")

    def shell(self, command, timeout_s=None):
        timeout_s = self.wait_s(timeout_s)
        try:
            # If this process dies, so does its adb client; the stream closes and adbd hangs up the command.
            # (PR_SET_PDEATHSIG follows the thread that started the child: a many-device sweep starts each
            # device's adb clients from that device's worker thread, which outlives every one of them.)
            done = subprocess.run(self._server.command("-s", self.serial, "shell", command), capture_output=True,
                                  env=self._server.env, timeout=timeout_s, preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired as exc:
            self._lost_if_gone("a command")
            raise DeviceTimeout(timeout_message(command, timeout_s, self.description)) from exc
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode != 0 and stderr.startswith(("error: device", "error: closed", "error: no devices",
                                                       "error: protocol fault")):
            self._lost_if_gone("a command")
        return ShellResult(done.returncode, done.stdout.decode("utf-8", "replace"), stderr)

    def _transfer(self, verb, source, target):
        done = self._server.run("-s", self.serial, verb, str(source), str(target), timeout_s=3600)
        if done.returncode != 0:
            self._lost_if_gone(f"adb {verb}")
            said = done.stderr + done.stdout
            raise DeviceError(f"adb {verb} {source} {target} failed: "
                              f"{push_failure(said) if said else f'exit status {done.returncode}'}")

    def push(self, local_path, device_path):
        self._transfer("push", local_path, device_path)

    def pull(self, device_path, local_path):
        self._transfer("pull", device_path, local_path)
