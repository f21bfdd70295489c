"""Stage 1: a model spec and its weights -> Paddle inference files (.pdmodel + .pdiparams).

Next to them: `reference_io.npz`, a fixed input and Paddle's own logits for it, which later
stages compare Paddle Lite's output against without importing Paddle, and `export.json`.
"""
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from lite.errors import ExportError
from lite.files import atomic_write_json, read_json, sha256_file, sha256_text
from lite.weights import synthetic_images

REFERENCE_INPUT_SEED = 7
MODEL_FILE = "inference.pdmodel"
PARAMS_FILE = "inference.pdiparams"
REFERENCE_IO_FILE = "reference_io.npz"
MANIFEST_FILE = "export.json"
# Changing any of these files changes what an export produces, so they are part of its key.
_CODE_FILES = ("architecture.py", "network.py", "weights.py", "export.py", "family.json")


@dataclass(frozen=True)
class ExportedModel:
    name: str
    folder: Path
    key: str
    weights_origin: str

    @property
    def model_file(self):
        return self.folder / MODEL_FILE

    @property
    def params_file(self):
        return self.folder / PARAMS_FILE

    @property
    def reference_io_file(self):
        return self.folder / REFERENCE_IO_FILE


def tool_versions():
    return {pkg: metadata.version(pkg) for pkg in ("paddlepaddle", "paddlelite")}


def export_key(spec, weights_origin):
    code_dir = Path(__file__).resolve().parent
    code = {name: sha256_file(code_dir / name) for name in _CODE_FILES}
    return sha256_text(json.dumps({"model": spec.name, "scale": spec.scale, "weights": weights_origin,
                                   "paddle": tool_versions()["paddlepaddle"], "code": code},
                                  sort_keys=True))


def export_folder(models_dir, name):
    return Path(models_dir) / "paddle" / name


def up_to_date_export(spec, weights_origin, models_dir):
    """The existing export when its manifest matches today's inputs, else None."""
    folder = export_folder(models_dir, spec.name)
    manifest = read_json(folder / MANIFEST_FILE)
    key = export_key(spec, weights_origin)
    if not manifest or manifest.get("key") != key:
        return None
    if manifest.get("file_sha256") != _file_hashes(folder):
        return None  # a file is missing or was changed since the export
    return ExportedModel(spec.name, folder, key, weights_origin)


def _file_hashes(folder):
    paths = [Path(folder) / name for name in (MODEL_FILE, PARAMS_FILE, REFERENCE_IO_FILE)]
    return {p.name: sha256_file(p) for p in paths} if all(p.is_file() for p in paths) else None


def export_model(spec, source, models_dir):
    """Build, weight and save the network; the folder appears whole or not at all."""
    os.environ.setdefault("GLOG_minloglevel", "2")  # Paddle's C++ log lines drown the progress output
    import paddle
    from paddle.static import InputSpec
    from lite.weights import build_weighted_network

    weights_origin = source.origin
    network = build_weighted_network(spec, source)
    folder = export_folder(models_dir, spec.name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{spec.name}."))
    try:
        paddle.jit.save(network, str(staging / "inference"),
                        input_spec=[InputSpec(list(spec.input_shape), "float32", "x")])
        image = synthetic_images(REFERENCE_INPUT_SEED, 1, spec.input_shape, spec.preprocess)
        with paddle.no_grad():
            logits = network(paddle.to_tensor(image)).numpy()
        np.savez(staging / REFERENCE_IO_FILE, input=image, logits=logits)
        key = export_key(spec, weights_origin)
        atomic_write_json(staging / MANIFEST_FILE, {
            "key": key, "model": spec.name, "scale": spec.scale, "weights_origin": weights_origin,
            "tool_versions": tool_versions(), "logits_std": float(logits.std()),
            "file_sha256": _file_hashes(staging)})
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except ExportError:
        raise
    except Exception as exc:
        raise ExportError(f"exporting {spec.name} with Paddle failed: {exc}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return ExportedModel(spec.name, folder, key, weights_origin)


def load_reference_io(exported_or_folder):
    folder = getattr(exported_or_folder, "folder", exported_or_folder)
    with np.load(Path(folder) / REFERENCE_IO_FILE) as data:
        return data["input"], data["logits"]
