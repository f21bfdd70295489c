"""ScriptedDeviceDouble: a test double for a device, for the sweep engine's own logic.

It stands in for a phone or host only where the engine's decisions are under test (resume,
failures, a lost device, cooling); it runs nothing and its latencies are scripted.
"""
from lite.bench.cells import cell_id
from lite.errors import CellFailed, DeviceLost


class ScriptedDeviceDouble:
    name = "scripted-device-double"

    def __init__(self, latency_ms=10.0, fail=(), lose_at=None, temperatures=None):
        self.latency_ms = latency_ms
        self.fail = dict(fail)  # cell id -> error message
        self.lose_at = lose_at  # lose the device on this call number (1-based)
        self.temperature_script = list(temperatures or [])
        self.calls = []

    def describe(self):
        return {"device": "double", "cpu_model": "scripted", "core_count": 8, "cpus": [], "soc": None}

    def temperatures(self):
        if self.temperature_script:
            value = self.temperature_script.pop(0) if len(self.temperature_script) > 1 else self.temperature_script[0]
            return {"thermal_zone0:cpu": value}
        return {}

    def cpu_counters(self):
        return None  # the engine then records no interference

    def run_cell(self, cell):
        self.calls.append(cell)
        if self.lose_at is not None and len(self.calls) == self.lose_at:
            raise DeviceLost("device double went away")
        key = cell_id(cell)
        if key in self.fail:
            raise CellFailed(self.fail[key])
        samples = [self.latency_ms / cell.threads + 0.01 * i for i in range(cell.repeats)]
        return {"threads": cell.threads, "warmup": cell.warmup, "repeats": cell.repeats, "init_ms": 1.0,
                "first_run_ms": 2.0, "samples_ms": samples, "cpus_used": list(range(cell.threads)),
                "output_shape": [1, 1000], "output_checksum": 0.5, "top5": [1, 2, 3, 4, 5],
                "median_ms": 999.0}
