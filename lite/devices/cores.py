"""Which core a CPU is, and how many FLOPs per second it can do at most (the table is data:
core_peaks.json, each row with its source; a core not in it has no peak, never a guessed one)."""
import functools
import json
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("core_peaks.json")


@dataclass(frozen=True)
class CoreSpec:
    implementer: str
    part: str
    name: str
    fp32_flops_per_cycle: int
    fp16_flops_per_cycle: int
    source: str


@functools.lru_cache(maxsize=None)
def core_table(path=TABLE):
    """{(implementer, part): CoreSpec}, read once."""
    rows = json.loads(Path(path).read_text())["cores"]
    return {(row["implementer"], row["part"]): CoreSpec(**row) for row in rows}


def core_of(cpu):
    """The CoreSpec of a CpuFacts, or None when its core is not in the table (or cpuinfo did not say)."""
    return core_table().get((cpu.implementer, cpu.part)) if cpu.implementer and cpu.part else None


def peak_gflops(machine, cpu_ids, arithmetic="fp32"):
    """The summed peak GFLOP/s of the CPUs `cpu_ids` of a MachineFacts (FLOPs per cycle x max frequency), or
    None when any of them has an unknown core or frequency, or when there are none (pure)."""
    by_id = {cpu.cpu: cpu for cpu in machine.cpus}
    total = 0.0
    for cpu_id in cpu_ids:
        cpu = by_id.get(cpu_id)
        spec = core_of(cpu) if cpu else None
        if spec is None or not cpu.max_freq_khz or arithmetic not in ("fp32", "fp16"):
            return None
        flops = spec.fp16_flops_per_cycle if arithmetic == "fp16" else spec.fp32_flops_per_cycle
        total += flops * cpu.max_freq_khz * 1e3 / 1e9
    return total if cpu_ids else None
