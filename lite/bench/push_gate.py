"""Keep pushes from this host out of other devices' measurements, when several devices are swept at once.

Phones on one host share its USB bus and CPU: a push of 17 MB to one phone while another is timing a
model costs that phone's measurement host-side interrupts and adb server time. The gate makes every
measurement wait while a push to another device is under way or waiting, and every push wait while
another device is measuring (pushes go first once they ask, so a busy fleet cannot starve them; a
device never waits for itself). With `overlap=True` nothing waits and overlaps are only counted.

Each measurement gets a record of what happened: how long it waited for pushes, and how many pushes to
other devices ran while it measured (always 0 unless overlap is allowed).
"""
import threading
import time
from collections import Counter
from contextlib import contextmanager


class PushGate:
    def __init__(self, overlap=False, clock=time.monotonic):
        self.overlap, self._clock = overlap, clock
        self._changed = threading.Condition()
        self._pushing, self._waiting_pushes, self._measuring = Counter(), Counter(), Counter()
        self._records = {}  # measurement id -> (owner, its record)

    @staticmethod
    def _others(counter, owner):
        return sum(count for who, count in counter.items() if who != owner)

    @contextmanager
    def pushing(self, owner):
        """Around one transfer to or from `owner`'s device."""
        with self._changed:
            self._waiting_pushes[owner] += 1
            if not self.overlap:
                self._changed.wait_for(lambda: self._others(self._measuring, owner) == 0)
            self._waiting_pushes[owner] -= 1
            self._pushing[owner] += 1
            for who, record in self._records.values():
                if who != owner:
                    record["pushes_to_other_devices"] += 1
        try:
            yield
        finally:
            with self._changed:
                self._pushing[owner] -= 1
                self._changed.notify_all()

    @contextmanager
    def measuring(self, owner):
        """Around one measurement on `owner`'s device; yields its record (filled in as it goes)."""
        with self._changed:
            started = self._clock()
            if not self.overlap:
                self._changed.wait_for(lambda: self._others(self._pushing, owner) == 0
                                       and self._others(self._waiting_pushes, owner) == 0)
            record = {"waited_for_pushes_s": round(self._clock() - started, 3),
                      "pushes_to_other_devices": self._others(self._pushing, owner), "overlap_push": self.overlap}
            key = object()
            self._records[key] = (owner, record)
            self._measuring[owner] += 1
        try:
            yield record
        finally:
            with self._changed:
                self._measuring[owner] -= 1
                del self._records[key]
                self._changed.notify_all()


class GatedDevice:
    """A device whose transfers (push, pull) pass through a PushGate; everything else is the device's."""

    def __init__(self, device, gate, owner):
        self._device, self._gate, self._owner = device, gate, owner

    def __getattr__(self, name):
        return getattr(self._device, name)

    def push(self, local_path, device_path):
        with self._gate.pushing(self._owner):
            return self._device.push(local_path, device_path)

    def pull(self, device_path, local_path):
        with self._gate.pushing(self._owner):
            return self._device.pull(device_path, local_path)

    def close(self):
        self._device.close()
