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


DEVICE_TEXT_CHARS = 120  # a property, model or CPU name: room for any real one, never megabytes


def clean_untrusted(text, limit=DEVICE_TEXT_CHARS):
    """Untrusted text (a device property, a file name, a program's message) made safe to store (pure):
    bytes decoded with replacement, control characters (newlines too) made spaces, cut to `limit`."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    text = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", str(text)).strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


def clean_tree(value, limit=DEVICE_TEXT_CHARS):
    """clean_untrusted on every string (and key) of nested dicts and lists (pure)."""
    if isinstance(value, str):
        return clean_untrusted(value, limit)
    if isinstance(value, dict):
        return {clean_untrusted(k, limit) if isinstance(k, str) else k: clean_tree(v, limit) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clean_tree(v, limit) for v in value)
    return value


def md_text(text, limit=300):
    """Text for a Markdown report, never able to change its structure (pure): cleaned as untrusted,
    and the table and code syntax (`|`, backtick) escaped."""
    return clean_untrusted(text, limit).replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
