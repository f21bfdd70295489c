"""One rule for a whole `.nb`: the Python check (lite/convert/nb_format.py) and the C++ check
(cxx_demo/src/nb_file.cc, run inside mnv1_bench) judge the same crafted files alike, word for word.
The C++ side runs natively (host build) and on the real ARM library under qemu."""
import struct
import subprocess

import pytest
from helpers import nb_bytes
from test_cxx_real_arm import QEMU

from lite.convert.nb_format import layout_problem

RECORD_SIZES = (8, 0, 24, 5)


def crafted_files():
    whole = nb_bytes()
    start = len(whole) - sum(4 + size for size in RECORD_SIZES)
    boundaries, offset = [], start
    for size in RECORD_SIZES[:-1]:
        offset += 4 + size
        boundaries.append(offset)
    files = {"whole": whole, "no records, count 0": nb_bytes(records=(), declared=0),
             "count 0 but records follow": nb_bytes(declared=0),
             "count larger than records": nb_bytes(declared=len(RECORD_SIZES) + 1),
             "program size 2^64-1": nb_bytes(program_size=2 ** 64 - 1),
             "record size 2^32-1": nb_bytes(records=(8,), declared=2) + struct.pack("<I", 2 ** 32 - 1) + b"abc",
             "cut in a record size": whole[:start + 2], "cut mid-record": whole[:start + 4 + 3],
             "cut after the weights head": whole[:start], "one byte extra": whole + b"\0"}
    files.update({f"cut at record boundary {i + 1}": whole[:cut] for i, cut in enumerate(boundaries)})
    return files


FILES = crafted_files()


def python_verdict(data):
    return layout_problem(lambda offset, count: data[offset:offset + count], len(data))


def cxx_verdict(command, path):
    done = subprocess.run([*command, "--model", str(path), "--warmup", "0", "--repeats", "1"],
                          capture_output=True, text=True, timeout=120)
    marker = "is not a usable Paddle Lite .nb: "
    if marker not in done.stderr:
        return None, done
    return done.stderr.split(marker, 1)[1].rsplit(" (convert it again", 1)[0], done


def test_the_crafted_set_covers_whole_and_damaged_files():
    verdicts = {name: python_verdict(data) for name, data in FILES.items()}
    assert verdicts["whole"] is None and verdicts["no records, count 0"] is None
    assert all(verdicts[name] for name in FILES if name not in ("whole", "no records, count 0"))
    assert all(verdicts[name].startswith("truncated") for name in FILES if "cut at record boundary" in name)


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.slow
def test_host_build_judges_each_crafted_file_as_python_does(cxx_builds, name, tmp_path):
    path = tmp_path / "model.nb"
    path.write_bytes(FILES[name])
    problem, done = cxx_verdict([str(cxx_builds["host"] / "bin" / "mnv1_bench")], path)
    assert problem == python_verdict(FILES[name]), done.stderr
    assert done.returncode == (6 if problem else 0), done.stderr


@pytest.mark.slow
@pytest.mark.real_arm
def test_real_arm_build_refuses_every_damaged_file_before_paddle_lite_aborts(real_arm_builds, tmp_path):
    command = [*QEMU, "-cpu", "max", str(real_arm_builds["fp32"] / "bin" / "mnv1_bench")]
    for name, data in FILES.items():
        expected = python_verdict(data)
        if expected is None:
            continue  # a whole crafted file has no real program: the real library is not for it
        path = tmp_path / "model.nb"
        path.write_bytes(data)
        problem, done = cxx_verdict(command, path)
        assert (problem, done.returncode) == (expected, 6), (name, done.stderr)
