"""The ADB device double's TCP server: handshake (CNXN, optional AUTH), streams, fault switches."""
import os
import secrets
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .protocol import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_WRTE,
    AUTH_RSAPUBLICKEY,
    AUTH_SIGNATURE,
    AUTH_TOKEN,
    DEVICE_MAX_PAYLOAD,
    DEVICE_VERSION,
    HEADER,
    ProtocolError,
    decode_header,
    encode,
    key_id,
    verify_token_signature,
)
from .sandbox import DeviceSandbox
from .services import ProcessService, SyncService
from .streams import Stream, StreamClosed

SD855_PROPERTIES = {
    "ro.product.manufacturer": "Xiaomi",
    "ro.product.model": "MI 9 (adb device double)",
    "ro.product.name": "cepheus",
    "ro.product.device": "cepheus",
    "ro.board.platform": "msmnile",
    "ro.soc.manufacturer": "QTI",
    "ro.soc.model": "SM8150",
    "ro.product.cpu.abi": "x86_64",  # the binaries it can run here are this host's
    "ro.product.cpu.abilist": "x86_64",
    "ro.build.version.release": "11",
    "ro.build.version.sdk": "30",
}
# An emulated ARM device says so as Android's own emulator does (ro.kernel.qemu): none of its figures is a phone's.
ARM64_PROPERTIES = {"ro.product.cpu.abi": "arm64-v8a", "ro.product.cpu.abilist": "arm64-v8a,armeabi-v7a,armeabi",
                    "ro.kernel.qemu": "1"}
# A second SoC, to tell devices apart in a many-device sweep (a Snapdragon 865 presenting as x86_64, as above).
SD865_PROPERTIES = {**SD855_PROPERTIES, "ro.product.model": "MI 10 (adb device double)", "ro.product.name": "umi",
                    "ro.product.device": "umi", "ro.board.platform": "kona", "ro.soc.model": "SM8250"}
# A Snapdragon 855's cores: 1 prime (2.84 GHz) and 3 big (2.42 GHz) Kryo 485 Gold (A76 based), 4 little (1.78
# GHz) Silver (A55 based). Numbered fastest first, unlike the phone (little 0-3): the double's programs
# really run on this host's CPUs 0 and 1, which are then the prime and a big core, as on a phone whose
# threads got the big cores. SD855_LITTLE_CPUSET is a shell cpuset that keeps them off the big ones.
SD855_CPU_MAX_KHZ = [2841600] + [2419200] * 3 + [1785600] * 4
SD855_LITTLE_CPUSET = "4-7"
SD855_THERMAL_C = {"cpu-0-0-usr": 38.0, "cpu-1-0-usr": 41.5, "gpuss-0-usr": 36.0}
FEATURES = ("shell_v2", "cmd", "stat_v2", "fixed_push_mkdir")


@dataclass
class DeviceConfig:
    properties: dict = field(default_factory=lambda: dict(SD855_PROPERTIES))
    features: tuple = FEATURES
    auth_public_keys: tuple = ()  # adbkey.pub texts already trusted; empty and no prompt: no AUTH at all
    accept_prompt: bool = False  # AUTH is required, and a key offered at the prompt is accepted
    max_payload: int = DEVICE_MAX_PAYLOAD
    extra_path: tuple = ()  # host folders put on the device shell's PATH (e.g. a venv's bin)
    fake_cpus_khz: list = None
    fake_thermal_c: dict = None
    shell_cpuset: str = None  # the CPUs of the shell's cpuset (/dev/cpuset/cpus, "4-7"); None: no /dev/cpuset
    arm_cpu: str = None  # qemu CPU model ("cortex-a76", "cortex-a72", "max"): an emulated arm64-v8a device
    extra_env: dict = None  # more environment for the device's commands (e.g. the light-API double's sleep)

    def __post_init__(self):
        if self.arm_cpu:
            self.properties = {**self.properties, **ARM64_PROPERTIES}


@dataclass
class Faults:
    """Switches a test flips to see what a client sees; they apply to packets from then on."""
    drop_after_packets: int = None  # close the socket after this many packets on a connection
    drop_mid_push_bytes: int = None  # close the socket once a SEND has received this many bytes
    drop_on_command: str = None  # close the socket when a shell/exec command containing this opens
    refuse_auth: bool = False  # reject every signature and ignore offered keys (the prompt not accepted)
    disk_full: bool = False  # SEND answers FAIL "No space left on device"
    hang_on_command: str = None  # a command containing this never answers

    def hangs(self, command):
        return bool(self.hang_on_command) and self.hang_on_command in command

    def check_push(self, received, connection):
        if self.drop_mid_push_bytes is not None and received >= self.drop_mid_push_bytes:
            connection.drop()
            raise StreamClosed()


class Connection:
    def __init__(self, device, sock):
        self.device, self.sock = device, sock
        self.lost = threading.Event()
        self.max_payload = 4096
        self.streams = {}
        self.next_id = 1
        self.packets = 0
        self._send_lock = threading.Lock()

    # --- packets ----------------------------------------------------------------------------
    def _count(self):
        self.packets += 1
        limit = self.device.faults.drop_after_packets
        if limit is not None and self.packets >= limit:
            self.drop()

    def send(self, command, arg0, arg1, data=b""):
        if self.lost.is_set():
            return
        with self._send_lock:
            try:
                self.sock.sendall(encode(command, arg0, arg1, data))
            except OSError:
                self.drop()
                return
        self._count()

    def _recv_exact(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("host closed the connection")
            data += chunk
        return data

    def receive(self):
        command, arg0, arg1, length, _ = decode_header(self._recv_exact(HEADER.size))
        data = self._recv_exact(length) if length else b""
        self._count()
        return command, arg0, arg1, data

    def drop(self):
        if not self.lost.is_set():
            self.lost.set()
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # --- the conversation -------------------------------------------------------------------
    def serve(self):
        try:
            while not self.lost.is_set():
                command, arg0, arg1, data = self.receive()
                if command == A_CNXN:
                    self._handshake(arg0, arg1)
                elif command == A_OPEN:
                    self._open(arg0, data.rstrip(b"\0").decode("utf-8", "replace"))
                elif command == A_WRTE:
                    stream = self.streams.get(arg1)
                    if stream:
                        stream.on_data(data)
                        self.send(A_OKAY, stream.local_id, stream.remote_id)
                elif command == A_OKAY:
                    stream = self.streams.get(arg1)
                    if stream:
                        stream.on_okay()
                elif command == A_CLSE:
                    stream = self.streams.pop(arg1, None)
                    if stream and not stream.closed_by_device:
                        stream.on_host_close()
                        self.send(A_CLSE, stream.local_id, stream.remote_id)  # echoed once
                    elif stream:
                        stream.on_host_close()
        except (ConnectionError, OSError, ProtocolError):
            pass
        finally:
            self.drop()
            for stream in list(self.streams.values()):
                stream.on_host_close()
            self.sock.close()

    def _banner(self):
        props = self.device.config.properties
        fields = ";".join(f"ro.product.{k}={props.get('ro.product.' + k, '')}" for k in ("name", "model", "device"))
        return f"device::{fields};features={','.join(self.device.config.features)}".encode()

    def _handshake(self, host_version, host_max_payload):
        self.max_payload = min(host_max_payload, self.device.config.max_payload)
        keys = self.device.config.auth_public_keys
        if keys or self.device.config.accept_prompt:
            while True:
                token = secrets.token_bytes(20)
                self.send(A_AUTH, AUTH_TOKEN, 0, token)
                command, kind, _, data = self.receive()
                if command != A_AUTH:
                    raise ProtocolError("expected AUTH")
                if kind == AUTH_SIGNATURE:
                    if not self.device.faults.refuse_auth and any(
                            verify_token_signature(key, token, data) for key in keys):
                        break
                    continue  # a fresh token; the client then offers its public key
                if kind == AUTH_RSAPUBLICKEY:
                    offered = key_id(data)
                    if not self.device.faults.refuse_auth and (
                            self.device.config.accept_prompt or offered in {key_id(k) for k in keys}):
                        break  # the user accepted the "Allow USB debugging?" prompt
                    self.lost.wait()  # the prompt is never accepted: the client times out
                    raise ConnectionError("unauthorized")
        self.send(A_CNXN, min(host_version, DEVICE_VERSION), self.max_payload, self._banner())

    def _open(self, remote_id, service):
        local_id = self.next_id
        self.next_id += 1
        runner = self.device.service_for(service)
        if runner is None:
            self.send(A_CLSE, 0, remote_id)
            return
        stream = Stream(self, local_id, remote_id)
        self.streams[local_id] = stream
        drop = self.device.faults.drop_on_command
        if drop and drop in service:
            self.drop()
            return
        self.send(A_OKAY, local_id, remote_id)
        threading.Thread(target=runner, args=(stream,), daemon=True).start()


class AdbDeviceDouble:
    """A phone on 127.0.0.1:port. `start()` returns the port; `stop()` ends every connection."""

    def __init__(self, root, config=None, faults=None):
        self.config = config or DeviceConfig()
        self.faults = faults or Faults()
        self.root = Path(root)
        self.sandbox = DeviceSandbox(self.root, self.config.properties, self.config.extra_path,
                                     self.config.fake_cpus_khz, self.config.fake_thermal_c, self.config.arm_cpu,
                                     self.config.extra_env, self.config.shell_cpuset)
        self._server = None
        self._connections = []
        self._processes = set()
        self._lock = threading.Lock()
        self.opened_services = []
        self.events = []  # (kind "push"|"command", path or command, start, end) on time.monotonic()

    @property
    def port(self):
        return self._server.getsockname()[1]

    @property
    def serial(self):
        return f"127.0.0.1:{self.port}"

    def start(self, port=0):
        self._server = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()
        return self.port

    def _accept(self):
        while True:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = Connection(self, sock)
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=connection.serve, daemon=True).start()

    def packet_count(self):
        """Packets so far on the newest connection (for setting drop_after_packets)."""
        with self._lock:
            return self._connections[-1].packets if self._connections else 0

    def drop_all(self):
        """The cable is pulled: every connection ends now."""
        with self._lock:
            for connection in self._connections:
                connection.drop()

    def stop(self):
        if self._server:
            self._server.close()
        self.drop_all()
        with self._lock:
            for process in list(self._processes):
                try:
                    os.killpg(process.pid, 9)
                except ProcessLookupError:
                    pass

    def track(self, process):
        with self._lock:
            self._processes.add(process)

    def untrack(self, process):
        with self._lock:
            self._processes.discard(process)

    def service_for(self, service):
        self.opened_services.append(service)
        if service.startswith("shell,v2") or service.startswith("shell,raw"):
            _, _, command = service.partition(":")
            mode = "v2" if service.startswith("shell,v2") else "legacy"
            return lambda stream: ProcessService(self, stream, command or "/bin/sh", mode).run()
        if service.startswith("shell:"):
            return lambda stream: ProcessService(self, stream, service[6:] or "/bin/sh", "legacy").run()
        if service.startswith("exec:"):
            return lambda stream: ProcessService(self, stream, service[5:], "exec").run()
        if service.startswith("sync:"):
            return lambda stream: SyncService(self, stream).run()
        return None

    def record(self, kind, what, start, end):
        """An interval of work on this device, on this process's time.monotonic(): several doubles in one
        test share that clock, so a test can see whether one's push overlapped another's command."""
        with self._lock:
            self.events.append((kind, what, start, end))

    # --- what a test reads back ----------------------------------------------------------------
    def device_file(self, device_path):
        return self.sandbox.host_path(device_path)

    def log_lines(self, name):
        path = self.root / "tree/data/system/double" / name
        return path.read_text().splitlines() if path.exists() else []

    @property
    def installs(self):
        return self.log_lines("packages.log")

    @property
    def activities(self):
        return self.log_lines("activities.log")
