#!/usr/bin/env python3
"""Build (or take) the Android demo APK, install it on the phone and start it: one command.

Without --apk it prepares the project (copies Paddle Lite's Java library from --lite-dir, the chosen
.nb model from models/arm and PaddleClas's ImageNet label list into it), builds it with Gradle when an
Android SDK is present (ANDROID_HOME or ANDROID_SDK_ROOT), then installs. With --apk it installs
that APK. Installing goes through the toolkit's Device layer (adb program, adb-shell USB/TCP).
"""
import argparse
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lite.cli_edge import run_edge  # noqa: E402
from lite.convert import nb_path  # noqa: E402
from lite.devices.base import DeviceError  # noqa: E402
from lite.devices.select import TRANSPORTS, open_device  # noqa: E402
from lite.errors import ToolkitError  # noqa: E402
from lite.family import MODEL_NAMES, get_model  # noqa: E402
from lite.labels import paddleclas_label_file  # noqa: E402

PROJECT = Path(__file__).resolve().parent
APPLICATION_ID = "com.mnv1.demo"
DEVICE_APK = "/data/local/tmp/mnv1_demo.apk"
ABIS = {"arm64-v8a": "--lite-dir", "armeabi-v7a": "--lite-dir-armv7"}


def launch_component(project=PROJECT):
    """'<applicationId>/<activity>' of the launcher activity declared in the manifest."""
    android = "{http://schemas.android.com/apk/res/android}"
    root = ElementTree.parse(project / "app/src/main/AndroidManifest.xml").getroot()
    for activity in root.iter("activity"):
        for action in activity.iter("action"):
            if action.get(f"{android}name") == "android.intent.action.MAIN":
                return f"{APPLICATION_ID}/{activity.get(f'{android}name')}"
    raise ToolkitError("the app's manifest declares no launcher activity")


def copy_lite_library(project, lite_dir, abi):
    lite_dir = Path(lite_dir)
    jar, jni = lite_dir / "java/jar/PaddlePredictor.jar", lite_dir / "java/so/libpaddle_lite_jni.so"
    for needed in (jar, jni):
        if not needed.is_file():
            raise ToolkitError(f"{ABIS[abi]} {lite_dir} has no {needed.relative_to(lite_dir)}: download Paddle Lite's "
                               f"Android inference library (inference_lite_lib.android.armv8 / armv7, with Java) "
                               f"from its releases and pass the unpacked folder")
    app = project / "app"
    (app / "libs").mkdir(exist_ok=True)
    shutil.copy2(jar, app / "libs/PaddlePredictor.jar")
    target = app / "src/main/jniLibs" / abi
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(jni, target / "libpaddle_lite_jni.so")
    return [app / "libs/PaddlePredictor.jar", target / "libpaddle_lite_jni.so"]


def copy_model_and_labels(project, model, models_dir):
    source = nb_path(models_dir, "arm", model, "fp32")
    if not source.is_file():
        raise ToolkitError(f"no converted model {source}; make it with: python lite/opt_models.py --models {model} "
                           f"--targets arm")
    labels = paddleclas_label_file()
    if labels is None:
        raise ToolkitError("PaddleClas's ImageNet label list is missing: run `make setup` (it installs paddleclas)")
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
    raise ToolkitError("no Gradle: open android_demo/ once in Android Studio (it adds the wrapper), or install "
                       "Gradle 8.4+ and run `gradle wrapper` in android_demo/")


def build_apk(project):
    sdk = os.environ.get("ANDROID_HOME") or os.environ.get("ANDROID_SDK_ROOT")
    if not sdk or not Path(sdk).is_dir():
        raise ToolkitError("no Android SDK: set ANDROID_HOME to it (Android Studio > Settings > Android SDK shows "
                           "the path), or pass --apk PATH to install an APK built elsewhere")
    command = gradle_command(project)
    (project / "local.properties").write_text(f"sdk.dir={sdk}\n")
    done = subprocess.run([*command, "--no-daemon", "assembleDebug"], cwd=project)
    if done.returncode != 0:
        raise ToolkitError(f"the Gradle build failed (exit {done.returncode}); its output is above")
    return project / "app/build/outputs/apk/debug/app-debug.apk"


def install(device, apk, project=PROJECT, say=print):
    say(f"installing {apk} ({apk.stat().st_size / 2**20:.1f} MiB) on {device.description}")
    device.push(apk, DEVICE_APK)
    result = device.shell(f"pm install -r -t {DEVICE_APK}", timeout_s=300)
    device.shell(f"rm -f {DEVICE_APK}", timeout_s=60)
    answer = (result.stdout + result.stderr).strip()
    if result.exit_code != 0 or "Success" not in answer:
        raise DeviceError(f"the phone refused the APK: {answer.splitlines()[-1] if answer else result.exit_code}")
    component = launch_component(project)
    started = device.shell(f"am start -n {component}", timeout_s=60)
    if started.exit_code != 0:
        raise DeviceError(f"installed, but starting {component} failed: {started.stdout.strip()}")
    say(f"installed {APPLICATION_ID} and started {component}")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python android_demo/install.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="MobileNetV1", metavar="NAME",
                        help=f"the model to bundle: {', '.join(MODEL_NAMES)} (default: MobileNetV1)")
    parser.add_argument("--lite-dir", help="Paddle Lite Android inference library for arm64-v8a "
                                           "(inference_lite_lib.android.armv8, with java/)")
    parser.add_argument("--lite-dir-armv7", help="the same for armeabi-v7a (optional)")
    parser.add_argument("--models-dir", default="models", help="where opt_models.py wrote the models (default: models)")
    parser.add_argument("--apk", help="install this APK instead of building one")
    parser.add_argument("--transport", choices=TRANSPORTS, default="auto", help="as for run_sd855.py (default: auto)")
    parser.add_argument("--serial", help="which device, when several are attached")
    parser.add_argument("--project", default=str(PROJECT), help="the Android project folder (default: android_demo)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="a device on the network")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_edge(lambda: prepare_and_install(args))


def prepare_and_install(args):
    project = Path(args.project)
    get_model(args.model)
    if args.apk:
        apk = Path(args.apk)
        if not apk.is_file():
            raise ToolkitError(f"--apk {apk} does not exist")
    else:
        if not args.lite_dir:
            raise ToolkitError("--lite-dir is required to build the app (or pass --apk PATH): the unpacked "
                               "inference_lite_lib.android.armv8 folder from Paddle Lite's releases")
        copied = copy_lite_library(project, args.lite_dir, "arm64-v8a")
        if args.lite_dir_armv7:
            copied += copy_lite_library(project, args.lite_dir_armv7, "armeabi-v7a")
        copied += copy_model_and_labels(project, args.model, args.models_dir)
        print("prepared the project: " + ", ".join(str(p) for p in copied))
        apk = build_apk(project)
    device = open_device(args.transport, args.serial, args.tcp)
    try:
        install(device, apk, project)
    finally:
        device.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
