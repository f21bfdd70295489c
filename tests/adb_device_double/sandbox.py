"""The device's private file tree, and running its shell commands inside it.

Why a mount namespace with an overlay: commands must run with the host's /bin/sh and programs
(python3 with paddlelite included), yet nothing they do may write outside the device's folder.
Each command runs under `unshare --mount` in a chroot whose root is an overlay of the host's `/`
with a fresh tmpfs as its upper layer: the host's files are all visible, every write outside the
device's folder lands in that tmpfs and vanishes when the command ends, and the device's
/data, /sdcard and /system are bind mounts of folders in the device's own tree. A fake
/sys/devices/system/cpu and /sys/class/thermal can be bound over the real ones, and a fake /dev/cpuset
(the shell's cpuset) put in an overlay of /dev.
Commands run as Android's `shell` user (uid/gid 2000) with /system read-only, as on a phone.
Needs root (CI runs as root) or unprivileged user namespaces (then `--map-root-user` is used and
commands run as root inside).

An emulated 64-bit ARM device (`arm_cpu` set, e.g. "cortex-a76"): its programs are real aarch64
binaries run on ARM instructions by qemu-aarch64. binfmt_misc is not mounted on these machines, so
each command runs in a user namespace of its own, where Linux 6.7+ gives a private binfmt_misc:
the double mounts it there and registers qemu-aarch64 for aarch64 ELF files, which then start as on
a phone (`./mnv1_bench ...`); nothing is registered on the host. qemu reads its sysroot and CPU model
from QEMU_LD_PREFIX and QEMU_CPU, and /proc/cpuinfo is replaced by one listing that emulated core's
features (read from AT_HWCAP by arm_cpu.c under the same qemu CPU), as a phone's kernel lists them.
"""
import os
import posixpath
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ENTER_SCRIPT = r'''
set -e
root=$1; chroot_program=$2; arm=$3; shell_user=$4; open_dirs=$5; shift 5
mount -t tmpfs tmpfs "$root/ovl"
mkdir -p "$root/ovl/upper" "$root/ovl/work"
m="$root/merged"
mount -t overlay overlay -o "lowerdir=/,upperdir=$root/ovl/upper,workdir=$root/ovl/work" "$m"
mkdir -p "$m/data" "$m/sdcard" "$m/system"
mount --bind "$root/tree/data" "$m/data"
mount --bind "$root/tree/sdcard" "$m/sdcard"
mount --bind "$root/system" "$m/system"
mount -o remount,bind,ro "$m/system"  # read-only, as on a phone: writing there fails even as root
if [ -d "$root/fake/cpuset" ]; then
  # Android's cpuset cgroup at /dev/cpuset: an overlay over the host's /dev (new entries land in this
  # command's tmpfs, never in the host's /dev), with the fake cpuset bound in it
  mkdir -p "$root/ovl/devup" "$root/ovl/devwork"
  mount -t overlay overlay -o "lowerdir=/dev,upperdir=$root/ovl/devup,workdir=$root/ovl/devwork" "$m/dev"
  mount --rbind /dev/pts "$m/dev/pts"
  mkdir -p "$m/dev/cpuset"
  mount --bind "$root/fake/cpuset" "$m/dev/cpuset"
else
  mount --rbind /dev "$m/dev"
fi
mount -t proc proc "$m/proc"
[ -n "$arm" ] && mount --bind "$root/fake/cpuinfo" "$m/proc/cpuinfo"
mount --rbind /sys "$m/sys"
if [ -d "$root/fake/cpu" ]; then mount --bind "$root/fake/cpu" "$m/sys/devices/system/cpu"; fi
if [ -d "$root/fake/thermal" ]; then mount --bind "$root/fake/thermal" "$m/sys/class/thermal"; fi
# The host programs the shell user runs (this venv's python3) may sit under folders closed to others
# (/root is 0700): open them for traversal in the overlay only; the host's own folders stay as they are.
if [ -n "$shell_user" ]; then
  IFS=:; for d in $open_dirs; do [ -d "$m$d" ] && chmod o+x "$m$d"; done; unset IFS
fi
cd /
if [ -n "$arm" ] && [ -n "$shell_user" ]; then
  # A user namespace of its own gives a private binfmt_misc (Linux 6.7+). It maps root and the shell
  # user to themselves (written from here, as root, once the namespace exists); inside it, binfmt_misc
  # is mounted and qemu-aarch64 registered, then the command runs chrooted as the shell user.
  go="$root/ovl/go"; mkfifo "$go"; exec 3<&0
  unshare --user --mount --propagation private /bin/sh -c '
    read ready < "$1"
    mount -t binfmt_misc binfmt_misc "$2/proc/sys/fs/binfmt_misc"
    printf "%s" "$3" > "$2/proc/sys/fs/binfmt_misc/register"
    exec "$4" "$2" setpriv --reuid="${5%:*}" --regid="${5#*:}" --clear-groups /bin/sh -c "cd / && exec /bin/sh -c \"\$0\"" "$6"' \
    binfmt "$go" "$m" "$arm" "$chroot_program" "$shell_user" "$1" <&3 &
  inner=$!
  while [ "$(readlink /proc/$inner/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do sleep 0.01; done
  for map in uid_map gid_map; do printf '0 0 1\n%s %s 1\n' "${shell_user%:*}" "${shell_user%:*}" > /proc/$inner/$map; done
  echo go > "$go"
  set +e; wait $inner; exit $?
fi
if [ -n "$arm" ]; then  # without root: the namespace maps root alone, and the command runs as it
  exec unshare --user --map-root-user --mount --propagation private /bin/sh -c '
    mount -t binfmt_misc binfmt_misc "$1/proc/sys/fs/binfmt_misc"
    printf "%s" "$2" > "$1/proc/sys/fs/binfmt_misc/register"
    exec "$3" "$1" /bin/sh -c "cd / && exec /bin/sh -c \"\$0\"" "$4"' binfmt "$m" "$arm" "$chroot_program" "$1"
fi
if [ -n "$shell_user" ]; then
  exec "$chroot_program" --userspec="$shell_user" --groups="${shell_user#*:}" "$m" /bin/sh -c 'cd / && exec /bin/sh -c "$0"' "$1"
fi
exec "$chroot_program" "$m" /bin/sh -c 'cd / && exec /bin/sh -c "$0"' "$1"
'''

GETPROP = r'''#!/bin/sh
props=/system/etc/double.props
if [ $# -eq 0 ]; then
  while IFS='=' read -r key value; do printf '[%s]: [%s]\n' "$key" "$value"; done < "$props"; exit 0
fi
while IFS='=' read -r key value; do
  if [ "$key" = "$1" ]; then printf '%s\n' "$value"; exit 0; fi
done < "$props"
echo
'''

REGISTER_APK = r'''#!/bin/sh
# What the device double's package manager learns from an APK: aapt2 reads it as Android's parser
# would; a file it cannot read is INSTALL_PARSE_FAILED_NOT_APK. Records "<package> <launchable activity>".
apk=$1
badging=$(aapt2 dump badging "$apk" 2>/dev/null)
package=$(printf '%s\n' "$badging" | sed -n "s/^package: name='\([^']*\)'.*/\1/p")
if [ -z "$package" ]; then
  echo "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse $apk: not an APK (no readable AndroidManifest.xml)]"
  exit 1
fi
printf '%s\n' "$badging" | sed -n "s/^launchable-activity: name='\([^']*\)'.*/$package \1/p" \
  >> /data/system/double/activities.known
'''

PM = r'''#!/bin/sh
# Package manager of the device double: records installs, answers like Android's pm. The file
# /data/system/double/pm_silent (a fault switch a test creates) makes it answer nothing, exit 0.
log=/data/system/double/packages.log
if [ "$1" = install ]; then
  for apk; do :; done
  if [ ! -f "$apk" ]; then echo "Failure [INSTALL_FAILED_INVALID_URI]"; exit 1; fi
  [ -f /data/system/double/pm_silent ] && exit 0
  double-register-apk "$apk" || exit 1
  mkdir -p /data/app && cp "$apk" "/data/app/$(basename "$apk")"
  echo "pm $*" >> "$log"; echo Success; exit 0
fi
echo "pm: unsupported command '$1' (device double)" >&2; exit 1
'''

CMD = r'''#!/bin/sh
# `cmd package install -S SIZE` as adb 29 streams an APK to it (the `cmd` feature).
log=/data/system/double/packages.log
if [ "$1" = package ] && [ "$2" = install ]; then
  shift 2; size=""
  while [ $# -gt 0 ]; do case "$1" in -S) size=$2; shift 2 ;; *) shift ;; esac; done
  [ -n "$size" ] || { echo "Failure [INSTALL_FAILED_INVALID_APK: no -S size]"; exit 1; }
  mkdir -p /data/app; target=/data/app/streamed-$$.apk
  head -c "$size" > "$target"
  got=$(wc -c < "$target")
  if [ "$got" -ne "$size" ]; then echo "Failure [INSTALL_FAILED_INVALID_APK: got $got of $size bytes]"; exit 1; fi
  double-register-apk "$target" || { rm -f "$target"; exit 1; }
  echo "cmd package install -S $size -> $target" >> "$log"; echo Success; exit 0
fi
if [ "$1" = package ]; then shift; exec pm "$@"; fi
echo "cmd: unsupported service '$1' (device double)" >&2; exit 1
'''

AM = r'''#!/bin/sh
# Activity manager of the device double: records intents; like Android's am, a component that no
# installed package declares is "Error type 3 ... does not exist." with exit status 0.
echo "am $*" >> /data/system/double/activities.log
known=/data/system/double/activities.known
if [ "$1" = start ]; then
  component=""; while [ $# -gt 0 ]; do [ "$1" = -n ] && component=$2; shift; done
  package=${component%%/*}; class=${component#*/}
  case "$class" in .*) class=$package$class ;; esac
  echo "Starting: Intent { cmp=$component }"
  if ! grep -qxF "$package $class" "$known" 2>/dev/null; then
    echo "Error type 3"; echo "Error: Activity class {$package/$class} does not exist."
  fi
  exit 0
fi
if [ "$1" = force-stop ]; then exit 0; fi
echo "am: unsupported command '$1' (device double)" >&2; exit 1
'''


QEMU_AARCH64 = "/usr/bin/qemu-aarch64"
ARM_SYSROOT = "/usr/aarch64-linux-gnu"
# binfmt_misc rule for 64-bit little-endian ARM ELF executables and shared objects (e_machine 183).
AARCH64_BINFMT = (r":qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00"
                  r":\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"
                  f":{QEMU_AARCH64}:")
ARM_CPU_PROBE = Path(__file__).with_name("arm_cpu.c")


def arm_core_features(cpu, build_dir):
    """The /proc/cpuinfo feature names of qemu's `cpu` model, as the emulated core reports them."""
    probe = Path(build_dir) / "arm_cpu"
    if not probe.exists():
        subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-o", str(probe), str(ARM_CPU_PROBE)], check=True)
    done = subprocess.run([QEMU_AARCH64, "-L", ARM_SYSROOT, "-cpu", cpu, str(probe)], capture_output=True,
                          text=True, check=True)
    return done.stdout.split()


def arm_cpuinfo(features, max_freqs_khz):
    """A /proc/cpuinfo in the arm64 kernel's format, as a Snapdragon 855 writes it: Qualcomm's Kryo 485
    parts, 0x805 (Silver, Cortex-A55 based) below the top frequency class and 0x804 (Gold, A76 based)
    in it. Paddle Lite reads the parts to pick kernels."""
    top = max(max_freqs_khz)
    block = ("processor\t: {index}\nBogoMIPS\t: 38.40\nFeatures\t: {features}\nCPU implementer\t: 0x51\n"
             "CPU architecture: 8\nCPU variant\t: 0xd\nCPU part\t: {part}\nCPU revision\t: 14\n\n")
    return "".join(block.format(index=i, features=" ".join(features), part="0x804" if khz * 2 > top else "0x805")
                   for i, khz in enumerate(max_freqs_khz))


SHELL_USER = "2000:2000"  # Android's `shell` user and group: what adb shell commands run as
SHELL_UID, SHELL_GID = 2000, 2000


class DeviceSandbox:
    """A device folder: tree/ (the device's /data and /sdcard), system/ (its /system), fake/ (sysfs)."""

    def __init__(self, root, properties, extra_path=(), fake_cpus=None, fake_thermal=None, arm_cpu=None,
                 extra_env=None, shell_cpuset=None):
        self.root = Path(root)
        self.extra_env = dict(extra_env or {})
        self.extra_path = [str(p) for p in extra_path]
        self.arm_cpu = arm_cpu
        for folder in ("tree/data/local/tmp", "tree/data/app", "tree/data/system/double", "tree/sdcard",
                       "system/bin", "system/etc", "ovl", "merged", "fake", "staging"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        (self.root / "tree/data/local/tmp").chmod(0o771)
        # As on a phone: shell owns /data/local/tmp and /sdcard; the double's own records are open to it.
        self.as_shell_user = os.geteuid() == 0  # without root, the user-namespace fallback stays root inside
        if self.as_shell_user:
            for folder in ("tree/data/local/tmp", "tree/sdcard"):
                os.chown(self.root / folder, SHELL_UID, SHELL_GID)
        for folder in ("tree/data/system/double", "tree/data/app"):
            (self.root / folder).chmod(0o777)
        for name, text in (("getprop", GETPROP), ("pm", PM), ("cmd", CMD), ("am", AM),
                           ("double-register-apk", REGISTER_APK)):
            path = self.root / "system/bin" / name
            path.write_text(text)
            path.chmod(0o755)
        (self.root / "system/etc/double.props").write_text("".join(f"{k}={v}\n" for k, v in properties.items()))
        if fake_cpus:
            self.write_fake_cpus(fake_cpus)
        if fake_thermal is not None:
            self.write_fake_thermal(fake_thermal)
        if shell_cpuset is not None:  # the shell's group is the root cpuset: /dev/cpuset/cpus
            (self.root / "fake/cpuset").mkdir(parents=True, exist_ok=True)
            (self.root / "fake/cpuset/cpus").write_text(f"{shell_cpuset}\n")
        if arm_cpu:
            features = arm_core_features(arm_cpu, self.root / "fake")
            (self.root / "fake/cpuinfo").write_text(arm_cpuinfo(features, fake_cpus or [2841600] * os.cpu_count()))

    # --- fake sysfs ---------------------------------------------------------------------------
    def write_fake_cpus(self, max_freqs_khz, governor="schedutil"):
        cpu = self.root / "fake/cpu"
        cpu.mkdir(parents=True, exist_ok=True)
        last = len(max_freqs_khz) - 1
        for name in ("possible", "present", "online"):
            (cpu / name).write_text(f"0-{last}\n")
        for index, freq in enumerate(max_freqs_khz):
            freq_dir = cpu / f"cpu{index}" / "cpufreq"
            freq_dir.mkdir(parents=True, exist_ok=True)
            # Paddle Lite's ARM library counts CPUs by their uevent files and reads online per CPU.
            (cpu / f"cpu{index}" / "uevent").write_text("DRIVER=processor\nOF_NAME=cpu\n")
            (cpu / f"cpu{index}" / "online").write_text("1\n")
            (freq_dir / "cpuinfo_max_freq").write_text(f"{freq}\n")
            (freq_dir / "scaling_cur_freq").write_text(f"{freq}\n")
            (freq_dir / "scaling_governor").write_text(f"{governor}\n")

    def write_fake_thermal(self, zones_c):
        thermal = self.root / "fake/thermal"
        thermal.mkdir(parents=True, exist_ok=True)
        for index, (kind, celsius) in enumerate(zones_c.items()):
            zone = thermal / f"thermal_zone{index}"
            zone.mkdir(exist_ok=True)
            (zone / "type").write_text(f"{kind}\n")
            (zone / "temp").write_text(f"{int(celsius * 1000)}\n")

    def give_to_shell(self, host_path, created_dirs=()):
        """What adbd writes belongs to the shell user, as on a phone."""
        if self.as_shell_user:
            for path in [*created_dirs, host_path]:
                os.chown(path, SHELL_UID, SHELL_GID, follow_symlinks=False)

    @property
    def staging_dir(self):
        """Where pushes are staged: in the device folder but outside the tree its commands see."""
        return self.root / "staging"

    # --- paths --------------------------------------------------------------------------------
    def host_path(self, device_path):
        """The host path of a device path under /data, /sdcard or /system, or None elsewhere."""
        normal = posixpath.normpath("/" + device_path.lstrip("/"))
        for prefix, folder in (("/data", self.root / "tree/data"), ("/sdcard", self.root / "tree/sdcard"),
                               ("/system", self.root / "system")):
            if normal == prefix or normal.startswith(prefix + "/"):
                candidate = folder / normal[len(prefix):].lstrip("/")
                resolved = Path(os.path.realpath(candidate))
                if resolved == folder.resolve() or folder.resolve() in resolved.parents:
                    return resolved
                return None  # a link that leads out of the tree
        return None

    def writable(self, device_path):
        normal = posixpath.normpath("/" + device_path.lstrip("/"))
        return normal.startswith("/data/") or normal.startswith("/sdcard/")

    # --- commands -----------------------------------------------------------------------------
    def command(self, shell_command):
        unshare = ["unshare", "--mount", "--propagation", "private"]
        if os.geteuid() != 0:
            unshare.append("--map-root-user")
        chroot = shutil.which("chroot", path="/usr/sbin:/sbin:/usr/bin:/bin") or "chroot"
        return [*unshare, "/bin/sh", "-c", ENTER_SCRIPT, "enter", str(self.root), chroot,
                AARCH64_BINFMT if self.arm_cpu else "", SHELL_USER if self.as_shell_user else "",
                ":".join(self.open_dirs()), shell_command]

    def open_dirs(self):
        """Every folder above the host programs the device shell runs (this venv's python3 and what it
        links to), for the shell user to pass through."""
        dirs = set()
        for start in [sys.executable, os.path.realpath(sys.executable), *self.extra_path,
                      *map(os.path.realpath, self.extra_path)]:
            path = Path(start)
            dirs.update(str(p) for p in [path, *path.parents] if str(p) != "/")
        return sorted(dirs)

    def environment(self):
        path = ":".join(["/system/bin", *self.extra_path, "/usr/local/bin", "/usr/bin", "/bin"])
        env = {"PATH": path, "HOME": "/data/local/tmp", "TMPDIR": "/data/local/tmp", "ANDROID_DATA": "/data",
               "LANG": "C.UTF-8"}
        if self.arm_cpu:
            env.update(QEMU_LD_PREFIX=ARM_SYSROOT, QEMU_CPU=self.arm_cpu)
        return {**env, **self.extra_env}

    def spawn(self, shell_command, merge_stderr=False):
        """Legacy `shell:` merges stderr into stdout in one pipe, in order, as adbd's pty does."""
        return subprocess.Popen(self.command(shell_command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
                                env=self.environment(), start_new_session=True)


def quote(text):
    return shlex.quote(text)
