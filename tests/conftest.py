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


@pytest.fixture(scope="session")
def cxx_builds(tmp_path_factory):
    """cxx_demo built for the host and for armlinux-aarch64 against the light-API test double."""
    from cxx_builds import build_target, tools_present
    assert tools_present(), "cmake, g++, g++-aarch64-linux-gnu and qemu-user are needed: run make setup"
    root = tmp_path_factory.mktemp("cxx")
    return {target: build_target(target, root) for target in ("host", "armlinux-aarch64")}
