"""What a benchmark ran on: CPU, cores, frequencies, governor, temperatures, OS.

Parsers are pure and take file text; `collect` takes two readers (`read_text(path) -> str|None`,
`list_dir(path) -> list[str]`) so that the same code describes this host or a phone over adb.
"""
import os
import platform
import re
from datetime import datetime, timezone

from lite.devices.machine_facts import MachineFacts


def parse_cpuinfo_model(text):
    """CPU model from /proc/cpuinfo: x86 `model name`, ARM `Hardware`, else `CPU part` codes."""
    if not text:
        return None
    for key in ("model name", "Hardware", "Processor"):
        match = re.search(rf"^{key}\s*:\s*(.+)$", text, re.MULTILINE)
        if match:
            return match.group(1).strip()
    parts = sorted(set(re.findall(r"^CPU part\s*:\s*(\S+)$", text, re.MULTILINE)))
    return f"ARM CPU parts {','.join(parts)}" if parts else None


def parse_cpu_features(text):
    """The feature flags /proc/cpuinfo lists (ARM `Features`, x86 `flags`), as a sorted list (pure)."""
    features = set()
    for match in re.finditer(r"^(?:Features|flags)\s*:\s*(.*)$", text or "", re.MULTILINE):
        features.update(match.group(1).split())
    return sorted(features)


CPU_COUNTER_FILES = ("/proc/stat", "/proc/loadavg")
CUR_FREQ_FILES = "/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_cur_freq"  # a shell pattern
CLOCK_TICKS_PER_S = 100  # USER_HZ: /proc/stat counts in 1/100 s on Linux and Android alike


def parse_cur_freqs(files):
    """{cpu number (str): kHz} from {path: text} of `scaling_cur_freq` files (pure)."""
    freqs = {}
    for path, text in files.items():
        match = re.search(r"/cpu(\d+)/cpufreq/scaling_cur_freq$", path)
        value = _int_or_none(text)
        if match and value:
            freqs[match.group(1)] = value
    return freqs


def parse_cpuinfo_mhz(text):
    """{cpu number (str): kHz} from x86 /proc/cpuinfo's `cpu MHz` lines, where there is no cpufreq (pure)."""
    freqs, cpu = {}, None
    for line in (text or "").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "processor":
            cpu = value.strip()
        elif key.strip() == "cpu MHz" and cpu is not None:
            try:
                freqs[cpu] = round(float(value) * 1000)
            except ValueError:
                pass
    return freqs


def parse_cpu_counters(stat_text, loadavg_text, freqs_khz=None):
    """{busy, iowait, steal, total} ticks of all CPUs from /proc/stat's `cpu` line, the 1-minute load
    average and each CPU's current frequency when given, or None when unreadable (pure)."""
    match = re.search(r"^cpu\s+(.*)$", stat_text or "", re.MULTILINE)
    if not match:
        return None
    fields = [int(v) for v in match.group(1).split()[:8]] + [0] * 8
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    load = (loadavg_text or "").split()
    return {"busy": user + nice + system + irq + softirq, "iowait": iowait, "steal": steal,
            "total": sum(fields[:8]), "loadavg_1m": float(load[0]) if load else None,
            "freq_khz": dict(freqs_khz or {})}


def interference(before, after, wall_s, own_cpu_s=None, cpus_used=()):
    """What else used the CPUs while a cell ran (pure): CPU-seconds per second of wall time, so 1.0 is a
    whole core. `other_cores` is the machine's busy time less the benchmark process's own CPU time.
    `cpu_freq_khz` holds the frequency of each CPU the benchmark used (all, when unknown) before and after."""
    if not before or not after or wall_s <= 0:
        return {}
    per_s = lambda key: (after[key] - before[key]) / CLOCK_TICKS_PER_S / wall_s  # noqa: E731
    busy = per_s("busy")
    found = {"wall_s": round(wall_s, 3), "machine_busy_cores": round(busy, 3), "iowait_cores": round(per_s("iowait"),
                                                                                                     3),
             "steal_cores": round(per_s("steal"), 3), "loadavg_1m_before": before["loadavg_1m"],
             "loadavg_1m_after": after["loadavg_1m"]}
    if own_cpu_s is not None:
        found["own_cores"] = round(own_cpu_s / wall_s, 3)
        found["other_cores"] = round(max(0.0, busy - own_cpu_s / wall_s), 3)
    wanted = {str(cpu) for cpu in cpus_used}
    pick = lambda freqs: {cpu: khz for cpu, khz in (freqs or {}).items() if not wanted or cpu in wanted}  # noqa: E731
    if before.get("freq_khz") or after.get("freq_khz"):
        found["cpu_freq_khz"] = {"before": pick(before.get("freq_khz")), "after": pick(after.get("freq_khz"))}
    return found


def parse_cpu_list(text):
    """'0-3,6' -> [0, 1, 2, 3, 6] (the kernel's cpulist format)."""
    cpus = []
    for part in (text or "").strip().split(","):
        if "-" in part:
            low, high = part.split("-")
            cpus.extend(range(int(low), int(high) + 1))
        elif part:
            cpus.append(int(part))
    return cpus


def _int_or_none(text):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def parse_cpu_parts(text):
    """{cpu: (implementer, part)} from an ARM /proc/cpuinfo's `CPU implementer` and `CPU part` lines, per
    `processor` block, as the kernel writes them ('0x41', '0xd0b'); {} for x86 (pure)."""
    parts, cpu, implementer = {}, None, None
    for line in (text or "").splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "processor" and value.isdigit():
            cpu, implementer = int(value), None
        elif key == "CPU implementer":
            implementer = value.lower()[:10]
        elif key == "CPU part" and cpu is not None and implementer:
            parts[cpu] = (implementer, value.lower()[:10])
    return parts


def read_cpu_topology(read_text):
    """Per CPU: max frequency in kHz, governor, and the core's implementer and part, when readable."""
    cpus = parse_cpu_list(read_text("/sys/devices/system/cpu/possible")) or list(range(os.cpu_count() or 1))
    parts = parse_cpu_parts(read_text("/proc/cpuinfo"))
    topology = []
    for cpu in cpus:
        base = f"/sys/devices/system/cpu/cpu{cpu}/cpufreq"
        governor = read_text(f"{base}/scaling_governor")
        implementer, part = parts.get(cpu, (None, None))
        topology.append({"cpu": cpu, "max_freq_khz": _int_or_none(read_text(f"{base}/cpuinfo_max_freq")),
                         "governor": governor.strip() if governor else None, "implementer": implementer,
                         "part": part})
    return topology


def read_temperatures(read_text, list_dir):
    """{zone type (or name): degrees Celsius} for every readable thermal zone."""
    temperatures = {}
    for zone in sorted(z for z in list_dir("/sys/class/thermal") if z.startswith("thermal_zone")):
        raw = _int_or_none(read_text(f"/sys/class/thermal/{zone}/temp"))
        if raw is None:
            continue
        kind = (read_text(f"/sys/class/thermal/{zone}/type") or zone).strip()
        # Most kernels report millidegrees; a few report degrees.
        temperatures[f"{zone}:{kind}"] = raw / 1000 if abs(raw) > 200 else float(raw)
    return temperatures


def hottest(temperatures):
    return max(temperatures.values()) if temperatures else None


def collect(read_text, list_dir, extra=None):
    info = {
        "cpu_model": parse_cpuinfo_model(read_text("/proc/cpuinfo")),
        "cpu_features": parse_cpu_features(read_text("/proc/cpuinfo")),
        "cpus": read_cpu_topology(read_text),
        "collected_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    info["core_count"] = len(info["cpus"])
    info.update(extra or {})
    return info


def local_read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def local_list_dir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


def local_cur_freqs():
    """{cpu: kHz} of this host: cpufreq where the kernel has it, else /proc/cpuinfo's `cpu MHz` (x86 VMs)."""
    import glob
    freqs = parse_cur_freqs({path: local_read_text(path) for path in glob.glob(CUR_FREQ_FILES)})
    return freqs or parse_cpuinfo_mhz(local_read_text("/proc/cpuinfo"))


def read_host_facts():
    """This host's MachineFacts (the host runner adds the tool versions)."""
    uname = platform.uname()
    return MachineFacts.from_dict(collect(local_read_text, local_list_dir, {
        "device": "host", "kind": "host", "os": f"{uname.system} {uname.release}",
        "machine": uname.machine, "abi": uname.machine, "soc": None,
        "cpus_allowed": sorted(os.sched_getaffinity(0)),
    }))
