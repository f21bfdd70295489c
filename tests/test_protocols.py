"""The Runner and Device protocols: every implementation has the verbs the engine calls."""
from lite.bench.device_runners import BenchmarkBinRunner, CxxRunner, PythonRunner
from lite.bench.host_runner import HostRunner
from lite.bench.runner import Runner
from lite.devices.base import Device, DeviceProtocol
from lite.devices.local import LocalDevice
from lite.devices.machine_facts import MachineFacts


class ClosingDevice(Device):
    closed = False

    def close(self):
        self.closed = True


def test_runners_satisfy_the_runner_protocol(tmp_path):
    device = LocalDevice(tmp_path)
    facts = MachineFacts(short_name="x")
    runners = [HostRunner(), PythonRunner(device, str(tmp_path), facts, 10),
               CxxRunner(device, str(tmp_path), facts, 10, tmp_path),
               BenchmarkBinRunner(device, str(tmp_path), facts, 10, tmp_path / "benchmark_bin")]
    assert all(isinstance(runner, Runner) for runner in runners)
    # the facts go one way, job -> engine and job -> runner: nobody asks a runner for them again
    assert not any(hasattr(runner, "describe") for runner in runners)


def test_every_device_has_install_and_closes_on_leaving_a_with_block(tmp_path):
    assert isinstance(LocalDevice(tmp_path), DeviceProtocol)
    with ClosingDevice() as device:
        assert not device.closed
    assert device.closed

