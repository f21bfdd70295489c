"""ScriptedDeviceDouble: a test double for a device, for the sweep engine's own logic.

It stands in for a phone or host only where the engine's decisions are under test (resume,
failures, a lost device, cooling); it runs nothing and its latencies are scripted.
"""
from lite.bench.cells import cell_id
from lite.devices.machine_facts import MachineFacts
from lite.errors import CellFailed, DeviceLost

# What the jobs would have read of the double's machine (the engine takes the facts, never asks the runner).
DOUBLE_MACHINE = MachineFacts(short_name="double", cpu_model="scripted", core_count=8)


class ScriptedDeviceDouble:
    name = "scripted-device-double"

    def __init__(self, latency_ms=10.0, fail=(), lose_at=None, temperatures=None, other_cores=None, samples=None):
        # latency_ms: a number, or f(cell, call number) -> ms, to script drift and twins that disagree.
        # samples: None, or f(cell, call number) -> the call's timed samples (bimodal noise, say); it wins.
        # other_cores: None (no CPU counters, as a device without /proc/stat), or f(cell, call number) ->
        # cores of other work while that call ran; the scripted clock advances by the samples' sum.
        self.latency_ms = latency_ms if callable(latency_ms) else (lambda cell, call: latency_ms)
        self.other_cores = other_cores
        self.now_s, self.busy_ticks = 0.0, 0
        self.fail = dict(fail)  # cell id -> error message
        self.lose_at = lose_at  # lose the device on this call number (1-based)
        self.temperature_script = list(temperatures or [])
        self.calls = []
        self.samples = samples

    def temperatures(self):
        if self.temperature_script:
            value = self.temperature_script.pop(0) if len(self.temperature_script) > 1 else self.temperature_script[0]
            return {"thermal_zone0:cpu": value}
        return {}

    def clock(self):
        return self.now_s

    def cpu_counters(self):
        if self.other_cores is None:
            return None  # the engine then records no interference
        return {"busy": self.busy_ticks, "iowait": 0, "steal": 0, "total": 0, "loadavg_1m": 0.5, "freq_khz": {}}

    def run_cell(self, cell, first_round=True):
        self.calls.append(cell)
        self.first_rounds = getattr(self, "first_rounds", []) + [first_round]
        if self.lose_at is not None and len(self.calls) == self.lose_at:
            raise DeviceLost("device double went away")
        key = cell_id(cell)
        if key in self.fail:
            raise CellFailed(self.fail[key])
        samples = (list(self.samples(cell, len(self.calls))) if self.samples else
                   [self.latency_ms(cell, len(self.calls)) / cell.threads + 0.01 * i for i in range(cell.repeats)])
        wall_s = sum(samples) / 1000
        if self.other_cores is not None:  # the benchmark's own CPU time plus the other work, in ticks
            self.busy_ticks += round(100 * wall_s * (1 + self.other_cores(cell, len(self.calls))))
        self.now_s += wall_s
        return {"threads": cell.threads, "warmup": cell.warmup, "repeats": cell.repeats, "init_ms": 1.0,
                "first_run_ms": 2.0, "samples_ms": samples, "cpus_used": list(range(cell.threads)),
                "output_shape": [1, 1000], "output_checksum": 0.5, "top5": [1, 2, 3, 4, 5],
                "cpu_time_ms": 1000 * wall_s,
                "median_ms": 999.0}
