"""Text helpers (pure)."""
import re


def last_line(text, default=""):
    """The last non-empty line of `text` (stripped), or `default`."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else default


def safe_name(text, fallback="device"):
    """A plain folder name made from untrusted text: letters, digits, `_`, `-`, `.`; never `.` or `..`."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text or "")).strip("._")[:64].lower()
    return name or fallback
