"""Which devices a many-device sweep runs on (pure): `--devices all`, `--devices SERIAL,...` and repeated
`--tcp HOST:PORT`, checked against what the adb server lists. A device that cannot be used (unauthorized,
offline, not attached) becomes a target with its problem in words, so that it is reported with the
others instead of stopping them."""
import argparse
from dataclasses import dataclass

from lite.devices.adb_program import UNAUTHORIZED_HELP
from lite.errors import DeviceError

ALL = "all"


@dataclass(frozen=True)
class Target:
    serial: str  # as adb names it: a USB serial or HOST:PORT
    problem: str = None  # why it cannot be used, known before any work starts


def devices_option(text):
    """An argparse type: `all`, or comma-separated serials (as `adb devices` prints them)."""
    if text.strip() == ALL:
        return ALL
    serials = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    bad = [s for s in serials if any(c.isspace() or ord(c) < 32 for c in s)]
    if not serials or bad:
        raise argparse.ArgumentTypeError(f"--devices takes 'all' or serials separated by commas, as `adb devices` "
                                         f"prints them, not '{text}'")
    return serials


def state_problem(state):
    """Why a device in this `adb devices` state cannot be used, or None when it can."""
    if state == "device":
        return None
    if state == "unauthorized":
        return f"unauthorized: {UNAUTHORIZED_HELP}"
    return f"{state}: reconnect it and check `adb devices`"


def plan_targets(requested, listing, extra=()):
    """The targets, in order and each once. `requested`: ALL or serials; `listing`: [(serial, state)] from
    the adb server; `extra`: serials also wanted (connected with --tcp). ALL takes every listed device,
    including unusable ones, which are reported."""
    states = dict(listing)
    wanted = [serial for serial, _ in listing] if requested == ALL else list(requested or ())
    wanted = list(dict.fromkeys([*wanted, *extra]))
    if not wanted:
        raise DeviceError("no device attached: plug the phones in with USB debugging enabled (or give --tcp "
                          "HOST:PORT for each), then check `adb devices`")
    attached = ", ".join(serial for serial, _ in listing) or "none"
    return [Target(serial, state_problem(states[serial]) if serial in states else
                   f"not in `adb devices` (attached: {attached})") for serial in wanted]
