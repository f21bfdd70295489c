"""Where every file of a model lives: the one answer to "where is this model's file".

Layout under the store's root (`models/` by default):
  paddle/<Name>/inference.pdmodel, inference.pdiparams, reference_io.npz, export.json   (the export)
  <target>/<Name>[_<variant>].nb and .json beside it                                   (converted)
  onnx/<Name>.onnx and .json beside it                                                  (Paddle2ONNX)
"""
from dataclasses import dataclass
from pathlib import Path

from lite.models.engines import MODEL_KIND

DEFAULT_ROOT = "models"
PADDLE_DIR = "paddle"
MODEL_FILE = "inference.pdmodel"
PARAMS_FILE = "inference.pdiparams"
REFERENCE_IO_FILE = "reference_io.npz"
EXPORT_MANIFEST_FILE = "export.json"


SUFFIXES = {"onnx": ".onnx"}  # a target's file suffix; Paddle Lite's targets write .nb


def suffix_of(target):
    return SUFFIXES.get(target, ".nb")


def nb_stem(name, variant):
    return name if variant == "fp32" else f"{name}_{variant}"


def manifest_of(nb_file):
    """The manifest written beside a `.nb`."""
    return Path(nb_file).with_suffix(".json")


@dataclass(frozen=True)
class ModelStore:
    root: Path = Path(DEFAULT_ROOT)

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root))

    def export_dir(self, name):
        return self.root / PADDLE_DIR / name

    def paddle_files(self, name):
        """(.pdmodel, .pdiparams) of the export."""
        return self.export_dir(name) / MODEL_FILE, self.export_dir(name) / PARAMS_FILE

    def reference_io(self, name):
        return self.export_dir(name) / REFERENCE_IO_FILE

    def export_manifest(self, name):
        return self.export_dir(name) / EXPORT_MANIFEST_FILE

    def target_dir(self, target):
        return self.root / target

    def nb_file(self, target, name, variant):
        """The converted file of a target: `.nb` for Paddle Lite's, `.onnx` for onnx."""
        return self.target_dir(target) / f"{nb_stem(name, variant)}{suffix_of(target)}"

    def nb_manifest(self, target, name, variant):
        return manifest_of(self.nb_file(target, name, variant))

    def engine_file(self, engine, name):
        """The FP32 file an engine runs (lite.models.engines): a `.nb`, the export's `.pdiparams`, or an `.onnx`."""
        kind = MODEL_KIND[engine]
        return self.paddle_files(name)[1] if kind == "paddle" else self.nb_file(kind, name, "fp32")

    def remake_command(self, name, target=None, variant=None, force=False):
        """The opt_models.py command that (re)makes a model's files, for error messages."""
        command = f"python lite/opt_models.py --models {name}"
        if target:
            command += f" --targets {target}"
        if variant and variant != "fp32":
            command += f" --variants {variant}"
        if force:
            command += " --force"
        if str(self.root) != DEFAULT_ROOT:
            command += f" --models-dir {self.root}"
        return command
