"""The main job ends well when it did its job: cells that stay unstable are a warning block and exit 0, while
run_host.py alone exits 4 for its callers. Driven in-process with a runner double (the host's runtime is not
what is under test here: the exit status and the block are)."""
import pytest
from helpers import nb_bytes
from scripted_device_double import ScriptedDeviceDouble

from lite.bench.stability import Limits
from lite.cli import host_bench, main_job
from lite.jobs import host_sweep
from lite.models.store import ModelStore

MODEL = "MobileNetV1_x0_25"


class DriftingHostDouble(ScriptedDeviceDouble):
    """Stands in for the host runner: every round is 40% slower than the one before, so no cell is stable."""

    def __init__(self, cell_timeout_s=None):
        super().__init__(latency_ms=lambda cell, call: 10.0 * 1.4 ** call)

    def close(self):
        pass


@pytest.fixture
def unstable_host(tmp_path, monkeypatch):
    store = ModelStore(tmp_path / "models")
    path = store.nb_file("x86", MODEL, "fp32")
    path.parent.mkdir(parents=True)
    path.write_bytes(nb_bytes())
    store.reference_io(MODEL).parent.mkdir(parents=True, exist_ok=True)
    store.reference_io(MODEL).write_bytes(b"")  # the double never reads it
    monkeypatch.setattr(host_sweep, "HostRunner", DriftingHostDouble)
    monkeypatch.setattr(main_job, "attached_phones", lambda: [])
    return ["--models", MODEL, "--threads", "1", "--rounds", "3", "--warmup", "1", "--repeats", "3",
            "--models-dir", str(store.root), "--results", str(tmp_path / "results")]


def test_the_main_job_ends_with_the_warning_block_and_status_0(unstable_host, tmp_path, capsys):
    assert main_job.main(unstable_host) == 0
    out, err = capsys.readouterr()
    assert "| MobileNetV1_x0_25 |" in out  # the table is printed
    block = err[err.index("warning: 1 of 1 cell(s) stayed unstable"):]
    assert f"{MODEL}__fp32__t1: figure within ±" in block and "--max-rounds 10" in block and "--max-spread" in block
    assert str(tmp_path / "results" / "host" / "latency.md") in block
    assert "[1]" in (tmp_path / "results" / "host" / "latency.md").read_text()  # the table marks the cell


def test_run_host_alone_exits_4_for_the_same_cells(unstable_host, capsys):
    assert host_bench.main(unstable_host) == 4
    assert "exit status 4" in capsys.readouterr().err


def test_the_block_names_each_cell_and_what_would_make_it_stable():
    lines = main_job_block({"A__fp32__t1": ["rounds 10-20 ms apart"], "B__fp32__t2": ["CV 9%"]})
    assert lines[0].startswith("warning: 2 of 15 cell(s) stayed unstable")
    assert lines[1] == "  A__fp32__t1: rounds 10-20 ms apart" and lines[2] == "  B__fp32__t2: CV 9%"


def main_job_block(unstable):
    from lite.cli.summary import unstable_block
    return unstable_block(unstable, 15, ["r/latency.md"])


def test_default_limits_are_what_the_double_breaks():
    assert Limits().max_spread < 0.4  # the double's 40% drift per round is over the default spread limit
