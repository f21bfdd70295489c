import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args, cwd=REPO, timeout=600):
    """Run a command-line script the way a user does, from the repo root."""
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """Every model converted for arm and x86 (fp32), plus int8 for arm, from nothing."""
    root = tmp_path_factory.mktemp("converted")
    models, results = root / "models", root / "results"
    done = run_cli("lite/opt_models.py", "--all", "--out", models, "--results", results)
    assert done.returncode == 0, done.stderr
    done_int8 = run_cli("lite/opt_models.py", "--models", "MobileNetV1", "--targets", "arm",
                        "--variants", "int8", "--out", models, "--results", results)
    assert done_int8.returncode == 0, done_int8.stderr
    return {"models": models, "results": results, "stdout": done.stdout}
