"""What a benchmark ran on, as one typed record: this host or a device, read once when the job starts.

Result files keep the same JSON keys as before this record existed (`device` for the short name,
`machine` for uname's machine), so every file written earlier reads back unchanged; keys a newer writer
added are kept in `other` and written again as they were."""
from dataclasses import asdict, dataclass, field, fields, replace


@dataclass(frozen=True)
class CpuFacts:
    cpu: int
    max_freq_khz: int = None
    governor: str = None
    implementer: str = None  # /proc/cpuinfo's `CPU implementer` ('0x41' Arm, '0x51' Qualcomm)
    part: str = None  # its `CPU part` ('0xd0b' Cortex-A76, '0x804' Kryo 485 Gold)


# record field -> its key in the result files, where the two differ
FILE_KEYS = {"short_name": "device", "uname_machine": "machine"}


@dataclass(frozen=True)
class MachineFacts:
    short_name: str = None  # folder-safe: sd855, host, emulated-<soc>, a SoC or model name
    kind: str = None  # host, android or linux
    abi: str = None  # arm64-v8a, armeabi-v7a, x86_64 (uname's machine on this host)
    os: str = None
    cpu_model: str = None
    cpu_features: tuple = ()  # /proc/cpuinfo flags
    cpus: tuple = ()  # CpuFacts per possible CPU
    core_count: int = 0
    collected_at: str = None
    model_name: str = None  # manufacturer and model, from the device's properties
    soc: str = None
    board_platform: str = None
    soc_model: str = None
    transport: str = None  # how the device was reached (its Device.description)
    properties: dict = field(default_factory=dict)  # the getprop values read, cleaned
    emulated: bool = False  # ro.kernel.qemu=1: never a phone's figures
    uname_machine: str = None
    cpus_allowed: tuple = ()  # this host's CPU affinity
    shell_cpuset: str = None  # the cpuset group of the device's shell (/proc/self/cpuset: /, /foreground ...)
    shell_cpuset_cpus: tuple = ()  # its CPUs (/dev/cpuset<group>/cpus); () when unreadable
    tool_versions: dict = field(default_factory=dict)
    other: dict = field(default_factory=dict)  # keys this version does not know, kept as they were

    @classmethod
    def from_dict(cls, data):
        """The record of a result file's `machine` object (any version; missing keys are None)."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)} - {"other"}
        values = {}
        for name in known:
            key = FILE_KEYS.get(name, name)
            if key in data:
                values[name] = data.pop(key)
        values["cpus"] = tuple(cpu if isinstance(cpu, CpuFacts) else CpuFacts(**{k: cpu.get(k) for k in
                                                                                ("cpu", "max_freq_khz", "governor",
                                                                                 "implementer", "part")})
                               for cpu in values.get("cpus") or () if isinstance(cpu, (dict, CpuFacts)))
        values["cpu_features"] = tuple(values.get("cpu_features") or ())
        values["cpus_allowed"] = tuple(values.get("cpus_allowed") or ())
        values["shell_cpuset_cpus"] = tuple(values.get("shell_cpuset_cpus") or ())
        values["emulated"] = bool(values.get("emulated"))
        values["core_count"] = values.get("core_count") or len(values["cpus"])
        values["properties"] = dict(values.get("properties") or {})
        values["tool_versions"] = dict(values.get("tool_versions") or {})
        return cls(**values, other=data)

    def as_dict(self):
        """The `machine` object of a result file."""
        data = {FILE_KEYS.get(f.name, f.name): getattr(self, f.name) for f in fields(self) if f.name != "other"}
        data["cpus"] = [asdict(cpu) for cpu in self.cpus]
        data["cpu_features"], data["cpus_allowed"] = list(self.cpu_features), list(self.cpus_allowed)
        data["shell_cpuset_cpus"] = list(self.shell_cpuset_cpus)
        return {**self.other, **data}

    def with_(self, **changes):
        return replace(self, **changes)

    @property
    def max_freq_khz(self):
        return max((cpu.max_freq_khz for cpu in self.cpus if cpu.max_freq_khz), default=None)


def as_facts(machine):
    """A MachineFacts from a record or a result file's dict (tests and old callers write dicts)."""
    return machine if isinstance(machine, MachineFacts) else MachineFacts.from_dict(machine)


def summary_line(machine):
    """One line a person reads: 'Intel Xeon ..., 2 cores, up to 2.9 GHz, Linux 6.1' (pure)."""
    parts = [machine.model_name or machine.cpu_model or "unknown CPU"]
    if machine.emulated:
        parts.insert(0, "EMULATED (not a phone; no figure from it is a device's)")
    if machine.soc:
        parts.append(f"SoC {machine.soc}")
    parts.append(f"{machine.core_count or '?'} cores")
    if machine.max_freq_khz:
        parts.append(f"up to {machine.max_freq_khz / 1e6:.2f} GHz")
    if machine.os:
        parts.append(machine.os)
    return ", ".join(parts)
