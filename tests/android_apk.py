"""A real, installable-looking APK of the demo app made with Debian's aapt2 (manifest and resources
linked against the Android framework; no code: Gradle and the SDK cannot be had here)."""
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "android_demo"
FRAMEWORK_RES = "/usr/share/android-framework-res/framework-res.apk"


def aapt2_link(res_dir, manifest, out):
    compiled = out / "res.zip"
    compile_done = subprocess.run(["aapt2", "compile", "--dir", str(res_dir), "-o", str(compiled)],
                                  capture_output=True, text=True)
    if compile_done.returncode != 0:
        return compile_done
    # AGP 8 sets the package from `namespace` when it merges the manifest; aapt2 alone needs it written in.
    text = manifest.read_text().replace('<manifest xmlns:android="http://schemas.android.com/apk/res/android">',
                                        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" '
                                        'package="com.mnv1.demo">')
    (out / "AndroidManifest.xml").write_text(text)
    return subprocess.run(["aapt2", "link", "-o", str(out / "app.apk"), "-I", FRAMEWORK_RES, "--manifest",
                           str(out / "AndroidManifest.xml"), "--min-sdk-version", "23", "--target-sdk-version", "29",
                           str(compiled)], capture_output=True, text=True)


def demo_apk(out):
    """The demo app's manifest and resources as out/app.apk."""
    app = DEMO / "app" / "src" / "main"
    out.mkdir(parents=True, exist_ok=True)
    done = aapt2_link(app / "res", app / "AndroidManifest.xml", out)
    assert done.returncode == 0, done.stderr
    return out / "app.apk"
