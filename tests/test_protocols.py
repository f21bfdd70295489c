"""The Runner and Device protocols: every implementation has the verbs the engine calls."""
from lite.bench.device_runners import BenchmarkBinRunner, CxxRunner, PythonRunner
from lite.bench.host_runner import HostRunner
from lite.bench.runner import Runner
from lite.devices.base import Device, DeviceProtocol
from lite.devices.local import LocalDevice


class ClosingDevice(Device):
    closed = False

    def close(self):
        self.closed = True


def test_runners_satisfy_the_runner_protocol(tmp_path):
    device = LocalDevice(tmp_path)
    runners = [HostRunner(), PythonRunner(device, str(tmp_path), {"device": "x"}, 10),
               CxxRunner(device, str(tmp_path), {"device": "x"}, 10, tmp_path),
               BenchmarkBinRunner(device, str(tmp_path), {"device": "x"}, 10, tmp_path / "benchmark_bin")]
    assert all(isinstance(runner, Runner) for runner in runners)
    assert runners[1].describe() == {"device": "x"}  # the description comes from the runner, unchanged


def test_every_device_has_install_and_closes_on_leaving_a_with_block(tmp_path):
    assert isinstance(LocalDevice(tmp_path), DeviceProtocol)
    with ClosingDevice() as device:
        assert not device.closed
    assert device.closed

