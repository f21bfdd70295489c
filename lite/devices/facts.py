"""What a device is and has, read through its shell in as few round trips as possible.

`snapshot` reads every file the reports need in one command; the parsing is pure and shared
with this host's own description (lite.devices.machine)."""
import posixpath
import shlex

from lite.devices.machine import collect, read_temperatures
from lite.devices.machine_facts import MachineFacts
from lite.devices.placement import parse_cpu_list
from lite.errors import DeviceError
from lite.util.text import clean_tree, clean_untrusted, last_line, safe_name

SECTION = "==> "
SYS_FILES = ("/proc/cpuinfo", "/sys/devices/system/cpu/possible")
PROPS = ("ro.product.manufacturer", "ro.product.model", "ro.product.device", "ro.board.platform", "ro.soc.model",
         "ro.soc.manufacturer", "ro.product.cpu.abi", "ro.product.cpu.abilist", "ro.build.version.release",
         "ro.build.version.sdk", "ro.kernel.qemu")
ANDROID_ABIS = {"arm64-v8a": "arm", "armeabi-v7a": "arm", "x86_64": "x86", "x86": "x86"}
SD855_SOCS = ("sm8150", "msmnile")  # ro.soc.model, ro.board.platform of a Snapdragon 855
UNAME_ABIS = {"aarch64": "arm64-v8a", "armv8l": "armeabi-v7a", "armv7l": "armeabi-v7a", "x86_64": "x86_64"}


THERMAL_FILES = ("/sys/class/thermal/thermal_zone*/type", "/sys/class/thermal/thermal_zone*/temp")
CPUFREQ_FILES = ("/sys/devices/system/cpu/cpu[0-9]*/cpufreq/cpuinfo_max_freq",
                 "/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor")


def dump_command(patterns):
    """One shell command printing every readable file matching `patterns`, each after a section line."""
    return (f"for f in {' '.join(patterns)}; do "
            f"[ -r \"$f\" ] && {{ echo '{SECTION}'\"$f\"; cat \"$f\" 2>/dev/null; }}; done; true")


# The shell's cpuset (Android mounts the cpuset cgroup at /dev/cpuset; a command inherits its shell's group):
# the group from /proc/self/cpuset, then that group's CPUs, under CPUSET_SECTION.
CPUSET_SECTION = "shell-cpuset-cpus"
CPUSET_COMMAND = (f"g=$(cat /proc/self/cpuset 2>/dev/null); echo '{SECTION}/proc/self/cpuset'; echo \"$g\"; "
                  f"for f in \"/dev/cpuset$g/cpus\" \"/dev/cpuset$g/cpuset.cpus\"; do [ -r \"$f\" ] && "
                  f"{{ echo '{SECTION}{CPUSET_SECTION}'; cat \"$f\"; break; }}; done; true")


def snapshot_command():
    return dump_command(SYS_FILES + CPUFREQ_FILES + THERMAL_FILES) + "; " + CPUSET_COMMAND


def parse_snapshot(text):
    """{path: content} from the sectioned output of `dump_command` (pure)."""
    files, current = {}, None
    for line in text.splitlines(keepends=True):
        if line.startswith(SECTION):
            current = line[len(SECTION):].strip()
            files[current] = ""
        elif current is not None:
            files[current] += line
    return files


def list_dir_from(files):
    def list_dir(path):
        prefix = path.rstrip("/") + "/"
        return sorted({p[len(prefix):].split("/")[0] for p in files if p.startswith(prefix)})
    return list_dir


def read_files(device):
    return parse_snapshot(device.shell(snapshot_command(), timeout_s=60).stdout)


def temperatures(device):
    files = parse_snapshot(device.shell(dump_command(THERMAL_FILES), timeout_s=30).stdout)
    return read_temperatures(files.get, list_dir_from(files))


def properties(device):
    """The device's own word about itself: untrusted, so each value is cleaned and cut (a 3 MB property
    once made every raw file 6 MB)."""
    return {name: clean_untrusted(device.getprop(name)) for name in PROPS}


def abi_of(props, uname_machine):
    return props.get("ro.product.cpu.abi") or UNAME_ABIS.get(uname_machine, uname_machine)


def model_target_for(abi):
    """Which converted models (arm or x86) a device with this ABI runs; DeviceError for any other ABI."""
    if abi not in ANDROID_ABIS:
        raise DeviceError(f"the device's ABI is '{abi}', which Paddle Lite builds nothing for "
                          f"(known: {', '.join(ANDROID_ABIS)}); pass --model-target arm|x86 to choose yourself")
    return ANDROID_ABIS[abi]


# ELF e_machine of the programs each ABI runs (EM_AARCH64, EM_ARM, EM_X86_64, EM_386).
ABI_ELF_MACHINES = {"arm64-v8a": 183, "armeabi-v7a": 40, "x86_64": 62, "x86": 3}
ELF_MACHINE_NAMES = {183: "arm64 (aarch64)", 40: "32-bit ARM", 62: "x86-64", 3: "x86"}


def elf_machine(path):
    """The e_machine of an ELF file, or None when it is no ELF file."""
    with open(path, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    return int.from_bytes(head[18:20], "big" if head[5] == 2 else "little")


def abi_mismatch(path, abi):
    """Why the program at `path` cannot run on a device with `abi`, or None."""
    wanted, found = ABI_ELF_MACHINES.get(abi), elf_machine(path)
    if wanted is None or found == wanted:
        return None
    what = "not an ELF program" if found is None else f"built for {ELF_MACHINE_NAMES.get(found, f'machine {found}')}"
    return f"{path} is {what}, but the device's ABI is {abi}"


def is_sd855(machine):
    """A real Snapdragon 855 (MachineFacts): an emulator presenting as one is not (its figures are never
    compared)."""
    if machine.emulated:
        return False
    soc = " ".join(str(value or "") for value in (machine.soc, machine.board_platform, machine.soc_model)).lower()
    return any(name in soc for name in SD855_SOCS)


def device_name(machine):
    """A short, safe name for a device's results folder: sd855, else its SoC or model (untrusted text
    made into a plain folder name; never `.`, `..` or a path)."""
    if is_sd855(machine):
        return "sd855"
    name = safe_name(machine.soc or machine.model_name, fallback="device")
    return f"emulated-{name}" if machine.emulated else name


# The cxx_demo/build.sh target of each (kind, ABI) of device.
CXX_BUILDS = {("android", "arm64-v8a"): "android-arm64", ("android", "armeabi-v7a"): "android-armv7",
              ("linux", "arm64-v8a"): "armlinux-aarch64", ("android", "x86_64"): "host", ("linux", "x86_64"): "host"}


def cxx_build_target(machine):
    """The cxx_demo/build.sh --target whose programs run on this machine, or None when none is known."""
    return CXX_BUILDS.get((machine.kind, machine.abi))


def read_device_facts(device):
    """The device's MachineFacts, read once when a job opens it (stored in every result file)."""
    props = properties(device)
    uname = device.shell("uname -sr; uname -m", timeout_s=30).stdout.split("\n")
    files = read_files(device)
    manufacturer, model = props["ro.product.manufacturer"], props["ro.product.model"]
    machine = collect(files.get, list_dir_from(files), {
        "kind": "android" if props["ro.build.version.sdk"] else "linux",
        "model_name": " ".join(p for p in (manufacturer, model) if p) or None,
        "soc": props["ro.soc.model"] or props["ro.board.platform"] or None,
        "board_platform": props["ro.board.platform"] or None, "soc_model": props["ro.soc.model"] or None,
        "abi": abi_of(props, uname[1].strip() if len(uname) > 1 else ""),
        "os": (f"Android {props['ro.build.version.release']} (SDK {props['ro.build.version.sdk']})"
               if props["ro.build.version.sdk"] else uname[0].strip()),
        "transport": device.description, "properties": props,
        "emulated": props["ro.kernel.qemu"] == "1",  # Android's emulators (and the ADB device double) set it
        "shell_cpuset": (files.get("/proc/self/cpuset") or "").strip()[:120] or None,
        "shell_cpuset_cpus": list(parse_cpu_list(files.get(CPUSET_SECTION))),
    })
    machine = MachineFacts.from_dict(clean_tree(machine))  # CPU names and such come from its files: untrusted
    return machine.with_(short_name=device_name(machine))


def free_bytes(device, path):
    """Free space of the filesystem holding `path` (df -k, last line's 4th column)."""
    result = device.shell(f"df -k {shlex.quote(path)}", timeout_s=30)
    try:
        return int(last_line(result.stdout).split()[3]) * 1024
    except (IndexError, ValueError):
        raise DeviceError(f"cannot read free space of {path} on {device.description}: {result.stdout.strip()[:200]}")


def remote_sha256(device, paths):
    """{device path: sha256} of the files that exist (sha256sum is in toybox on Android 8+)."""
    if not paths:
        return {}
    quoted = " ".join(shlex.quote(p) for p in paths)
    result = device.shell(f"for f in {quoted}; do [ -f \"$f\" ] && sha256sum \"$f\"; done; true", timeout_s=300)
    sums = {}
    for line in result.stdout.splitlines():
        digest, _, path = line.partition("  ")
        if len(digest) == 64:
            sums[path.strip()] = digest
    return sums


def join(*parts):
    return posixpath.join(*parts)
