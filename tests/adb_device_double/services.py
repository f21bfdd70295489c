"""Device services: shell (legacy and v2), exec, sync, and their process plumbing."""
import errno
import os
import signal
import stat
import struct
import tempfile
import threading
import time

from .streams import StreamClosed

SHELL_STDIN, SHELL_STDOUT, SHELL_STDERR, SHELL_EXIT, SHELL_CLOSE_STDIN = 0, 1, 2, 3, 4
SYNC_DATA_MAX = 64 * 1024


def shell_packet(kind, data):
    return struct.pack("<BI", kind, len(data)) + data


class ProcessService:
    """Runs one command in the device sandbox and moves bytes between it and a stream."""

    def __init__(self, device, stream, command, mode):
        self.device, self.stream, self.command, self.mode = device, stream, command, mode  # legacy|v2|exec

    def run(self):
        if self.device.faults.hangs(self.command):
            while not self.stream.closed:  # a command that never answers
                time.sleep(0.1)
            return
        started = time.monotonic()
        process = self.device.sandbox.spawn(self.command, merge_stderr=self.mode == "legacy")
        self.device.track(process)
        pumps = [threading.Thread(target=self._pump_stdin, args=(process,), daemon=True)]
        output_lock = threading.Lock()
        for pipe, kind in ((process.stdout, SHELL_STDOUT), (process.stderr, SHELL_STDERR)):
            if pipe is None:
                continue
            pumps.append(threading.Thread(target=self._pump_output, args=(pipe, kind, output_lock), daemon=True))
        pumps.append(threading.Thread(target=self._hang_up_when_gone, args=(process,), daemon=True))
        for pump in pumps:
            pump.start()
        try:
            for pump in pumps[1:-1]:
                pump.join()
            code = process.wait()
            if code < 0:
                code = 128 - code  # killed by a signal: adbd reports 128+N (137, 139, 134), as a shell does
            if self.mode == "v2":
                self.stream.write(shell_packet(SHELL_EXIT, bytes([code & 0xFF])))
        except StreamClosed:
            pass
        finally:
            self._kill(process)
            self.device.untrack(process)
            self.device.record("command", self.command, started, time.monotonic())
            self.stream.close()

    def _hang_up_when_gone(self, process):
        """As adbd does: when the host closes the stream or the connection is lost while the command
        still runs, its process group gets SIGHUP."""
        while process.poll() is None:
            if self.stream.closed:
                try:
                    os.killpg(process.pid, signal.SIGHUP)
                except ProcessLookupError:
                    pass
                return
            time.sleep(0.05)

    def _pump_output(self, pipe, kind, lock):
        try:
            while True:
                data = os.read(pipe.fileno(), 65536)
                if not data:
                    return
                with lock:
                    if self.mode == "v2":
                        self.stream.write(shell_packet(kind, data))
                    elif kind == SHELL_STDOUT or self.mode == "legacy":  # exec: stdout only
                        self.stream.write(data)
        except (StreamClosed, OSError):
            return

    def _pump_stdin(self, process):
        buffer = b""
        try:
            while True:
                data = self.stream.read()
                if data is None:
                    break
                if self.mode != "v2":
                    process.stdin.write(data)
                    process.stdin.flush()
                    continue
                buffer += data
                while len(buffer) >= 5:
                    kind, length = struct.unpack_from("<BI", buffer)
                    if len(buffer) < 5 + length:
                        break
                    payload, buffer = buffer[5:5 + length], buffer[5 + length:]
                    if kind == SHELL_STDIN:
                        process.stdin.write(payload)
                        process.stdin.flush()
                    elif kind == SHELL_CLOSE_STDIN:
                        process.stdin.close()
                        return
        except (BrokenPipeError, ValueError, OSError):
            pass
        finally:
            try:
                process.stdin.close()
            except OSError:
                pass

    @staticmethod
    def _kill(process):
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


class SyncService:
    """The sync: protocol (STAT, STA2, LST2, LIST, SEND/DATA/DONE, RECV, QUIT) on the device tree."""

    def __init__(self, device, stream):
        self.device, self.stream, self.buffer = device, stream, b""

    def _need(self, count):
        while len(self.buffer) < count:
            data = self.stream.read()
            if data is None:
                raise StreamClosed()
            self.buffer += data
        chunk, self.buffer = self.buffer[:count], self.buffer[count:]
        return chunk

    def _request(self):
        header = self._need(8)
        return header[:4], struct.unpack("<I", header[4:])[0]

    def run(self):
        try:
            while True:
                request, length = self._request()
                if request == b"QUIT":
                    break
                if request in (b"STAT", b"STA2", b"LST2", b"LIST", b"SEND", b"RECV"):
                    path = self._need(length).decode("utf-8", "replace")
                    getattr(self, "_" + request.decode().lower())(path, request)
                else:
                    self._fail(f"unknown sync request {request!r}")
                    break
        except StreamClosed:
            pass
        finally:
            self.stream.close()

    def _fail(self, message):
        data = message.encode()
        self.stream.write(b"FAIL" + struct.pack("<I", len(data)) + data)

    def _stat_result(self, path, follow=True):
        host = self.device.sandbox.host_path(path)
        try:
            return os.stat(host) if follow else os.lstat(host)
        except (TypeError, OSError):
            return None

    def _stat(self, path, _request):
        st = self._stat_result(path)
        values = (st.st_mode, st.st_size, int(st.st_mtime)) if st else (0, 0, 0)
        self.stream.write(b"STAT" + struct.pack("<III", *(v & 0xFFFFFFFF for v in values)))

    def _sta2(self, path, request):
        st = self._stat_result(path, follow=request == b"STA2")
        if st is None:
            body = struct.pack("<IQQIIIIQqqq", errno.ENOENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        else:
            body = struct.pack("<IQQIIIIQqqq", 0, st.st_dev, st.st_ino, st.st_mode, st.st_nlink, st.st_uid,
                               st.st_gid, st.st_size, int(st.st_atime), int(st.st_mtime), int(st.st_ctime))
        self.stream.write(request + body)

    _lst2 = _sta2

    def _list(self, path, _request):
        host = self.device.sandbox.host_path(path)
        entries = []
        if host is not None and host.is_dir():
            entries = [".", ".."] + sorted(os.listdir(host))
        for name in entries:
            st = os.lstat(host / name)
            encoded = name.encode()
            self.stream.write(b"DENT" + struct.pack("<IIII", st.st_mode, st.st_size & 0xFFFFFFFF,
                                                    int(st.st_mtime), len(encoded)) + encoded)
        self.stream.write(b"DONE" + bytes(16))

    def _send(self, spec, _request):
        """SEND path,mode + DATA... + DONE. The bytes are staged in the device folder's staging/, which no
        device command can reach (it is not mounted into the device's tree), opened without following
        links, then renamed onto the resolved path inside the tree: a link planted by a device command
        cannot make a push write outside the device. Errors are adbd's FAIL replies, after the data."""
        started = time.monotonic()
        path, _, mode_text = spec.rpartition(",")
        mode = int(mode_text) if mode_text.isdigit() else 0o644
        host = self.device.sandbox.host_path(path) if self.device.sandbox.writable(path) else None
        problem = None if host is not None else f"couldn't create file: {path}: Read-only file system"
        created = []
        if host is not None:
            try:
                missing = [p for p in [host.parent, *host.parent.parents] if not p.exists()]
                host.parent.mkdir(parents=True, exist_ok=True)  # the fixed_push_mkdir feature
                created = list(reversed(missing))
                if host.is_dir():
                    problem = f"couldn't create file: {path}: Is a directory"
            except (FileExistsError, NotADirectoryError):
                problem = f"couldn't create file: {path}: Not a directory"
        if self.device.faults.disk_full:
            problem = "No space left on device"
        out = None
        if problem is None:
            fd, staging = tempfile.mkstemp(dir=self.device.sandbox.staging_dir, prefix="push-")
            out = os.fdopen(fd, "wb")
        received = 0
        try:
            while True:
                request, length = self._request()
                if request == b"DATA":
                    data = self._need(length)
                    received += len(data)
                    self.device.faults.check_push(received, self.stream.connection)
                    if out:
                        out.write(data)
                elif request == b"DONE":
                    mtime = length
                    break
                else:
                    raise StreamClosed()
        except StreamClosed:
            if out:
                out.close()
                os.unlink(staging)
            raise
        if problem:
            self._fail(problem)
            return
        os.fchmod(out.fileno(), stat.S_IMODE(mode) or 0o644)
        out.close()
        os.utime(staging, (mtime, mtime), follow_symlinks=False)
        os.replace(staging, host)
        self.device.sandbox.give_to_shell(host, created)
        self.device.record("push", path, started, time.monotonic())
        self.stream.write(b"OKAY" + bytes(4))

    def _recv(self, path, _request):
        host = self.device.sandbox.host_path(path)
        if host is None or not host.is_file():
            self._fail(f"remote object '{path}' does not exist")
            return
        with open(host, "rb") as f:
            for chunk in iter(lambda: f.read(SYNC_DATA_MAX), b""):
                self.stream.write(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
        self.stream.write(b"DONE" + bytes(4))
