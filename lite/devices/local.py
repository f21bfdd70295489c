"""This host as a device: commands in the local shell, push and pull as copies."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from lite.devices.base import Device, ShellResult, timeout_message
from lite.errors import DeviceTimeout


class LocalDevice(Device):
    description = "this host (local)"

    def __init__(self, workdir=None):
        self.default_workdir = str(workdir or Path.home() / ".cache" / "mnv1-device")
        # "The device's python3" is the toolkit's own interpreter here, venv and paddlelite included.
        self._env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")

    def shell(self, command, timeout_s=None):
        timeout_s = self.wait_s(timeout_s)
        try:
            done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, timeout=timeout_s, env=self._env)
        except subprocess.TimeoutExpired as exc:
            raise DeviceTimeout(timeout_message(command, timeout_s, "this host")) from exc
        return ShellResult(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8",
                                                                                                       "replace"))

    def getprop(self, name):
        return ""  # not Android

    def push(self, local_path, device_path):
        Path(device_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(local_path, device_path)

    def pull(self, device_path, local_path):
        shutil.copy2(device_path, local_path)
