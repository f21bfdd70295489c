"""Stage 2: Paddle inference files -> Paddle Lite `.nb` for one target and variant.

`paddle_lite_opt` can exit 0 without writing anything, so its exit status is never trusted:
the `.nb` must exist, carry a `.nb` header and, on x86, load and reproduce Paddle's logits in the
real runtime. opt writes into a staging folder; only a checked file is renamed into place.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lite.errors import ConversionError, ModelFileError
from lite.export import tool_versions
from lite.files import atomic_write_json, read_json, sha256_file, sha256_text
from lite.nb_format import check_nb_file

TARGETS = ("arm", "x86")
# opt flags per variant; fp16 is computed in half precision only by ARMv8.2+ cores.
VARIANT_FLAGS = {
    "fp32": (),
    "fp16": ("--enable_fp16=true",),
    "int8": ("--quant_model=true", "--quant_type=QUANT_INT8"),
    "int16": ("--quant_model=true", "--quant_type=QUANT_INT16"),
}
VARIANTS = tuple(VARIANT_FLAGS)
_ZERO_LOGITS = ("paddlelite 2.13rc0's x86 runtime returns all-zero logits for weight-quantized "
                "models (seen here); convert it for arm")
UNSUPPORTED = {("x86", "fp16"): "FP16 kernels exist only for ARM; x86 has none",
               ("x86", "int8"): _ZERO_LOGITS, ("x86", "int16"): _ZERO_LOGITS}
OPT_TIMEOUT_S = 600
CHECK_TIMEOUT_S = 300


@dataclass(frozen=True)
class ConvertedModel:
    name: str
    target: str
    variant: str
    nb_path: Path
    manifest: dict


def nb_stem(name, variant):
    return name if variant == "fp32" else f"{name}_{variant}"


def nb_path(models_dir, target, name, variant):
    return Path(models_dir) / target / f"{nb_stem(name, variant)}.nb"


def manifest_path(nb_file):
    return Path(nb_file).with_suffix(".json")


def opt_command(model_file, params_file, target, variant, optimize_out):
    """The paddle_lite_opt call (pure). `optimize_out` has no `.nb`: opt appends it."""
    return [opt_program(), f"--model_file={model_file}", f"--param_file={params_file}",
            f"--valid_targets={target}", "--optimize_out_type=naive_buffer",
            f"--optimize_out={optimize_out}", *VARIANT_FLAGS[variant]]


def opt_program():
    beside_python = Path(sys.executable).parent / "paddle_lite_opt"
    return str(beside_python) if beside_python.exists() else "paddle_lite_opt"


def convert_key(exported, target, variant):
    return sha256_text(json.dumps({"export": exported.key, "target": target, "variant": variant,
                                   "flags": VARIANT_FLAGS[variant], "tools": tool_versions(),
                                   "convert": sha256_file(__file__)}, sort_keys=True))


def up_to_date(exported, target, variant, models_dir):
    nb_file = nb_path(models_dir, target, exported.name, variant)
    manifest = read_json(manifest_path(nb_file))
    if (manifest and manifest.get("key") == convert_key(exported, target, variant)
            and nb_file.is_file() and manifest.get("nb_sha256") == sha256_file(nb_file)):
        return ConvertedModel(exported.name, target, variant, nb_file, manifest)
    return None


def run_opt(command, model_name):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=OPT_TIMEOUT_S)
    except FileNotFoundError as exc:
        raise ConversionError("paddle_lite_opt is not installed; run `make setup` "
                              "(it installs paddlelite==2.13rc0 into .venv)") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConversionError(f"paddle_lite_opt took over {OPT_TIMEOUT_S} s on {model_name}") from exc
    return done


def host_check(nb_file, reference_npz, variant, model_name):
    """Run the x86 `.nb` in a child process and compare with Paddle; raise on any problem."""
    command = [sys.executable, "-m", "lite.host_check", str(nb_file), str(reference_npz), variant]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired as exc:
        raise ConversionError(f"{model_name}: the x86 runtime did not finish within "
                              f"{CHECK_TIMEOUT_S} s on the converted model") from exc
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ConversionError(f"{model_name}: the converted x86 model does not run in Paddle Lite: {reason}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["problem"]:
        raise ConversionError(f"{model_name} ({variant}, x86): Paddle Lite's logits do not match "
                              f"Paddle's: {result['problem']}")
    return result


def convert(exported, target, variant, models_dir):
    """Convert, check and move into place; return the ConvertedModel with its manifest."""
    final = nb_path(models_dir, target, exported.name, variant)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.stem}."))
    try:
        staged = staging / final.name
        done = run_opt(opt_command(exported.model_file, exported.params_file, target, variant,
                                   staged.with_suffix("")), exported.name)
        if not staged.is_file() or staged.stat().st_size == 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["no output"]
            raise ConversionError(f"paddle_lite_opt wrote no .nb for {exported.name} ({target}, {variant}); "
                                  f"exit status {done.returncode}, last line: {tail[0]}")
        try:
            opt_version = check_nb_file(staged, exported.name)
        except ModelFileError as exc:
            raise ConversionError(str(exc)) from exc
        check = None
        if target == "x86":
            check = host_check(staged, exported.reference_io_file, variant, exported.name)
        manifest = {
            "key": convert_key(exported, target, variant), "model": exported.name, "target": target,
            "variant": variant, "nb_file": final.name, "nb_sha256": sha256_file(staged),
            "storage_bytes": staged.stat().st_size, "opt_version": opt_version,
            "weights_origin": exported.weights_origin, "tool_versions": tool_versions(),
            "host_check": check,
        }
        os.replace(staged, final)
        atomic_write_json(manifest_path(final), manifest)
        return ConvertedModel(exported.name, target, variant, final, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
