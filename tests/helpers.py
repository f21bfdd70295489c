"""What the tests share, imported by name (`from helpers import run_cli`): commands run the way a user runs
them, the quick sweep options, result files read back, the smallest `.nb`. Fixtures live in conftest.py."""
import fcntl
import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

from lite.bench.results import load_results

REPO = Path(__file__).resolve().parent.parent


def wait_for(condition, timeout_s=3.0, poll_s=0.05):
    """Poll `condition` until it holds or `timeout_s` passes; its last answer."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll_s)
    return condition()


# One round and no stability limits at all: for tests of other features, which an overloaded machine
# (round medians 10x apart happen) must not turn into exit 4 (stability has its own tests, test_rounds.py).
ONE_ROUND = ("--rounds", "1", "--max-retries", "0", *("--max-cv", "off", "--max-spread", "off", "--max-other-cores",
                                                      "off"))
NO_LIMITS = ("--max-retries", "0", "--max-cv", "off", "--max-spread", "off", "--max-other-cores", "off")

# The quick sweep of the tests that are about something else than timing (one round, no limits).
FAST_SWEEP = ("--warmup", "1", "--repeats", "5", "--cooldown", "0", *ONE_ROUND)


def run_cli(*args, cwd=REPO, timeout=600, env=None):
    """Run a command-line script the way a user does, from the repo root."""
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)


def md_tables(markdown):
    """Every pipe table in `markdown` as rows of stripped cells (header rows included, rules left out): the
    tables pad their columns, so tests compare cells, never spacing."""
    tables, current = [], None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            current = None
            continue
        if current is None:
            current = []
            tables.append(current)
        if not set(line) <= set("|:- "):
            current.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return tables


def md_row(markdown, *first_cells, table=0):
    """The one row of the markdown's first (or `table`-th) table whose leading cells are `first_cells`."""
    found = [row for row in md_tables(markdown)[table] if row[:len(first_cells)] == list(first_cells)]
    assert len(found) == 1, (first_cells, found)
    return found[0]


def with_defaults(defaults, args):
    """`defaults` (option, value pairs) less the options that `args` gives: the commands refuse an option
    given twice, so a test's own value replaces the default instead of following it."""
    given = {str(arg) for arg in args if str(arg).startswith("--")}
    pairs = zip(defaults[::2], defaults[1::2])
    return tuple(item for option, value in pairs if option not in given for item in (option, value))


def run_sd855(device, build_dir, models_dir, results, *args, transport="tcp", env=None, timeout=600):
    """`python bench_scripts/run_sd855.py` on one device double, with the quick sweep where `args` is silent."""
    return run_cli("bench_scripts/run_sd855.py", "--transport", transport, "--tcp", device.serial, "--build-dir",
                   build_dir, "--models-dir", models_dir, "--results", results, *with_defaults(FAST_SWEEP, args),
                   *args, env=env, timeout=timeout)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_result_dicts(result_dir):
    """The result files of a folder, loaded by the product's loader (which must read every one),
    as the dictionaries they hold on disk."""
    loaded = load_results(result_dir)
    assert not loaded.problems, [str(p) for p in loaded.problems]
    return [r.as_dict() for r in loaded.results]


def nb_bytes(program=b"PROG" * 3, records=(8, 0, 24, 5), declared=None, program_size=None):
    """A file in opt 2.13rc0's `.nb` layout (lite/convert/nb_format.py): header, program, the weights' head
    (record count at 6) and records; `records` are sizes or the bytes themselves. `nb_bytes(b"", ())` is the
    smallest: no program, no weights (only the light-API double can "run" it)."""
    head = struct.pack("<H", 2) + b"v2.13-rc".ljust(16, b"\0")
    head += struct.pack("<Q", len(program) if program_size is None else program_size) + program
    table = b"\0" * 6 + struct.pack("<H", len(records) if declared is None else declared) + b"\0" * 4
    body = b"".join(struct.pack("<I", len(r)) + r for r in
                    (bytes(range(r)) if isinstance(r, int) else r for r in records))
    return head + table + body


def fill(folder):
    """Fill the filesystem holding `folder` to the last byte."""
    fd = os.open(Path(folder) / ".filler", os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (65536, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError:
                pass
    finally:
        os.close(fd)


def _encoded(value):
    if isinstance(value, Path):
        return {"__path__": str(value)}
    if isinstance(value, dict):
        return {key: _encoded(item) for key, item in value.items()}
    return value


def _decoded(value):
    if isinstance(value, dict):
        return Path(value["__path__"]) if set(value) == {"__path__"} else {k: _decoded(v) for k, v in value.items()}
    return value


def made_once(tmp_path_factory, name, make):
    """make(folder) once per test run. Alone, into a fresh folder; under xdist, the first worker to ask makes it
    in a folder of the run that every worker sees, under a lock, and the others wait and read what it made."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent / f"made-once-{name}"  # the run's folder, not the worker's
    with open(root.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = root / "made.json"
        if done.is_file():
            return _decoded(json.loads(done.read_text()))
        root.mkdir(exist_ok=True)
        value = make(root)
        done.write_text(json.dumps(_encoded(value)))
        return value
