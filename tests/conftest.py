import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args, cwd=REPO, timeout=600, env=None):
    """Run a command-line script the way a user does, from the repo root."""
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """Every model converted for arm and x86 (fp32), plus int8 for arm, from nothing."""
    root = tmp_path_factory.mktemp("converted")
    models, results = root / "models", root / "results"
    done = run_cli("lite/opt_models.py", "--all", "--out", models, "--results", results)
    assert done.returncode == 0, done.stderr
    done_int8 = run_cli("lite/opt_models.py", "--models", "MobileNetV1", "--targets", "arm",
                        "--variants", "int8", "--out", models, "--results", results)
    assert done_int8.returncode == 0, done_int8.stderr
    return {"models": models, "results": results, "stdout": done.stdout}


@pytest.fixture(scope="session")
def cxx_builds(tmp_path_factory):
    """cxx_demo built for the host and for armlinux-aarch64 against the light-API test double."""
    from cxx_builds import build_target, tools_present
    assert tools_present(), "cmake, g++, g++-aarch64-linux-gnu and qemu-user are needed: run make setup"
    root = tmp_path_factory.mktemp("cxx")
    return {target: build_target(target, root) for target in ("host", "armlinux-aarch64")}


@pytest.fixture
def make_device(tmp_path):
    """Start ADB device doubles on free loopback ports; all are stopped after the test."""
    from adb_device_double.device import AdbDeviceDouble, DeviceConfig, Faults
    started = []

    def make(faults=None, **config):
        device = AdbDeviceDouble(tmp_path / f"device{len(started)}", DeviceConfig(**config), faults or Faults())
        device.start()
        started.append(device)
        return device

    yield make
    for device in started:
        device.stop()


@pytest.fixture(scope="session")
def adb_server(tmp_path_factory):
    """Debian's real `adb` client with its own server on a private port and a private HOME."""
    import os
    import shutil
    assert shutil.which("adb"), "Debian's adb is needed: run make setup (scripts/install_system_packages.sh)"
    home = tmp_path_factory.mktemp("adb-home")
    port = _free_port()
    env = dict(os.environ, HOME=str(home), ANDROID_ADB_SERVER_PORT=str(port))

    def adb(*args, timeout=60):
        return subprocess.run(["adb", *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)

    adb("start-server")
    yield type("AdbServer", (), {"run": staticmethod(adb), "home": home, "env": env, "port": port})
    adb("kill-server")


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def result_dicts(result_dir):
    """The result files of a folder, loaded by the product's loader (which must read every one),
    as the dictionaries they hold on disk."""
    from lite.bench.results import load_results
    loaded = load_results(result_dir)
    assert not loaded.problems, [str(p) for p in loaded.problems]
    return [r.as_dict() for r in loaded.results]
