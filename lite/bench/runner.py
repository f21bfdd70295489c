"""The Runner protocol: what the sweep engine needs of whatever runs a cell (host or device)."""
from typing import Protocol, runtime_checkable


@runtime_checkable
class Runner(Protocol):
    name: str

    def temperatures(self) -> dict:
        """{thermal zone: degrees Celsius} now; empty where none is readable."""

    def cpu_counters(self) -> dict:
        """machine.parse_cpu_counters of the machine now (/proc/stat, /proc/loadavg, the CPUs' current
        frequencies); None if unreadable."""

    def run_cell(self, cell, first_round=True) -> dict:
        """Measure one cell in a fresh process; the benchmark program's dict, or CellFailed / DeviceLost.
        `first_round`: the cell's first round in this attempt (the host checks the logits then only)."""
