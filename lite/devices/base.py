"""The Device interface and its typed errors. Transports implement five verbs; everything else
(ABI, SoC, CPU topology, thermal zones, free space, checksums) is built on `shell` in facts.py."""
import shlex
from dataclasses import dataclass

from lite.errors import ToolkitError
from lite.sweep import DeviceLost


class DeviceError(ToolkitError):
    """A device problem the user can fix (no device, several, unauthorized, a failed push)."""


class DeviceTimeout(ToolkitError):
    """A command ran longer than its timeout; the device itself is still there."""


@dataclass(frozen=True)
class ShellResult:
    exit_code: int
    stdout: str
    stderr: str = ""


class Device:
    """What the sweep needs of a phone, a board or this host."""

    description = "device"
    default_workdir = "/data/local/tmp/mnv1"

    def shell(self, command, timeout_s=None):
        """Run `command` with the device's /bin/sh; return its exit code, stdout and stderr."""
        raise NotImplementedError

    def push(self, local_path, device_path):
        raise NotImplementedError

    def pull(self, device_path, local_path):
        raise NotImplementedError

    def close(self):
        pass

    def getprop(self, name):
        result = self.shell(f"getprop {shlex.quote(name)}")
        return result.stdout.strip() if result.exit_code == 0 else ""

    def check(self, command, timeout_s=None, what=None):
        """`shell`, raising DeviceError with the command's last output line unless it exits 0."""
        result = self.shell(command, timeout_s)
        if result.exit_code != 0:
            lines = (result.stderr or result.stdout).strip().splitlines()
            raise DeviceError(f"{what or 'a command'} failed on {self.description} (exit {result.exit_code}): "
                              f"{lines[-1] if lines else 'no output'}")
        return result


__all__ = ["Device", "DeviceError", "DeviceLost", "DeviceTimeout", "ShellResult"]
