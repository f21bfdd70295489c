"""Build (or take) the Android demo APK, install it on the phone and start it: one command.

Without --apk it prepares the project (copies Paddle Lite's Java library from --lite-dir, the chosen
.nb model from models/arm and PaddleClas's ImageNet label list into it), builds it with Gradle when an
Android SDK is present (ANDROID_HOME or ANDROID_SDK_ROOT), then installs. With --apk it installs
that APK. Installing goes through the toolkit's Device layer (adb program, adb-shell USB/TCP).

Examples: python android_demo/install.py --lite-dir inference_lite_lib.android.armv8
          python android_demo/install.py --apk app-debug.apk --serial R58M1
"""
import argparse
import sys
from pathlib import Path

from lite.app.android_install import (
    apk_libraries,
    build_apk,
    copy_lite_library,
    copy_model_and_labels,
    install_and_start,
    refuse_4k_pages,
)
from lite.cli.args import OneLineParser, add_device_arguments, one_of
from lite.devices.select import open_device
from lite.errors import InstallError
from lite.models.registry import get_model, model_names
from lite.models.store import ModelStore
from lite.runtime.library_checks import version_problem
from lite.util.edge import run_edge
from lite.util.files import read_json

DEFAULT_PROJECT = Path(__file__).resolve().parents[2] / "android_demo"


def parse_args(argv, prog="python android_demo/install.py"):
    parser = OneLineParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="MobileNetV1", metavar="NAME", type=one_of(model_names(), "model"),
                        help=f"the model to bundle: {', '.join(model_names())} (default: MobileNetV1)")
    parser.add_argument("--lite-dir", help="Paddle Lite Android inference library for arm64-v8a "
                                           "(inference_lite_lib.android.armv8, with java/)")
    parser.add_argument("--lite-dir-armv7", help="the same for armeabi-v7a (optional)")
    parser.add_argument("--models-dir", default="models", help="where opt_models.py wrote the models (default: models)")
    parser.add_argument("--apk", help="install this APK instead of building one")
    parser.add_argument("--allow-4k-pages", action="store_true",
                        help="install even when a native library is not aligned to 16 KB pages (Google Play refuses "
                             "such apps for Android 15 devices; side-loading works)")
    parser.add_argument("--project", default=str(DEFAULT_PROJECT),
                        help="the Android project folder (default: android_demo)")
    add_device_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None, prog=None):
    args = parse_args(argv, **({"prog": prog} if prog else {}))
    return run_edge(lambda: prepare_and_install(args))


def prepare_and_install(args):
    project = Path(args.project)
    get_model(args.model)
    if args.apk:
        apk = Path(args.apk)
        if not apk.is_file():
            raise InstallError(f"--apk {apk} " + ("is a folder, not an APK file" if apk.is_dir() else "does not exist"))
        refuse_4k_pages(apk_libraries(apk), args.allow_4k_pages)
    else:
        if not args.lite_dir:
            raise InstallError("--lite-dir is required to build the app (or pass --apk PATH): the unpacked "
                               "inference_lite_lib.android.armv8 folder from Paddle Lite's releases")
        copied = copy_lite_library(project, args.lite_dir, "arm64-v8a")
        if args.lite_dir_armv7:
            copied += copy_lite_library(project, args.lite_dir_armv7, "armeabi-v7a")
        refuse_4k_pages({p.name: p.read_bytes() for p in copied if p.suffix == ".so"}, args.allow_4k_pages)
        copied += copy_model_and_labels(project, args.model, args.models_dir)
        opt_version = (read_json(ModelStore(args.models_dir).nb_manifest("arm", args.model, "fp32")) or {}).get(
            "opt_version")
        for library in (p for p in copied if p.name == "libpaddle_lite_jni.so"):
            mismatch = version_problem(library, library.read_bytes(), [opt_version])
            if mismatch:
                print(f"warning: {mismatch}")
        print("prepared the project: " + ", ".join(str(p) for p in copied))
        apk = build_apk(project)
    with open_device(args.transport, args.serial, args.tcp, adb_server=args.adb_server,
                     command_timeout_s=args.command_timeout) as device:
        install_and_start(device, apk, project)
    return 0


if __name__ == "__main__":
    sys.exit(main())
