"""The one place where typed errors become one line on stderr and an exit status: the commands
(lite/cli) and the child processes they start (lite/runtime) both end here."""
import sys
from pathlib import Path

from lite.errors import DeviceError, DeviceLost, ToolkitError
from lite.util.files import disk_full_error, is_disk_full

EXIT_FAILED_CELLS = 1
EXIT_SLOWER = 1  # compare --fail-if-slower: a trusted cell significantly slower than allowed
# Status 2 has three causes with one number (scripts and CI parse it; it stays 2 for each):
EXIT_BAD_INPUT = 2  # the user's options or files
EXIT_DEVICE_ERROR = 2  # a device refused or failed a command (not gone: that is EXIT_DEVICE_LOST)
EXIT_UNREADABLE_RESULTS = 2  # result files that could not be read (the tables leave them out)
EXIT_NO_SPACE = 2  # the output folder's filesystem is full
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
    except DeviceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DEVICE_ERROR
    except ToolkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        folder = Path(exc.filename).parent if exc.filename else "the output folder"
        print(f"error: {disk_full_error(folder, exc.filename)}", file=sys.stderr)
        return EXIT_NO_SPACE
    except KeyboardInterrupt:
        print("interrupted: finished work is kept and nothing half-written is left", file=sys.stderr)
        return EXIT_INTERRUPTED
