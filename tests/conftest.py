"""The fixtures: expensive ones are session-scoped and made once per test run, shared by the pytest-xdist
workers (conversions, C++ builds, the APK). Shared plain helpers are in helpers.py, imported by name."""
import os
import shutil
import subprocess

import pytest
from helpers import REPO, free_port, made_once, nb_bytes, run_cli


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """Every model converted for arm and x86 (fp32), plus int8 for arm, from nothing."""
    def make(root):
        models, results = root / "models", root / "results"
        done = run_cli("lite/opt_models.py", "--all", "--models-dir", models, "--results", results)
        assert done.returncode == 0, done.stderr
        done_int8 = run_cli("lite/opt_models.py", "--models", "MobileNetV1", "--targets", "arm",
                            "--variants", "int8", "--models-dir", models, "--results", results)
        assert done_int8.returncode == 0, done_int8.stderr
        return {"models": models, "results": results, "stdout": done.stdout}
    return made_once(tmp_path_factory, "converted", make)


@pytest.fixture(scope="session")
def onnx_converted(converted, tmp_path_factory):
    """MobileNetV1_x0_25's x86 .nb and export copied from `converted`, and its ONNX file made from that export."""
    def make(root):
        models, results = root / "models", root / "results"
        for part in ("x86/MobileNetV1_x0_25.nb", "x86/MobileNetV1_x0_25.json", "paddle/MobileNetV1_x0_25"):
            source, target = converted["models"] / part, models / part
            target.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
        done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "onnx", "--models-dir",
                       models, "--results", results)
        assert done.returncode == 0, done.stderr
        return {"models": models, "results": results, "stdout": done.stdout}
    return made_once(tmp_path_factory, "onnx", make)


@pytest.fixture(scope="session")
def cxx_builds(tmp_path_factory):
    """cxx_demo built for this x86 host against the light-API test double (ARM builds use the real library)."""
    from cxx_builds import build_target, tools_present
    assert tools_present(), "cmake, g++, g++-aarch64-linux-gnu and qemu-user are needed: run make setup"
    return made_once(tmp_path_factory, "cxx", lambda root: {"host": build_target("host", root)})


@pytest.fixture(scope="session")
def paddle_lite_arm():
    """Paddle Lite's REAL ARM Linux libraries (FP32 and FP16 builds) and its benchmark_bin, from
    $PADDLE_LITE_ARM_ROOT or ../shared/paddle_lite. In CI they must be there: no test skips."""
    from lite.runtime.arm_library import LITE_ROOT_VARIABLE, default_lite_root
    root = default_lite_root()
    fp32, fp16 = "inference_lite_lib.armlinux.armv8", "fp16/inference_lite_lib.armlinux.armv8"
    if root is None or not all((root / sub).is_dir() for sub in (fp32, fp16, "benchmark_bin")):
        message = (f"the real-ARM tests need Paddle Lite's ARM Linux libraries: set {LITE_ROOT_VARIABLE} to a folder "
                   f"holding {fp32}/, {fp16}/ and benchmark_bin/ (docs/testing.md: 'Tests on real ARM kernels')")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {"fp32": root / fp32, "fp16": root / fp16, "benchmark_bin": root / "benchmark_bin" / "benchmark_bin",
            "captured": root / "benchmark_bin" / "captured"}


@pytest.fixture(scope="session")
def real_data():
    """../shared/real: trained MobileNetV1_x0_75 weights and 1000 ImageNet images, read in place."""
    root = REPO.parent / "shared" / "real"
    if not (root / "weights").is_dir():
        message = f"the real-data tests need {root} (trained weights and images), as CI lays it beside the clone"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return root


@pytest.fixture(scope="session")
def real_arm_builds(paddle_lite_arm, tmp_path_factory):
    """cxx_demo built for armlinux-aarch64 against the REAL FP32 and FP16 Paddle Lite libraries."""
    def make(root):
        builds = {}
        for kind in ("fp32", "fp16"):
            build_dir = root / kind
            done = subprocess.run(["bash", str(REPO / "cxx_demo" / "build.sh"), "--target", "armlinux-aarch64",
                                   "--lite-dir", str(paddle_lite_arm[kind]), "--build-dir", str(build_dir)],
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            builds[kind] = build_dir
        return builds
    return made_once(tmp_path_factory, "cxx-real-arm", make)


@pytest.fixture(scope="session")
def arm_models(converted, tmp_path_factory):
    """The session's converted models plus MobileNetV1_x0_25 as int8, int16 and fp16 for arm (their size
    report goes elsewhere: `converted`'s is checked row by row)."""
    def make(root):
        done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm", "--variants",
                       "int8,int16,fp16", "--models-dir", converted["models"], "--results", root / "arm-results")
        assert done.returncode == 0, done.stderr
        return converted["models"]
    return made_once(tmp_path_factory, "arm-models", make)


@pytest.fixture(scope="session")
def demo_apk(tmp_path_factory):
    """The demo app's manifest and resources linked into an APK by aapt2 (what the double's pm parses)."""
    from android_apk import demo_apk as make_apk
    return made_once(tmp_path_factory, "apk", make_apk)


@pytest.fixture
def nb_file(tmp_path):
    """A small file in the `.nb` layout, for the engine's tests (only doubles "run" it)."""
    path = tmp_path / "m.nb"
    path.write_bytes(nb_bytes())
    return path


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
    port = free_port()
    env = dict(os.environ, HOME=str(home), ANDROID_ADB_SERVER_PORT=str(port))

    def adb(*args, timeout=60):
        return subprocess.run(["adb", *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)

    adb("start-server")
    yield type("AdbServer", (), {"run": staticmethod(adb), "home": home, "env": env, "port": port})
    adb("kill-server")


@pytest.fixture
def small_filesystem(tmp_path):
    """mount(size) -> a folder on a tmpfs of `size` bytes, to fill up (root, as CI runs; unmounted after)."""
    mounted = []

    def mount(size):
        folder = tmp_path / f"fs{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        assert done.returncode == 0, f"a full-disk test needs root to mount a tmpfs: {done.stderr.strip()}"
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


