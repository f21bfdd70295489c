"""Stage 2, the ONNX path: the Paddle export -> `models/onnx/<Name>.onnx` through Paddle2ONNX.

Checked as the x86 `.nb` is: `onnx.checker`, then ONNX Runtime's logits on the export's reference inputs
against Paddle's (within 1e-4 of the largest |logit|), in a child process; only a checked file is moved
into place, with a manifest like the `.nb`'s beside it.
"""
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata

from lite.convert.conversion import CHECK_TIMEOUT_S, ConvertedModel
from lite.convert.opt import tool_versions
from lite.errors import ConversionError, ToolkitError
from lite.models.store import manifest_of
from lite.util.files import atomic_write_json, read_json, sha256_file, sha256_text, staging_dir
from lite.util.text import last_line

OPSET = 13  # what Paddle2ONNX 1.3.1 and ONNX Runtime 1.19 both take for every MobileNetV1 operator
CHECK_MODULE = "lite.runtime.onnx_check"
ONNX_PACKAGES = (("paddle2onnx", "1.3.1"), ("onnx", "1.16.2"), ("onnxruntime", "1.19.2"))


def onnx_versions():
    """{package: version} of the ONNX toolchain; a one-line ToolkitError naming what to install."""
    versions = {}
    for package, pinned in ONNX_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            raise ToolkitError(f"--targets onnx needs the {package} package; install it with: "
                               f"pip install {package}=={pinned}") from None
    return versions


def onnx_key(exported):
    parts = {"export": exported.key, "opset": OPSET, "tools": onnx_versions(), "convert": sha256_file(__file__)}
    return sha256_text(json.dumps(parts, sort_keys=True))


def up_to_date_onnx(exported, store):
    path = store.nb_file("onnx", exported.name, "fp32")
    manifest = read_json(manifest_of(path))
    if (manifest and manifest.get("key") == onnx_key(exported) and path.is_file()
            and manifest.get("nb_sha256") == sha256_file(path)):
        return ConvertedModel(exported.name, "onnx", "fp32", path, manifest)
    return None


def check_onnx(onnx_file, reference_npz, model_name):
    """onnx.checker and ONNX Runtime's logits against Paddle's, in a child; the comparison, or ConversionError."""
    command = [sys.executable, "-m", CHECK_MODULE, str(onnx_file), str(reference_npz)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise ConversionError(f"{model_name}: ONNX Runtime did not finish within {CHECK_TIMEOUT_S} s on the "
                              f"ONNX model") from None
    if done.returncode != 0:
        raise ConversionError(f"{model_name}: the ONNX model does not load: "
                              f"{last_line(done.stderr, f'exit status {done.returncode}')}")
    result = json.loads(last_line(done.stdout))
    if result["problem"]:
        raise ConversionError(f"{model_name} (onnx): ONNX Runtime's logits do not match Paddle's: "
                              f"{result['problem']}; the ONNX file is not kept")
    return result


def to_onnx(exported, store, say=print):
    """Convert the export with Paddle2ONNX, check it, move it into place; the ConvertedModel."""
    versions = onnx_versions()
    import paddle2onnx
    final = store.nb_file("onnx", exported.name, "fp32")
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(final.parent, final.stem)
    try:
        staged = staging / final.name
        try:
            paddle2onnx.export(str(exported.model_file), str(exported.params_file), save_file=str(staged),
                               opset_version=OPSET, auto_upgrade_opset=False, verbose=False,
                               enable_onnx_checker=True)
        except Exception as exc:  # Paddle2ONNX raises its own errors for what it cannot convert
            raise ConversionError(f"Paddle2ONNX could not convert {exported.name}: {exc}") from None
        if not staged.is_file() or staged.stat().st_size == 0:
            raise ConversionError(f"Paddle2ONNX wrote no ONNX file for {exported.name}")
        check = check_onnx(staged, exported.reference_io_file, exported.name)
        manifest = {"key": onnx_key(exported), "model": exported.name, "target": "onnx", "variant": "fp32",
                    "nb_file": final.name, "nb_sha256": sha256_file(staged), "storage_bytes": staged.stat().st_size,
                    "opt_version": "", "opset": OPSET, "inputs": check.pop("inputs"),
                    "weights_origin": exported.weights_origin, "tool_versions": {**tool_versions(), **versions},
                    "host_check": check}
        os.replace(staged, final)
        atomic_write_json(manifest_of(final), manifest)
        return ConvertedModel(exported.name, "onnx", "fp32", final, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
