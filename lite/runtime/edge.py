"""The edge of the child processes (host_check, bench_cell): a typed error is one line on stderr."""
import sys

from lite.errors import ToolkitError

EXIT_FAILED = 2


def child_edge(body):
    """Return body()'s exit status; a ToolkitError becomes `error: <sentence>` and status 2."""
    try:
        return body()
    except ToolkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
