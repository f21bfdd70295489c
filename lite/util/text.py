"""Text helpers (pure)."""
import re
import signal


def last_line(text, default=""):
    """The last non-empty line of `text` (stripped), or `default`."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else default


def exit_reason(code):
    """How a process ended, in words: Python reports a signal death as -N, shells (adb's too) as 128+N."""
    if code < 0 or code > 128:
        number = -code if code < 0 else code - 128
        try:
            return f"crashed with signal {number} ({signal.Signals(number).name})"
        except ValueError:
            return f"crashed with signal {number}"
    return f"exited with status {code}"


def safe_name(text, fallback="device"):
    """A plain folder name made from untrusted text: letters, digits, `_`, `-`, `.`; never `.` or `..`."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text or "")).strip("._")[:64].lower()
    return name or fallback
