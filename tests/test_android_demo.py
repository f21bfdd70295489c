"""The Android demo as far as this machine allows: the plain-Java module compiled and tested with
JUnit 4, its answers set beside Python's, the manifest and resources linked by aapt2 against the
Android framework, and install.py against the ADB device double."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from android_apk import aapt2_link
from helpers import run_cli

from lite.models.labels import paddleclas_label_file, parse_labels, softmax, top_k
from lite.models.preprocess import paddleclas_preprocess, write_ppm

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "android_demo"
CLASSPATH_JARS = ["/usr/share/java/junit4.jar", "/usr/share/java/hamcrest-core.jar"]


@pytest.fixture(scope="module")
def java_classes(tmp_path_factory):
    for tool in ("javac", "java", "aapt2"):
        assert shutil.which(tool), f"{tool} is missing: run make setup (scripts/install_system_packages.sh)"
    out = tmp_path_factory.mktemp("classes")
    sources = [str(p) for p in (DEMO / "classifier" / "src").rglob("*.java")]
    subprocess.run(["javac", "-d", str(out), "-cp", ":".join(CLASSPATH_JARS), *sources], check=True)
    return out


def java(java_classes, *args):
    return subprocess.run(["java", "-cp", ":".join([str(java_classes), *CLASSPATH_JARS]), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_junit_tests_of_the_plain_java_module_pass(java_classes):
    done = java(java_classes, "org.junit.runner.JUnitCore", "com.mnv1.classifier.PreprocessorTest",
                "com.mnv1.classifier.TopKTest", "com.mnv1.classifier.LabelsTest")
    assert done.returncode == 0, done.stdout
    assert "OK (7 tests)" in done.stdout


def test_java_preprocessing_equals_python_within_1e3(java_classes, tmp_path):
    rng = np.random.default_rng(9)
    y, x = np.mgrid[0:333, 0:250]
    rgb = np.clip(np.stack([x, y * 0.7, (x + y) % 256], -1) + rng.integers(-30, 31, (333, 250, 3)), 0, 255)
    rgb = rgb.astype(np.uint8)
    write_ppm(rgb, tmp_path / "in.ppm")
    done = java(java_classes, "com.mnv1.classifier.ClassifierCli", "preprocess", tmp_path / "in.ppm",
                tmp_path / "t.f32")
    assert done.returncode == 0, done.stderr
    tensor = np.fromfile(tmp_path / "t.f32", dtype="<f4").reshape(1, 3, 224, 224)
    assert np.abs(tensor - paddleclas_preprocess(rgb)).max() <= 1e-3


def test_java_top5_and_labels_agree_with_python(java_classes, tmp_path):
    logits = np.random.default_rng(4).normal(0, 3, 1000).astype("<f4")
    logits[10] = logits[20] = logits.max() + 1  # a tie at the top: the lower index first
    logits.tofile(tmp_path / "logits.f32")
    labels_file = paddleclas_label_file()
    done = java(java_classes, "com.mnv1.classifier.ClassifierCli", "topk", tmp_path / "logits.f32", labels_file, 5)
    assert done.returncode == 0, done.stderr
    rows = [line.split("\t") for line in done.stdout.strip().splitlines()]
    names = parse_labels(labels_file.read_text())
    probabilities = softmax(logits)
    assert len(names) == 1000
    assert [int(r[1]) for r in rows] == top_k(probabilities, 5)
    assert [r[3] for r in rows] == [names[i] for i in top_k(probabilities, 5)]
    assert [float(r[2]) for r in rows] == pytest.approx([probabilities[i] for i in top_k(probabilities, 5)], abs=1e-6)


def test_manifest_and_resources_link_against_the_android_framework(java_classes, tmp_path):
    app = DEMO / "app" / "src" / "main"
    done = aapt2_link(app / "res", app / "AndroidManifest.xml", tmp_path)
    assert done.returncode == 0, done.stderr
    badging = subprocess.run(["aapt2", "dump", "badging", str(tmp_path / "app.apk")], capture_output=True,
                             text=True).stdout
    assert "launchable-activity: name='com.mnv1.demo.MainActivity'" in badging
    assert "application-label:'MobileNetV1 Lite'" in badging


def test_a_broken_layout_fails_the_link(java_classes, tmp_path):
    app = DEMO / "app" / "src" / "main"
    res = tmp_path / "res"
    shutil.copytree(app / "res", res)
    layout = res / "layout" / "activity_main.xml"
    layout.write_text(layout.read_text().replace("@string/run", "@string/no_such_string"))
    (tmp_path / "out").mkdir()
    done = aapt2_link(res, app / "AndroidManifest.xml", tmp_path / "out")
    assert done.returncode != 0 and "no_such_string" in done.stderr


# --- install.py ---------------------------------------------------------------------------------

@pytest.fixture
def apk(demo_apk):
    return demo_apk


@pytest.mark.device
@pytest.mark.slow
def test_install_apk_through_adb_shell(make_device, apk):
    device = make_device()
    done = run_cli("android_demo/install.py", "--apk", apk, "--transport", "tcp", "--tcp", device.serial)
    assert done.returncode == 0, done.stderr
    assert device.installs == ["pm install -r -t /data/local/tmp/mnv1_demo.apk"]
    assert device.device_file("/data/app/mnv1_demo.apk").read_bytes() == apk.read_bytes()
    assert not device.device_file("/data/local/tmp/mnv1_demo.apk").exists()
    assert device.activities == ["am start -n com.mnv1.demo/.MainActivity"]
    assert "started com.mnv1.demo/.MainActivity" in done.stdout


@pytest.mark.device
@pytest.mark.slow
def test_install_apk_through_debian_adb(make_device, adb_server, apk):
    device = make_device()
    done = run_cli("android_demo/install.py", "--apk", apk, "--transport", "adb", "--tcp", device.serial,
                   env=adb_server.env)
    assert done.returncode == 0, done.stderr
    assert device.installs and device.activities == ["am start -n com.mnv1.demo/.MainActivity"]
    adb_server.run("disconnect")


@pytest.mark.device
@pytest.mark.slow
def test_an_activity_the_app_does_not_declare_is_a_failed_start_though_am_exits_0(make_device, apk, tmp_path):
    # The project's manifest names an activity that the installed APK does not have: real phones answer
    # "Error type 3 ... does not exist." with exit status 0, and so does the double.
    project = tmp_path / "android_demo"
    shutil.copytree(DEMO / "app" / "src" / "main", project / "app" / "src" / "main")
    manifest = project / "app" / "src" / "main" / "AndroidManifest.xml"
    manifest.write_text(manifest.read_text().replace('android:name=".MainActivity"', 'android:name=".Gone"'))
    device = make_device()
    done = run_cli("android_demo/install.py", "--apk", apk, "--project", project, "--transport", "tcp",
                   "--tcp", device.serial)
    assert done.returncode == 2
    assert "installed, but starting com.mnv1.demo/.Gone failed: Error: Activity class " \
           "{com.mnv1.demo/com.mnv1.demo.Gone} does not exist." in done.stderr


@pytest.mark.device
@pytest.mark.slow
def test_a_file_that_is_not_an_apk_and_a_silent_pm_are_failed_installs(make_device, tmp_path, apk):
    device = make_device()
    fake = tmp_path / "fake.apk"
    fake.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    done = run_cli("android_demo/install.py", "--apk", fake, "--transport", "tcp", "--tcp", device.serial)
    assert done.returncode == 2 and "refused the APK: Failure [INSTALL_PARSE_FAILED_NOT_APK" in done.stderr
    (device.device_file("/data/system/double") / "pm_silent").write_text("")
    done = run_cli("android_demo/install.py", "--apk", apk, "--transport", "tcp", "--tcp", device.serial)
    assert done.returncode == 2
    assert "pm printed nothing (exit status 0), so the install is not confirmed" in done.stderr
    assert device.activities == []  # nothing was started


@pytest.fixture
def project(tmp_path):
    copy = tmp_path / "android_demo"
    shutil.copytree(DEMO, copy, ignore=shutil.ignore_patterns("build", ".gradle", "libs", "jniLibs", "assets"))
    return copy


@pytest.fixture
def lite_dir(tmp_path):
    """A folder shaped like Paddle Lite's Android inference library (files made up: only copied)."""
    folder = tmp_path / "inference_lite_lib.android.armv8"
    (folder / "java/jar").mkdir(parents=True)
    (folder / "java/so").mkdir(parents=True)
    (folder / "java/jar/PaddlePredictor.jar").write_bytes(b"PK jar")
    (folder / "java/so/libpaddle_lite_jni.so").write_bytes(b"\x7fELF so")
    return folder


@pytest.mark.slow
def test_without_sdk_the_project_is_prepared_and_the_message_says_what_to_do(project, lite_dir, converted):
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("ANDROID_HOME", "ANDROID_SDK_ROOT")}
    done = run_cli("android_demo/install.py", "--project", project, "--lite-dir", lite_dir, "--model",
                   "MobileNetV1_x0_25", "--models-dir", converted["models"], env=env)
    assert done.returncode == 2 and "no Android SDK: set ANDROID_HOME" in done.stderr
    assert (project / "app/libs/PaddlePredictor.jar").read_bytes() == b"PK jar"
    assert (project / "app/src/main/jniLibs/arm64-v8a/libpaddle_lite_jni.so").is_file()
    bundled = project / "app/src/main/assets/models/MobileNetV1_x0_25.nb"
    assert bundled.read_bytes() == (converted["models"] / "arm" / "MobileNetV1_x0_25.nb").read_bytes()
    assert len(parse_labels((project / "app/src/main/assets/labels.txt").read_text())) == 1000


@pytest.mark.parametrize("case,message", [
    ("no-lite-dir", "--lite-dir is required"),
    ("empty-lite-dir", "has no java/jar/PaddlePredictor.jar"),
    ("missing-apk", "--apk /no/such.apk does not exist"),
    ("no-device", "cannot connect to 127.0.0.1:1"),
    ("unknown-model", "unknown model 'MobileNetV9'; did you mean MobileNetV1?"),
])
@pytest.mark.device
@pytest.mark.slow
def test_install_errors_are_one_line(case, message, project, tmp_path, apk):
    args = {"no-lite-dir": ["--project", project],
            "empty-lite-dir": ["--project", project, "--lite-dir", tmp_path],
            "missing-apk": ["--apk", "/no/such.apk"],
            "no-device": ["--apk", apk, "--transport", "tcp", "--tcp", "127.0.0.1:1"],
            "unknown-model": ["--model", "MobileNetV9"]}[case]
    done = run_cli("android_demo/install.py", *args)
    assert done.returncode == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_help():
    done = run_cli("android_demo/install.py", "--help")
    assert done.returncode == 0 and "--lite-dir" in done.stdout and "--apk" in done.stdout
