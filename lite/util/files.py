"""File helpers: checksums and writes that leave either the old file or the whole new one."""
import errno
import functools
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from lite.errors import OutputDirError


def sha256_file(path, chunk_bytes=1 << 20):
    """sha256 of a file's bytes. A file read before and not changed since (same size and modification
    time to the nanosecond) is not read again: the plan, the push and the sweep all ask for it."""
    stat = os.stat(path)
    return _sha256_of(os.path.realpath(path), stat.st_size, stat.st_mtime_ns, stat.st_ino, chunk_bytes)


@functools.lru_cache(maxsize=256)
def _sha256_of(real_path, size, mtime_ns, inode, chunk_bytes):
    digest = hashlib.sha256()
    with open(real_path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_bytes), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_text(text):
    return hashlib.sha256(text.encode()).hexdigest()


def is_disk_full(exc):
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full_error(folder, destination=None):
    """The one line for a full filesystem: the folder, the file that could not be written, what to do."""
    what = f": {Path(destination).name} could not be written" if destination else ""
    return OutputDirError(f"the folder {folder} is full (No space left on device){what}; free space there or "
                          f"choose another output folder, then run again")


def folder_nearly_full(folder, margin_bytes=1 << 20):
    """True when the filesystem holding `folder` has less than `margin_bytes` free: a program that does not
    report write errors (paddle_lite_opt) has then most likely been cut short by it."""
    return shutil.disk_usage(folder).free < margin_bytes


def ensure_writable_dir(path):
    """Create `path` if needed and prove a file can be written there."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full_error(path) from None
        raise OutputDirError(f"cannot write to folder {path}: {exc.strerror or exc}; "
                             f"choose another folder or fix its permissions") from exc
    return path


def _umask():
    mask = os.umask(0)  # reading the umask means setting it; put it back at once
    os.umask(mask)
    return mask


def atomic_write_bytes(path, data):
    path = Path(path)
    ensure_writable_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp makes 0600; a report is as readable as any file
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)  # the old file, if any, is left whole
        if is_disk_full(exc):
            raise disk_full_error(path.parent, path) from None
        raise


def atomic_write_text(path, text):
    atomic_write_bytes(path, text.encode())


def atomic_write_json(path, obj):
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_json(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(parent, name):
    """Remove `.<name>.<pid>.*` staging folders whose process is gone (a SIGKILL leaves them behind),
    and older ones without a pid; return what was removed."""
    removed = []
    prefix = f".{name}."
    for path in Path(parent).glob(f"{prefix}*"):
        pid = path.name[len(prefix):].split(".", 1)[0]
        if path.name.endswith(".tmp") or (pid.isdigit() and _pid_alive(int(pid))):
            continue
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def staging_dir(parent, name):
    """A fresh hidden folder `.<name>.<pid>.XXXX` in `parent`, where a result is built before it is moved
    into place; stale ones of the same name are removed first."""
    remove_stale_staging(parent, name)
    return Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}.{os.getpid()}."))
