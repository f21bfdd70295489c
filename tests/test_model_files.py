"""Each model file is read once per sweep: the plan builds its ModelFile (path, sha256, size, manifest), and the
push, the engine and the size table take it from the cell."""
import pytest
from helpers import nb_bytes
from scripted_device_double import ScriptedDeviceDouble

import lite.util.files
from lite.devices.local import LocalDevice
from lite.jobs import device_sweep
from lite.jobs.options import DeviceOptions, SweepOptions
from lite.models.store import ModelStore, manifest_of
from lite.util.files import atomic_write_json

MODELS = ("MobileNetV1_x0_25", "MobileNetV1")


class LocalScriptedRunner(ScriptedDeviceDouble):
    """The scripted double, with the three things a device runner tells the push (nothing to push of its own)."""

    def files(self):
        return {}

    def executables(self):
        return ()

    def remote_model(self, cell):
        return f"{self.workdir}/models/{cell.nb_path.name}"


def make_store(root):
    store = ModelStore(root)
    for name in MODELS:
        path = store.nb_file("arm", name, "fp32")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(nb_bytes(records=(b"w" * 64,)))
        atomic_write_json(manifest_of(path), {
            "model": name, "variant": "fp32", "target": "arm", "storage_bytes": path.stat().st_size,
            "weights_origin": "synthetic", "tool_versions": {"paddlepaddle": "2.6.2", "paddlelite": "2.13rc0"},
            "opt_version": "v2.13-rc", "nb_sha256": lite.util.files.sha256_file(path)})
    return store


@pytest.fixture
def hash_spy(monkeypatch):
    """Counts sha256_file calls on .nb files, wherever a module bound the function."""
    import sys
    original, calls = lite.util.files.sha256_file, []

    def spy(path, *args, **kwargs):
        if str(path).endswith(".nb"):
            calls.append(str(path))
        return original(path, *args, **kwargs)
    for module in [m for name, m in sys.modules.items() if name.startswith("lite")]:
        if getattr(module, "sha256_file", None) is original:
            monkeypatch.setattr(module, "sha256_file", spy)
    return calls


@pytest.mark.parametrize("threads,rounds", [((1,), 1), ((1, 2, 4), 3)])
def test_each_model_file_is_hashed_once_per_sweep_whatever_the_threads_and_rounds(tmp_path, monkeypatch, hash_spy,
                                                                                   threads, rounds):
    store = make_store(tmp_path / "models")
    hash_spy.clear()  # the fixture files' own manifests were hashed while making them
    runner = LocalScriptedRunner()
    monkeypatch.setattr(device_sweep, "make_runner", lambda on_device, timeout_s, device, machine, workdir:
                        setattr(runner, "workdir", workdir) or runner)
    sweep = SweepOptions(threads=threads, models=MODELS, models_dir=store.root, results_root=tmp_path / "results",
                         power_mode="high", warmup=1, repeats=3, rounds=rounds, max_retries=0)
    with LocalDevice(tmp_path / "device") as device:
        outcome = device_sweep.sweep_one_device(device, sweep, DeviceOptions(name="local", model_target="arm"),
                                                say=lambda *_: None)
    assert len(runner.calls) == len(MODELS) * len(threads) * rounds  # every cell and round ran
    assert sorted(hash_spy) == sorted(str(store.nb_file("arm", name, "fp32")) for name in MODELS)
    pushed = tmp_path / "device" / "models"
    assert sorted(p.name for p in pushed.iterdir()) == sorted(f"{name}.nb" for name in MODELS)
    sizes = (outcome.result_dir / "models.csv").read_text()
    assert all(f"\n{name},fp32,arm" in sizes for name in MODELS)  # the size table from the plan's manifests
