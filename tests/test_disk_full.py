"""A full filesystem under --results or --out: one line naming the folder, exit 2, and every file that
was there before left whole (the atomic writes); never a traceback or the "some cells failed" status."""
import shutil

import pytest
from helpers import REPO, fill, run_cli


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file() and "filler" not in p.name}


def test_report_on_a_full_disk_is_one_line_and_keeps_the_old_tables(small_filesystem):
    folder = small_filesystem("4m") / "host"
    shutil.copytree(REPO / "results" / "host", folder)
    (folder / "latency.md").write_text("old table\n")
    before = snapshot(folder)
    fill(folder)
    done = run_cli("bench_scripts/report.py", folder)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"the folder {folder} is full (No space left on device)" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(folder) == before


@pytest.mark.parametrize("size", ["3m", "4500k"], ids=["during-export", "during-opt"])
def test_conversion_on_a_full_disk_names_the_destination_and_says_full(small_filesystem, tmp_path, size):
    models = small_filesystem(size)
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_25", "--targets", "arm", "--models-dir", models,
                   "--results", tmp_path / "results")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert "is full (No space left on device)" in lines[-1] and "Traceback" not in done.stderr, done.stderr
    assert str(models) in lines[-1] and ".tmp" not in lines[-1] and "truncated" not in lines[-1]
    assert not list(models.rglob("*.nb"))
