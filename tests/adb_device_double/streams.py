"""Streams over one ADB connection: flow control (one WRTE in flight until the host's OKAY),
chunking to the negotiated payload, and a CLSE sent or echoed exactly once."""
import queue
import threading

from .protocol import A_CLSE, A_WRTE


class StreamClosed(Exception):
    pass


class Stream:
    def __init__(self, connection, local_id, remote_id):
        self.connection = connection
        self.local_id = local_id
        self.remote_id = remote_id
        self._incoming = queue.Queue()
        self._okay = threading.Event()
        self._closed = threading.Event()
        self.closed_by_device = False

    @property
    def closed(self):
        return self._closed.is_set() or self.connection.lost.is_set()

    # --- called by the connection's reader --------------------------------------------------
    def on_data(self, data):
        self._incoming.put(data)

    def on_okay(self):
        self._okay.set()

    def on_host_close(self):
        self._closed.set()
        self._incoming.put(None)
        self._okay.set()

    # --- called by services --------------------------------------------------------------------
    def write(self, data):
        size = self.connection.max_payload
        for start in range(0, len(data), size):
            if self.closed:
                raise StreamClosed()
            self._okay.clear()
            self.connection.send(A_WRTE, self.local_id, self.remote_id, bytes(data[start:start + size]))
            while not self._okay.wait(0.2):
                if self.closed:
                    raise StreamClosed()
            if self.closed:
                raise StreamClosed()

    def read(self, timeout=None):
        """The next data the host wrote; None once the host closed the stream or the link is lost."""
        while True:
            try:
                return self._incoming.get(timeout=0.2 if timeout is None else timeout)
            except queue.Empty:
                if self.connection.lost.is_set():
                    return None
                if timeout is not None:
                    raise

    def close(self):
        if not self._closed.is_set() and not self.connection.lost.is_set():
            self.closed_by_device = True
            self._closed.set()
            self.connection.send(A_CLSE, self.local_id, self.remote_id)
        self._closed.set()
