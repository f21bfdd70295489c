"""Stage 1: a model spec and its weights -> Paddle inference files (.pdmodel + .pdiparams).

Next to them: `reference_io.npz`, a fixed batch of REFERENCE_INPUTS inputs and Paddle's own logits for
them, which later stages (the x86 check, the ARM check, the host sweep) compare Paddle Lite's output
against without importing Paddle, and `export.json`.
"""
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lite.convert.opt import tool_versions
from lite.errors import ExportError, OutputDirError, WeightsError
from lite.models import store as store_layout
from lite.models.weights import synthetic_images
from lite.util.files import (
    atomic_write_json,
    disk_full_error,
    folder_nearly_full,
    is_disk_full,
    read_json,
    sha256_file,
    sha256_text,
    staging_dir,
)

REFERENCE_INPUT_SEED = 7
REFERENCE_INPUTS = 4  # several, so agreement (top-1, top-5) is a rate, not one yes or no
MODELS_PACKAGE = Path(__file__).resolve().parent.parent / "models"
# Changing any of these files changes what an export produces, so they are part of its key.
_CODE_FILES = (MODELS_PACKAGE / "architecture.py", MODELS_PACKAGE / "network.py", MODELS_PACKAGE / "weights.py",
               MODELS_PACKAGE / "family.json", Path(__file__).resolve())
_EXPORTED_FILES = (store_layout.MODEL_FILE, store_layout.PARAMS_FILE, store_layout.REFERENCE_IO_FILE)


@dataclass(frozen=True)
class ExportedModel:
    name: str
    folder: Path
    key: str
    weights_origin: str

    @property
    def model_file(self):
        return self.folder / store_layout.MODEL_FILE

    @property
    def params_file(self):
        return self.folder / store_layout.PARAMS_FILE

    @property
    def reference_io_file(self):
        return self.folder / store_layout.REFERENCE_IO_FILE


def export_key(spec, weights_origin):
    code = {path.name: sha256_file(path) for path in _CODE_FILES}
    return sha256_text(json.dumps({"model": spec.name, "scale": spec.scale, "weights": weights_origin,
                                   "paddle": tool_versions()["paddlepaddle"], "code": code},
                                  sort_keys=True))


def up_to_date_export(spec, weights_origin, store):
    """The existing export when its manifest matches today's inputs, else None."""
    folder = store.export_dir(spec.name)
    manifest = read_json(store.export_manifest(spec.name))
    key = export_key(spec, weights_origin)
    if not manifest or manifest.get("key") != key:
        return None
    if manifest.get("file_sha256") != _file_hashes(folder):
        return None  # a file is missing or was changed since the export
    return ExportedModel(spec.name, folder, key, weights_origin)


def _file_hashes(folder):
    paths = [Path(folder) / name for name in _EXPORTED_FILES]
    return {p.name: sha256_file(p) for p in paths} if all(p.is_file() for p in paths) else None


def export_model(spec, source, store):
    """Build, weight and save the network; the folder appears whole or not at all."""
    os.environ.setdefault("GLOG_minloglevel", "2")  # Paddle's C++ log lines drown the progress output
    import paddle
    from paddle.static import InputSpec

    from lite.models.factory import create_model

    weights_origin = source.origin
    folder = store.export_dir(spec.name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(folder.parent, spec.name)
    try:
        # Paddle names parameters from process-wide counters: without a fresh name scope per model, the
        # third model exported by one command had conv2d_81.w_0 where an export of it alone has conv2d_0.w_0,
        # so its files (and the layer names --skip-quant-layers takes) depended on what was exported before.
        with paddle.utils.unique_name.guard():
            network = create_model(spec.name, source)
            paddle.jit.save(network, str(staging / Path(store_layout.MODEL_FILE).stem),
                            input_spec=[InputSpec(list(spec.input_shape), "float32", "x")])
        image = synthetic_images(REFERENCE_INPUT_SEED, REFERENCE_INPUTS, spec.input_shape, spec.preprocess)
        with paddle.no_grad():
            logits = network(paddle.to_tensor(image)).numpy()
        np.savez(staging / store_layout.REFERENCE_IO_FILE, input=image, logits=logits)
        key = export_key(spec, weights_origin)
        atomic_write_json(staging / store_layout.EXPORT_MANIFEST_FILE, {
            "key": key, "model": spec.name, "scale": spec.scale, "weights_origin": weights_origin,
            "tool_versions": tool_versions(), "logits_std": float(logits.std()),
            "file_sha256": _file_hashes(staging)})
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except (OutputDirError, WeightsError):  # already one line naming the file
        raise
    except Exception as exc:
        if is_disk_full(exc) or folder_nearly_full(folder.parent):
            raise disk_full_error(folder.parent, folder) from None
        raise ExportError(f"exporting {spec.name} with Paddle failed: {exc}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return ExportedModel(spec.name, folder, key, weights_origin)


def load_reference_io(reference_npz):
    """(inputs N x C x H x W, Paddle's logits N x classes) from an export's reference_io.npz."""
    with np.load(reference_npz, allow_pickle=False) as data:
        return data["input"], data["logits"]
