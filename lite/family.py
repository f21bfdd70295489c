"""The one registry of the MobileNetV1 family (data in family.json, published rows in reference/)."""
import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from lite.errors import UnknownModelError

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
    synthetic_seed: int
    pretrained_file: str
    pretrained_url: str
    input_shape: tuple
    class_num: int
    preprocess: Preprocess
    published: dict = field(default_factory=dict, compare=False)


def _read_csv_rows(path):
    with open(path, newline="") as f:
        return {row["model"]: row for row in csv.DictReader(f)}


def _published_rows():
    """Published figures per model: floats, None where the table leaves a cell empty."""
    merged = {}
    for path in sorted(REFERENCE_DIR.glob("paddleclas_mobilenetv1_*.csv")):
        for model, row in _read_csv_rows(path).items():
            values = merged.setdefault(model, {})
            for key, text in row.items():
                if key != "model":
                    values[key] = float(text) if text else None
    return merged


def load_family(path=REGISTRY_FILE):
    data = json.loads(Path(path).read_text())
    published = _published_rows()
    pre = data["preprocess"]
    preprocess = Preprocess(pre["resize_short"], pre["crop_size"], pre["channel_order"], pre["scale"],
                            tuple(pre["mean"]), tuple(pre["std"]), pre["layout"])
    return tuple(
        ModelSpec(name=m["name"], scale=m["scale"], synthetic_seed=m["synthetic_seed"],
                  pretrained_file=m["pretrained_file"],
                  pretrained_url=data["pretrained_url_base"] + m["pretrained_file"],
                  input_shape=tuple(data["input_shape"]), class_num=data["class_num"],
                  preprocess=preprocess, published=published.get(m["name"], {}))
        for m in data["models"])


FAMILY = load_family()
MODEL_NAMES = tuple(spec.name for spec in FAMILY)


def get_model(name):
    for spec in FAMILY:
        if spec.name == name:
            return spec
    raise UnknownModelError(f"unknown model '{name}'; valid names: {', '.join(MODEL_NAMES)}")


def select_models(names):
    """Specs for the given names in registry order; all of them for None or empty."""
    if not names:
        return FAMILY
    wanted = [get_model(n).name for n in names]
    return tuple(spec for spec in FAMILY if spec.name in wanted)
