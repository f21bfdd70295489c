"""Put the benchmark program, its libraries and the models into the device folder, pushing only
files whose sha256 on the device differs (a second run with nothing changed pushes nothing)."""
import shlex
from dataclasses import dataclass
from pathlib import Path

from lite.devices.facts import free_bytes, remote_sha256
from lite.errors import DeviceError
from lite.models.model_file import ModelFile
from lite.util.files import sha256_file
from lite.util.units import MIB


@dataclass(frozen=True)
class PushPlan:
    to_push: tuple  # ((local Path, device path), ...)
    unchanged: tuple
    bytes_to_push: int


def plan_push(files, local_sums, device_sums):
    """Which files differ on the device (pure). `files`: {device path: local Path}."""
    to_push, unchanged = [], []
    for device_path, local in sorted(files.items()):
        (unchanged if device_sums.get(device_path) == local_sums[device_path] else to_push).append((local, device_path))
    return PushPlan(tuple(to_push), tuple(unchanged), sum(Path(local).stat().st_size for local, _ in to_push))


def sync_files(device, files, executables=(), say=print):
    """Push what changed; make `executables` (device paths) executable; return the PushPlan. `files`:
    {device path: local path, or a ModelFile, whose sha256 the plan has already read}."""
    local_sums = {device_path: local.sha256 if isinstance(local, ModelFile) else sha256_file(local)
                  for device_path, local in files.items()}
    files = {device_path: local.path if isinstance(local, ModelFile) else local for device_path, local in files.items()}
    plan = plan_push(files, local_sums, remote_sha256(device, list(files)))
    if plan.to_push:
        folders = sorted({str(Path(path).parent) for _, path in plan.to_push})
        device.check("mkdir -p " + " ".join(shlex.quote(f) for f in folders), timeout_s=60, what="creating folders")
        free = free_bytes(device, folders[0])
        if free < plan.bytes_to_push:
            raise DeviceError(f"{device.description} has {free / MIB:.1f} MiB free in {folders[0]} but "
                              f"{plan.bytes_to_push / MIB:.1f} MiB must be pushed; free some space")
    for local, device_path in plan.to_push:
        say(f"  push {local} -> {device_path} ({Path(local).stat().st_size / MIB:.2f} MiB)")
        device.push(local, device_path)
    if executables:
        device.check("chmod 755 " + " ".join(shlex.quote(p) for p in executables), timeout_s=60, what="chmod")
    after = remote_sha256(device, [path for _, path in plan.to_push])
    bad = [path for local, path in plan.to_push if after.get(path) != local_sums[path]]
    if bad:
        raise DeviceError(f"after the push, {bad[0]} on {device.description} does not match its local copy")
    if plan.to_push:
        say(f"pushed {len(plan.to_push)} file(s), {plan.bytes_to_push} bytes; {len(plan.unchanged)} unchanged")
    else:
        say(f"pushed 0 bytes: all {len(plan.unchanged)} files on the device are up to date")
    return plan

