"""A fork server for host cells: imports numpy and paddlelite once, then forks one fresh process per cell.

The host runner starts it (`python -m lite.runtime.cell_server`) and talks to it over its stdin and
stdout, one JSON line each way: a request `{"argv": [...], "stdout": PATH, "stderr": PATH}` is answered
with `{"pid": N}` when the cell process has been forked and `{"status": S}` when it has ended (S as
`subprocess` gives it: negative for a signal). The server itself creates no predictor, starts no math
threads and sets no affinity, so each cell starts as fresh as a new interpreter, at about 45 ms a
cell (predictor creation included) instead of about 0.9 s. The server ends at the end of its stdin,
or with the process that started it. (multiprocessing's own fork server re-imports the parent's main
module in every child - run_host.py with matplotlib, 0.7 s to import here - and hands each child a
pipe that kept the server alive after the sweep died.)
"""
import json
import os
import sys

from lite.runtime import bench_cell
from lite.runtime.engines import import_engine
from lite.util.children import die_with_parent


def serve(requests, answers):
    print(json.dumps({"ready": True}), file=answers, flush=True)
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:  # the cell: never returns
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            bench_cell.child_main(request["argv"], request["stdout"], request["stderr"])
        print(json.dumps({"pid": pid}), file=answers, flush=True)
        _, wait_status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(wait_status)}), file=answers, flush=True)


def main(argv=None):
    """`python -m lite.runtime.cell_server [ENGINE]`: ENGINE's library (default: Paddle Lite's) is imported once
    here and inherited by every cell; one engine a server, as Paddle and Paddle Lite in one process abort."""
    argv = sys.argv[1:] if argv is None else argv
    die_with_parent()
    import_engine(argv[0] if argv else "paddle-lite")
    serve(sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
