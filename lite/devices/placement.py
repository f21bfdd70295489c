"""Which cores a cell's threads got, and when that is worth a mark in the latency table (pure).

On big.LITTLE phones the same model runs 3-4x slower on little cores, and a shell's cpuset can keep a
benchmark off the big ones (TNN #981: 37 ms from `adb shell`, 10 ms inside an app; Paddle-Lite #4478:
"4 threads slower than 1" on SD855/865). Clusters come from the cores' maximum frequencies; the facts from
the device's files and from `mnv1_bench` itself (its Cpus_allowed_list). docs/troubleshooting.md has the
remedies the marks point to.
"""
MAX_CPUS = 4096  # a kernel's CONFIG_NR_CPUS bound: a CPU list from a device is never expanded further


def parse_cpu_list(text):
    """(0, 1, 2, 3, 5) from a kernel CPU list "0-3,5" (Cpus_allowed_list, cpuset's cpus); bad parts are left out."""
    cpus = set()
    for part in str(text or "").strip().split(","):
        first, _, last = part.strip().partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            continue
        low, high = int(first), int(last or first)
        if low <= high < MAX_CPUS:
            cpus.update(range(low, high + 1))
    return tuple(sorted(cpus))


def cpu_list_text(cpus):
    """"0-3,5" from CPU numbers (pure)."""
    cpus, parts = sorted(set(cpus)), []
    for cpu in cpus:
        if parts and cpu == parts[-1][1] + 1:
            parts[-1][1] = cpu
        else:
            parts.append([cpu, cpu])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in parts)


def clusters(cpus):
    """{cpu number: "prime" | "big" | "little"} by maximum frequency: the fastest class is "prime" when it has
    at most two cores and two slower classes exist, the slowest class "little"; one class: all "big"; CPUs
    without a known frequency are left out. `cpus`: CpuFacts."""
    known = [cpu for cpu in cpus if cpu.max_freq_khz]
    levels = sorted({cpu.max_freq_khz for cpu in known}, reverse=True)
    names = {}
    for cpu in known:
        level = levels.index(cpu.max_freq_khz)
        if len(levels) == 1:
            names[cpu.cpu] = "big"
        elif level == len(levels) - 1:
            names[cpu.cpu] = "little"
        elif level == 0 and len(levels) >= 3 and sum(c.max_freq_khz == levels[0] for c in known) <= 2:
            names[cpu.cpu] = "prime"
        else:
            names[cpu.cpu] = "big"
    return names


def placement_reasons(machine, threads, cpus_used, cpus_allowed):
    """Why a cell's threads may not have had the big cores (empty when they had them, or when the device has
    one class of core): its threads ran on little cores while big ones went unused, or the CPUs the
    benchmark or its shell was allowed hold fewer big cores than it had threads (up to the big cores there are)."""
    names = clusters(machine.cpus)
    fast = {cpu for cpu, name in names.items() if name != "little"}
    if not fast or len(fast) == len(names):
        return ()
    reasons = []
    used = set(cpus_used or ())
    on_little = sorted(used - fast)
    unused_fast = sorted(fast - used)
    if on_little and unused_fast and threads <= len(fast):
        reasons.append(f"{threads} thread(s) ran on little core(s) {cpu_list_text(on_little)} while big core(s) "
                       f"{cpu_list_text(unused_fast)} went unused")
    for source, allowed in (("the benchmark's Cpus_allowed_list", cpus_allowed),
                            (f"the shell's cpuset {machine.shell_cpuset or ''}".rstrip(), machine.shell_cpuset_cpus)):
        left = fast & set(allowed or fast)
        if len(left) < min(threads, len(fast)):  # some thread cannot have a big core
            reasons.append(f"{source} ({cpu_list_text(allowed)}) leaves {len(left)} of the {len(fast)} big cores "
                           f"({cpu_list_text(fast)}) for {threads} thread(s)")
    return tuple(reasons)


def slower_with_more_threads(estimates_ms):
    """{threads: reason} for each thread count slower than a smaller one ({threads: ms} in, pure)."""
    reasons = {}
    for threads, ms in sorted(estimates_ms.items()):
        fewer = [(t, m) for t, m in estimates_ms.items() if t < threads and m < ms]
        if fewer:
            best_t, best_ms = min(fewer, key=lambda item: item[1])
            reasons[threads] = f"{threads} threads slower than {best_t} ({ms:.2f} ms against {best_ms:.2f} ms)"
    return reasons


def topology_text(machine):
    """'prime 7 (2.84 GHz), big 4-6 (2.42 GHz), little 0-3 (1.78 GHz)' or None (pure)."""
    names = clusters(machine.cpus)
    freq = {cpu.cpu: cpu.max_freq_khz for cpu in machine.cpus}
    parts = []
    for name in ("prime", "big", "little"):
        members = [cpu for cpu, kind in names.items() if kind == name]
        if members:
            ghz = sorted({freq[c] / 1e6 for c in members}, reverse=True)
            parts.append(f"{name} {cpu_list_text(members)} ({'/'.join(f'{g:.2f}' for g in ghz)} GHz)")
    return ", ".join(parts) or None
