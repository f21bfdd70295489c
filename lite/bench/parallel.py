"""Run one worker per device, in parallel; one device's failure ends only that device's work.

A worker is a thread: its time goes to waiting on its device (adb commands, the benchmark running on
the phone), so threads of one process are enough, and the push gate and the progress board are plain
shared objects. `work(serial, board)` does everything for one device and returns what it made,
telling the board (ProgressBoard) where it is.
"""
import threading
import time
from dataclasses import dataclass, field

from lite.errors import DeviceLost, ToolkitError

FINISHED, LOST, FAILED = "finished", "lost", "failed"


@dataclass
class DevicePlace:
    """One device's place in its plan, and how its work ended."""
    serial: str
    phase: str = "waiting"
    folder: str = None  # the results folder's name, once the device's facts are read
    done: int = 0
    total: int = 0
    status: str = None  # FINISHED, LOST or FAILED once ended
    error: str = None
    outcome: object = None  # what `work` returned

    def text(self):
        """'sd855-r58m123 12/45 measuring' (pure)."""
        name = self.folder or self.serial
        where = f" {self.done}/{self.total}" if self.total else ""
        return f"{name}{where} {self.status or self.phase}"


@dataclass
class ProgressBoard:
    """Every device's place; prints them on one line whenever a phase changes, and at most every
    `interval_s` when only positions moved (so a long sweep stays readable)."""
    serials: list
    say: callable = print
    interval_s: float = 10.0
    clock: callable = time.monotonic
    places: dict = field(init=False)

    def __post_init__(self):
        self.places = {serial: DevicePlace(serial) for serial in self.serials}
        self._lock = threading.RLock()
        self._last_print = None

    def line(self):
        with self._lock:
            return "devices: " + " | ".join(place.text() for place in self.places.values())

    def update(self, serial, **changes):
        with self._lock:
            place = self.places[serial]
            phase_changed = any(key in changes and changes[key] != getattr(place, key)
                                for key in ("phase", "status", "folder"))
            for key, value in changes.items():
                setattr(place, key, value)
            now = self.clock()
            if phase_changed or self._last_print is None or now - self._last_print >= self.interval_s:
                self._last_print = now
                self.say(self.line())

    def device_say(self, serial):
        """A `say` for one device's own lines: each starts with the device's name."""
        def say(text):
            with self._lock:
                name = self.places[serial].folder or serial
                self.say("\n".join(f"[{name}] {line}" if line else line for line in str(text).split("\n")))
        return say


def run_per_device(serials, work, board, problems=None):
    """Run `work(serial, board)` for every serial in its own thread; wait for all. `problems`: {serial: why}
    for devices known unusable before starting (they are reported, not run). Returns the board's places."""
    problems = problems or {}

    def worker(serial):
        try:
            outcome = work(serial, board)
            board.update(serial, status=FINISHED, outcome=outcome, phase="done")
        except DeviceLost as exc:
            board.update(serial, status=LOST, error=str(exc))
        except ToolkitError as exc:
            board.update(serial, status=FAILED, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug met on one device must not end the others' work
            board.update(serial, status=FAILED, error=f"internal error {exc.__class__.__name__}: {exc}")

    threads = []
    for serial in serials:
        if serial in problems:
            board.update(serial, status=FAILED, error=problems[serial])
            continue
        thread = threading.Thread(target=worker, args=(serial,), name=f"device {serial}", daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        while thread.is_alive():  # join in slices, so that Ctrl-C reaches the main thread
            thread.join(0.5)
    return list(board.places.values())


class FolderClaims:
    """Each results folder belongs to one device of the sweep: a second device whose name comes out the
    same (two serials made safe alike) is refused rather than mixed in."""

    def __init__(self):
        self._owners, self._lock = {}, threading.Lock()

    def claim(self, folder, serial):
        with self._lock:
            owner = self._owners.setdefault(str(folder), serial)
        if owner != serial:
            raise ToolkitError(f"its results folder {folder} is already {owner}'s in this sweep; "
                               f"sweep the two devices separately with --name")
