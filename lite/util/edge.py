"""The one place where typed errors become one line on stderr and an exit status: the commands
(lite/cli) and the child processes they start (lite/runtime) both end here."""
import sys
from pathlib import Path

from lite.errors import DeviceLost, ToolkitError
from lite.util.files import disk_full_error, is_disk_full

EXIT_FAILED_CELLS = 1
EXIT_BAD_INPUT = 2
EXIT_DEVICE_LOST = 3
EXIT_UNSTABLE = 4  # every cell measured, some still unstable after re-measuring (marked in the tables)
EXIT_INTERRUPTED = 130


def run_edge(body, lost_hint="reconnect the device and run again"):
    """Return body()'s exit status; a user's mistake or a lost device is a sentence, not a trace."""
    try:
        return body()
    except DeviceLost as exc:
        print(f"error: {exc}; {lost_hint}", file=sys.stderr)
        return EXIT_DEVICE_LOST
    except ToolkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        folder = Path(exc.filename).parent if exc.filename else "the output folder"
        print(f"error: {disk_full_error(folder, exc.filename)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: finished work is kept and nothing half-written is left", file=sys.stderr)
        return EXIT_INTERRUPTED
