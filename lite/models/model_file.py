"""One converted model file, read once when a plan is made: its path, sha256, size and the manifest that
opt_models.py wrote beside it. The push, the sweep and the tables all take it from here."""
from dataclasses import dataclass
from pathlib import Path

from lite.models.store import manifest_of
from lite.util.files import read_json, sha256_file


def calibration_text(facts):
    """'synthetic: 32 images, abs_max, channel_wise_abs_max weights' from a manifest's calibration (pure)."""
    skipped = f", {len(facts['skip_layers'])} layer(s) kept FP32" if facts.get("skip_layers") else ""
    return f"{facts['origin']}, {facts['algo']}, {facts['weight_quant']} weights{skipped}"


@dataclass(frozen=True)
class ModelFile:
    path: Path
    sha256: str
    size_bytes: int
    manifest: dict = None  # opt_models.py's manifest beside the file; None when there is none

    @property
    def weights_origin(self):
        return (self.manifest or {}).get("weights_origin")

    @property
    def calibration(self):
        """What an int8_full model was calibrated on, in words ('' for every other variant)."""
        facts = (self.manifest or {}).get("calibration")
        return calibration_text(facts) if facts else ""

    def result_info(self):
        """The `model_file` object of a result file: the tables match accuracy rows by model, variant and
        weights origin."""
        info = {"file": self.path.name, "sha256": self.sha256, "storage_bytes": self.size_bytes,
                "weights_origin": self.weights_origin}
        if self.calibration:
            info["calibration"] = self.calibration
        return info


def read_model_file(path):
    """The ModelFile of `path`: the one place a model file is hashed for a sweep."""
    path = Path(path)
    return ModelFile(path, sha256_file(path), path.stat().st_size, read_json(manifest_of(path)))
