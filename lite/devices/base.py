"""The Device interface. Transports implement `shell`, `push`, `pull` (and `close`); everything
else (getprop, install, ABI, SoC, CPU topology, thermal zones, free space, checksums) is built on
`shell` here and in facts.py. A Device is a context manager: `with open_device(...) as device:`."""
import shlex
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from lite.errors import DeviceError, InstallError
from lite.util.text import last_line

STAGED_APK = "/data/local/tmp/mnv1_demo.apk"
# A command given no timeout (getprop, ls, rm) waits this long at most: a safety bound, not a measured figure;
# a hung phone must end in an error, never in a wait without end.
DEFAULT_COMMAND_TIMEOUT_S = 60.0


def timeout_message(command, timeout_s, description):
    """One line for a command that got no answer (pure): the command cut short, the wait, the device."""
    shown = " ".join(str(command).split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return (f"{description} did not answer `{shown}` within {timeout_s:.0f} s; check that it is awake and "
            f"responsive (for a phone: `adb shell echo ok`), then run again")


@dataclass(frozen=True)
class ShellResult:
    exit_code: int
    stdout: str
    stderr: str = ""

    @property
    def output(self):
        return (self.stdout + self.stderr).strip()


DISK_FULL = "No space left on device"


def push_failure(text):
    """Why a push failed, in words, from what a client said (pure): the adb program prints
    "adb: error: failed to copy 'A' to 'B': remote <reason>" before a summary line; adb-shell
    raises with the device's FAIL bytes."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line or "FAIL" in line]
    reason = (errors or lines or ["no reason given"])[0]
    reason = reason.split(": remote ", 1)[-1] if ": remote " in reason else reason
    if DISK_FULL in reason:
        return f"the device's storage is full ({DISK_FULL}): free space on it and run again"
    return reason


@runtime_checkable
class DeviceProtocol(Protocol):
    """What the sweep and the installer need of a phone, a board or this host."""

    description: str
    default_workdir: str

    def shell(self, command: str, timeout_s: float = None) -> ShellResult: ...
    def push(self, local_path, device_path: str) -> None: ...
    def pull(self, device_path: str, local_path) -> None: ...
    def install(self, apk_path) -> str: ...
    def close(self) -> None: ...


class Device:
    """Shared verbs for every transport; a subclass provides shell, push and pull."""

    description = "device"
    serial = None  # what adb calls it (USB serial, HOST:PORT); None for this host
    default_workdir = "/data/local/tmp/mnv1"
    # the wait for a command given no timeout of its own (--command-timeout)
    command_timeout_s = DEFAULT_COMMAND_TIMEOUT_S

    def wait_s(self, timeout_s):
        """How long a command may take: its own timeout, or the bound for short commands."""
        return self.command_timeout_s if timeout_s is None else float(timeout_s)

    def shell(self, command, timeout_s=None):
        raise NotImplementedError

    def push(self, local_path, device_path):
        raise NotImplementedError

    def pull(self, device_path, local_path):
        raise NotImplementedError

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def getprop(self, name):
        result = self.shell(f"getprop {shlex.quote(name)}")
        return result.stdout.strip() if result.exit_code == 0 else ""

    def check(self, command, timeout_s=None, what=None):
        """`shell`, raising DeviceError with the command's last output line unless it exits 0."""
        result = self.shell(command, timeout_s)
        if result.exit_code != 0:
            raise DeviceError(f"{what or 'a command'} failed on {self.description} (exit {result.exit_code}): "
                              f"{last_line(result.stderr or result.stdout, 'no output')}")
        return result

    def install(self, apk_path):
        """Install an APK with the package manager (push, `pm install -r -t`); return pm's answer."""
        self.push(apk_path, STAGED_APK)
        try:
            result = self.shell(f"pm install -r -t {shlex.quote(STAGED_APK)}", timeout_s=300)
        finally:
            self.shell(f"rm -f {shlex.quote(STAGED_APK)}", timeout_s=60)
        if not result.output.strip():
            raise InstallError(f"pm printed nothing (exit status {result.exit_code}), so the install is not "
                               f"confirmed on {self.description}; run `adb shell pm list packages` to see")
        if result.exit_code != 0 or "Success" not in result.output:
            raise InstallError(f"{self.description} refused the APK: {last_line(result.output)}")
        return last_line(result.output)
