"""A device reached with the `adb-shell` package, over TCP or USB, no adb server needed.

adb-shell 0.4.4's `shell()` opens legacy `shell:`: stdout and stderr arrive merged and there is no
exit code. We append `echo <random marker>$?` to every command and read the code back from the last
line, so that a command's own output can never imitate it.
"""
import os
import re
import secrets
import shlex
import socket
import threading
from pathlib import Path

from lite.devices.base import Device, ShellResult, push_failure, timeout_message
from lite.errors import DeviceError, DeviceLost, DeviceTimeout

KEY_FILE = Path.home() / ".android" / "adbkey"
PUSH_MAX_DATA = 64 * 1024  # large packets written partially by the TCP transport break pushes upstream
UNAUTHORIZED_HELP = ("unlock the phone and accept the 'Allow USB debugging?' prompt for this computer's key "
                     f"({KEY_FILE}.pub), then run again")


_KEY_LOCK = threading.Lock()  # several devices connect at once: one of them makes the key, the others read it


def load_or_create_signer(key_file=KEY_FILE):
    from adb_shell.auth.keygen import keygen
    from adb_shell.auth.sign_pythonrsa import PythonRSASigner
    key_file = Path(key_file)
    with _KEY_LOCK:
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            keygen(str(key_file))
        return PythonRSASigner(Path(str(key_file) + ".pub").read_text(), key_file.read_text())


def eof_aware_tcp_transport(host, port):
    """adb-shell's TCP transport, except that a closed connection is an error at once.

    adb-shell 0.4.4 treats recv() returning b"" (the peer closed) as "no data yet" and keeps
    reading until its read timeout: a dropped phone looked like a 300 s hang."""
    from adb_shell.exceptions import AdbConnectionError
    from adb_shell.transport.tcp_transport import TcpTransport

    class EofAwareTcpTransport(TcpTransport):
        def bulk_read(self, numbytes, transport_timeout_s):
            data = super().bulk_read(numbytes, transport_timeout_s)
            if not data:
                raise AdbConnectionError(f"{host}:{port} closed the connection")
            return data

    return EofAwareTcpTransport(host, port)


class AdbShellDevice(Device):
    def __init__(self, adb_device, description, connect_timeout_s=10.0, auth_timeout_s=10.0, key_file=KEY_FILE,
                 serial=None):
        from adb_shell import exceptions
        self._exceptions = exceptions
        self._adb = adb_device
        self._key_file = key_file
        self.description, self.serial = description, serial
        try:
            self._adb.connect(rsa_keys=[load_or_create_signer(key_file)], auth_timeout_s=auth_timeout_s,
                              transport_timeout_s=connect_timeout_s)
        except exceptions.DeviceAuthError as exc:
            raise DeviceError(f"{description} is unauthorized: {UNAUTHORIZED_HELP}") from exc
        except (exceptions.TcpTimeoutException, exceptions.AdbTimeoutError) as exc:
            raise DeviceError(f"{description} did not answer the ADB handshake in time; if it shows an "
                              f"authorization prompt, {UNAUTHORIZED_HELP}") from exc
        except (OSError, exceptions.UsbDeviceNotFoundError, exceptions.AdbConnectionError) as exc:
            raise DeviceError(f"cannot connect to {description}: {exc}") from exc
        self._tune_connection()

    def _tune_connection(self):
        self._adb._maxdata = min(self._adb._maxdata, PUSH_MAX_DATA)
        # adb-shell writes each packet's header and payload in two sends; with Nagle's algorithm on,
        # every push chunk then waits for the peer's delayed ACK (~40 ms): 16 MiB took 23 s, not 1 s.
        transport = getattr(getattr(self._adb, "_io_manager", None), "_transport", None)
        connection = getattr(transport, "_connection", None)
        if isinstance(connection, socket.socket):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @classmethod
    def over_tcp(cls, host, port, **kwargs):
        from adb_shell.adb_device import AdbDevice
        serial = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # as adb names a device on TCP
        return cls(AdbDevice(eof_aware_tcp_transport(host, port), default_transport_timeout_s=10.0),
                   f"{serial} (adb-shell TCP)", serial=serial, **kwargs)

    @classmethod
    def over_usb(cls, serial=None, **kwargs):
        from adb_shell.adb_device import AdbDeviceUsb
        from adb_shell.exceptions import UsbDeviceNotFoundError
        try:
            adb = AdbDeviceUsb(serial=serial, default_transport_timeout_s=10.0)
        except UsbDeviceNotFoundError as exc:
            raise DeviceError("no phone found on USB: plug it in, enable USB debugging (Settings > Developer "
                              "options) and check the cable") from exc
        found = getattr(getattr(adb, "_transport", None), "_serial_number", None)
        return cls(adb, f"USB device {serial or found or ''}".strip(), serial=serial or found, **kwargs)

    def _lost_errors(self):
        e = self._exceptions
        return (OSError, e.AdbConnectionError, e.InvalidResponseError,
                e.InvalidCommandError, e.InvalidChecksumError, e.UsbReadFailedError, e.UsbWriteFailedError)

    def shell(self, command, timeout_s=None):
        timeout_s = self.wait_s(timeout_s)
        marker = f"__mnv1_exit_{secrets.token_hex(8)}__"
        wrapped = f"sh -c {shlex.quote(command)}; echo \"{marker}$?\""
        try:
            # transport_timeout_s bounds each read: a silent phone ends the command at timeout_s, not at
            # adb-shell's 10 s per-read default (which also cut long silent benchmark runs short).
            output = self._adb.shell(wrapped, read_timeout_s=timeout_s, transport_timeout_s=timeout_s, decode=False)
        except (self._exceptions.AdbTimeoutError, self._exceptions.TcpTimeoutException) as exc:
            self._reconnect_after_timeout()
            raise DeviceTimeout(timeout_message(command, timeout_s, self.description)) from exc
        except self._lost_errors() as exc:
            raise DeviceLost(f"{self.description} went away ({exc.__class__.__name__}: {exc})") from exc
        text = output.decode("utf-8", "replace")
        match = re.search(re.escape(marker) + r"(\d+)\s*$", text)
        if not match:
            raise DeviceLost(f"{self.description} ended the command before it finished")
        return ShellResult(int(match.group(1)), text[:match.start()])

    def _reconnect_after_timeout(self):
        # The timed-out stream is still open inside adb-shell; a fresh connection is the clean way out.
        try:
            self._adb.close()
            self._adb.connect(rsa_keys=[load_or_create_signer(self._key_file)], auth_timeout_s=10.0,
                              transport_timeout_s=10.0)
            self._tune_connection()
        except Exception as exc:  # noqa: BLE001 - any failure here means the device is gone
            raise DeviceLost(f"{self.description} went away after a timeout ({exc})") from exc

    def push(self, local_path, device_path):
        try:
            self._adb.push(str(local_path), device_path, st_mode=0o100755 if os.access(local_path,
                                                                                       os.X_OK) else 0o100644)
        except self._exceptions.PushFailedError as exc:
            reason = push_failure(exc.args[0] if exc.args else str(exc))  # adb-shell passes the FAIL bytes
            raise DeviceError(f"pushing {local_path} to {device_path} on {self.description} failed: {reason}") from exc
        except self._lost_errors() as exc:
            raise DeviceLost(f"{self.description} went away during a push ({exc})") from exc

    def pull(self, device_path, local_path):
        try:
            self._adb.pull(device_path, str(local_path))
        except self._lost_errors() as exc:
            raise DeviceLost(f"{self.description} went away during a pull ({exc})") from exc

    def close(self):
        self._adb.close()
