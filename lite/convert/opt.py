"""`paddle_lite_opt`: the one place that builds its command line and runs it.

opt can exit 0 without writing anything (a corrupt `.pdmodel` gives `Unknown var type` and
status 0), so callers check its output files, never its exit status.
"""
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from lite.errors import ConversionError
from lite.models.registry import get_variant

OPT_TIMEOUT_S = 600


def tool_versions():
    return {pkg: metadata.version(pkg) for pkg in ("paddlepaddle", "paddlelite")}


def opt_program():
    beside_python = Path(sys.executable).parent / "paddle_lite_opt"
    return str(beside_python) if beside_python.exists() else "paddle_lite_opt"


def opt_command(model_file, params_file, target, variant, optimize_out, out_type="naive_buffer"):
    """The paddle_lite_opt call (pure). `optimize_out` has no `.nb`: opt appends it for naive_buffer;
    with out_type "protobuf" it is a folder that receives `model` and `params`."""
    return [opt_program(), f"--model_file={model_file}", f"--param_file={params_file}",
            f"--valid_targets={target}", f"--optimize_out_type={out_type}",
            f"--optimize_out={optimize_out}", *get_variant(variant).opt_flags]


def run_opt(command, model_name):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=OPT_TIMEOUT_S)
    except FileNotFoundError as exc:
        raise ConversionError("paddle_lite_opt is not installed; run `make setup` "
                              "(it installs paddlelite==2.13rc0 into .venv)") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConversionError(f"paddle_lite_opt took over {OPT_TIMEOUT_S} s on {model_name}") from exc
