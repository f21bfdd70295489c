"""Preparing, building, installing and starting the Android demo app (android_demo/).

Preparing copies Paddle Lite's Java library (per ABI), the chosen .nb model and PaddleClas's
ImageNet label list into the project; building runs Gradle when an Android SDK is present;
installing goes through the Device layer (adb program, adb-shell USB/TCP).
"""
import os
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

from lite.errors import InstallError
from lite.models.labels import paddleclas_label_file
from lite.models.store import ModelStore
from lite.runtime.library_checks import MAX_LIBRARY_BYTES, page_problem
from lite.util.text import last_line
from lite.util.units import MIB

APPLICATION_ID = "com.mnv1.demo"
# `am start` exits 0 on real phones even when the activity does not exist; its output says so.
AM_START_FAILURES = ("Error", "does not exist", "Exception")
ABIS = {"arm64-v8a": "--lite-dir", "armeabi-v7a": "--lite-dir-armv7"}


def launch_component(project):
    """'<applicationId>/<activity>' of the launcher activity declared in the manifest."""
    android = "{http://schemas.android.com/apk/res/android}"
    root = ElementTree.parse(project / "app/src/main/AndroidManifest.xml").getroot()
    for activity in root.iter("activity"):
        for action in activity.iter("action"):
            if action.get(f"{android}name") == "android.intent.action.MAIN":
                return f"{APPLICATION_ID}/{activity.get(f'{android}name')}"
    raise InstallError("the app's manifest declares no launcher activity")


def copy_lite_library(project, lite_dir, abi):
    lite_dir = Path(lite_dir)
    jar, jni = lite_dir / "java/jar/PaddlePredictor.jar", lite_dir / "java/so/libpaddle_lite_jni.so"
    for needed in (jar, jni):
        if not needed.is_file():
            raise InstallError(f"{ABIS[abi]} {lite_dir} has no {needed.relative_to(lite_dir)}: download Paddle Lite's "
                               f"Android inference library (inference_lite_lib.android.armv8 / armv7, with Java) "
                               f"from its releases and pass the unpacked folder")
    app = project / "app"
    (app / "libs").mkdir(exist_ok=True)
    shutil.copy2(jar, app / "libs/PaddlePredictor.jar")
    target = app / "src/main/jniLibs" / abi
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(jni, target / "libpaddle_lite_jni.so")
    return [app / "libs/PaddlePredictor.jar", target / "libpaddle_lite_jni.so"]


def apk_libraries(apk):
    """{name inside the APK: bytes} of its native libraries (lib/<abi>/*.so), each bounded in size; none for a
    file that is no zip archive (the phone's package manager refuses it, and says so)."""
    try:
        with zipfile.ZipFile(apk) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()
                    if info.filename.startswith("lib/") and info.filename.endswith(".so")
                    and info.file_size <= MAX_LIBRARY_BYTES}
    except zipfile.BadZipFile:
        return {}


def refuse_4k_pages(libraries, allowed=False, say=print):
    """Google Play wants 16 KB LOAD alignment: refuse (or, when `allowed`, warn) for each library {name: bytes}
    that has less, naming the file and the fix."""
    problems = [problem for name, data in sorted(libraries.items()) if (problem := page_problem(name, data))]
    if problems and not allowed:
        raise InstallError(f"{problems[0]}; pass --allow-4k-pages to install it anyway (side-loading works; "
                           f"Google Play refuses it)")
    for problem in problems:
        say(f"warning: {problem}")
    return problems


def copy_model_and_labels(project, model, models_dir):
    store = ModelStore(models_dir)
    source = store.nb_file("arm", model, "fp32")
    if not source.is_file():
        raise InstallError(f"no converted model {source}; make it with: {store.remake_command(model, 'arm')}")
    labels = paddleclas_label_file()
    if labels is None:
        raise InstallError("PaddleClas's ImageNet label list is missing: run `make setup` (it installs paddleclas)")
    assets = project / "app/src/main/assets"
    (assets / "models").mkdir(parents=True, exist_ok=True)
    for old in (assets / "models").glob("*.nb"):
        old.unlink()
    shutil.copy2(source, assets / "models" / source.name)
    shutil.copy2(labels, assets / "labels.txt")
    return [assets / "models" / source.name, assets / "labels.txt"]


def gradle_command(project):
    wrapper = project / "gradlew"
    if wrapper.is_file() and (project / "gradle/wrapper/gradle-wrapper.jar").is_file():
        return [str(wrapper)]
    if shutil.which("gradle"):
        return ["gradle"]
    raise InstallError("no Gradle: open android_demo/ once in Android Studio (it adds the wrapper), or install "
                       "Gradle 8.4+ and run `gradle wrapper` in android_demo/")


def build_apk(project):
    sdk = os.environ.get("ANDROID_HOME") or os.environ.get("ANDROID_SDK_ROOT")
    if not sdk or not Path(sdk).is_dir():
        raise InstallError("no Android SDK: set ANDROID_HOME to it (Android Studio > Settings > Android SDK shows "
                           "the path), or pass --apk PATH to install an APK built elsewhere")
    command = gradle_command(project)
    (project / "local.properties").write_text(f"sdk.dir={sdk}\n")
    done = subprocess.run([*command, "--no-daemon", "assembleDebug"], cwd=project)
    if done.returncode != 0:
        raise InstallError(f"the Gradle build failed (exit {done.returncode}); its output is above")
    return project / "app/build/outputs/apk/debug/app-debug.apk"


def install_and_start(device, apk, project, say=print):
    """Install `apk` on `device` and start its launcher activity; InstallError unless it really started."""
    say(f"installing {apk} ({apk.stat().st_size / MIB:.1f} MiB) on {device.description}")
    device.install(apk)
    component = launch_component(project)
    started = device.shell(f"am start -n {shlex.quote(component)}", timeout_s=60)
    answer = started.output
    if started.exit_code != 0 or any(word in answer for word in AM_START_FAILURES):
        why = last_line(answer, f"exit {started.exit_code}")
        raise InstallError(f"installed, but starting {component} failed: {why}")
    say(f"installed {APPLICATION_ID} and started {component}")
