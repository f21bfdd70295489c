"""The one registry of the MobileNetV1 family: models, variants and targets, data not code.

The data lives in family.json (published rows in reference/*.csv) and is read on first use, never
at import. Every tool asks here: which models exist, which share an architecture, which variants
exist with which opt flags, display order, Paddle Lite library and CPU features.
"""
import csv
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from lite.errors import ToolkitError, UnknownModelError

PACKAGE_DIR = Path(__file__).resolve().parent
REGISTRY_FILE = PACKAGE_DIR / "family.json"
REFERENCE_DIR = PACKAGE_DIR / "reference"


@dataclass(frozen=True)
class Preprocess:
    resize_short: int
    crop_size: int
    channel_order: str
    scale: float
    mean: tuple
    std: tuple
    layout: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    scale: float
    architecture: str  # models with the same architecture differ only in their weights
    synthetic_seed: int
    pretrained_file: str
    pretrained_url: str
    input_shape: tuple
    class_num: int
    preprocess: Preprocess
    published: dict = field(default_factory=dict, compare=False)

    def published_sd855_ms(self, threads, variant="fp32"):
        """The published Snapdragon 855 latency at `threads` (batch 1), or None where there is none: PaddleClas's
        FP32 table, except for int8_full, whose figure is Paddle Lite's own int8 benchmark (v2.9, armv8)."""
        if variant == "int8_full":
            return self.published.get(f"lite_int8_sd855_ms_threads{threads}")
        return self.published.get(f"sd855_ms_bs1_threads{threads}")


@dataclass(frozen=True)
class VariantSpec:
    name: str
    order: int  # display order in every table
    opt_flags: tuple
    library: str  # which Paddle Lite build runs it: "fp32" (any) or "fp16" (built with FP16 kernels)
    cpu_features: tuple  # /proc/cpuinfo flags an ARM core needs for it
    about: str
    unsupported_targets: dict = field(default_factory=dict, compare=False)
    post_training: bool = False  # made by post-training quantization of the export before opt (int8_full)

    def unsupported_reason(self, target):
        return self.unsupported_targets.get(target)


@dataclass(frozen=True)
class Family:
    models: tuple
    variants: tuple
    targets: tuple  # arm, x86 (Paddle Lite .nb) and onnx (Paddle2ONNX, for ONNX Runtime)
    default_targets: tuple = ("arm", "x86")

    @property
    def model_names(self):
        return tuple(spec.name for spec in self.models)

    @property
    def variant_names(self):
        return tuple(variant.name for variant in self.variants)

    def model(self, name):
        for spec in self.models:
            if spec.name == name:
                return spec
        raise UnknownModelError(f"unknown model '{name}'; valid names: {', '.join(self.model_names)}")

    def variant(self, name):
        for variant in self.variants:
            if variant.name == name:
                return variant
        raise ToolkitError(f"unknown variant '{name}'; valid: {', '.join(self.variant_names)}")

    def select(self, names):
        """Specs for the given names in registry order; all of them for None or empty."""
        if not names:
            return self.models
        wanted = {self.model(n).name for n in names}
        return tuple(spec for spec in self.models if spec.name in wanted)

    def same_architecture(self):
        """{architecture: (model names)} for architectures that more than one model shares."""
        groups = {}
        for spec in self.models:
            groups.setdefault(spec.architecture, []).append(spec.name)
        return {arch: tuple(names) for arch, names in groups.items() if len(names) > 1}

    def sort_key(self, model, variant):
        """(variant order, model order) for tables; unknown names sort last."""
        variants, models = self.variant_names, self.model_names
        return (variants.index(variant) if variant in variants else len(variants),
                models.index(model) if model in models else len(models))


LITE_INT8_TABLE = "paddle_lite_v2.9_sd855_mobilenet_v1.csv"


def _published_rows(reference_dir):
    """Published figures per model: floats, None where the table leaves a cell empty."""
    merged = {}
    for path in sorted(Path(reference_dir).glob("paddleclas_mobilenetv1_*.csv")):
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                values = merged.setdefault(row["model"], {})
                values.update({k: float(v) if v else None for k, v in row.items() if k != "model"})
    lite_table = Path(reference_dir) / LITE_INT8_TABLE
    if lite_table.is_file():  # Paddle Lite's own benchmark page: MobileNetV1 only
        with open(lite_table, newline="") as f:
            for row in csv.DictReader(f):
                if row["precision"] == "int8" and row["abi"] == "armv8":
                    merged.setdefault("MobileNetV1", {})[f"lite_int8_sd855_ms_threads{row['threads']}"] = \
                        float(row["latency_ms"])
    return merged


def parse_family(data, published):
    """A Family from family.json's data and the published rows (pure)."""
    pre = data["preprocess"]
    preprocess = Preprocess(pre["resize_short"], pre["crop_size"], pre["channel_order"], pre["scale"],
                            tuple(pre["mean"]), tuple(pre["std"]), pre["layout"])
    models = tuple(
        ModelSpec(name=m["name"], scale=m["scale"], architecture=m["architecture"],
                  synthetic_seed=m["synthetic_seed"], pretrained_file=m["pretrained_file"],
                  pretrained_url=data["pretrained_url_base"] + m["pretrained_file"],
                  input_shape=tuple(data["input_shape"]), class_num=data["class_num"],
                  preprocess=preprocess, published=published.get(m["name"], {}))
        for m in data["models"])
    variants = tuple(
        VariantSpec(name=v["name"], order=i, opt_flags=tuple(v["opt_flags"]), library=v["library"],
                    cpu_features=tuple(v["cpu_features"]), about=v["about"],
                    unsupported_targets=dict(v["unsupported_targets"]), post_training=v.get("post_training", False))
        for i, v in enumerate(data["variants"]))
    return Family(models, variants, tuple(data["targets"]), tuple(data.get("default_targets", data["targets"])))


@functools.lru_cache(maxsize=None)
def family(path=REGISTRY_FILE, reference_dir=REFERENCE_DIR):
    """The registry, read once on first use."""
    return parse_family(json.loads(Path(path).read_text()), _published_rows(reference_dir))


def get_model(name):
    return family().model(name)


def get_variant(name):
    return family().variant(name)


def select_models(names):
    return family().select(names)


def model_names():
    return family().model_names


def variant_names():
    return family().variant_names


def target_names():
    return family().targets


def default_target_names():
    return family().default_targets
