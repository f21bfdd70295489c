"""Checks of a Paddle Lite library before it goes to a phone (pure readers of its bytes, plus one file read).

- 16 KB pages: Google Play requires that Android libraries align their ELF LOAD segments to 16 KB (for
  Android 15 devices with 16 KB pages; Paddle-Lite issues #10696, #10540). NDKs before r27 link with 4 KB.
- Version match: Paddle Lite writes opt's version into every `.nb` (`v2.13-rc`) and its library carries its
  own (the string printed after `paddle_version:`); when they differ the phone logs "version of opt ... not
  consistent" at load time. Said here first, with both versions.
A library is an untrusted file: its program headers are bounded before they are read.
"""
import re
import struct
from pathlib import Path

from lite.util.units import MIB

PAGE_16K = 16 * 1024
MAX_LIBRARY_BYTES = 512 * MIB  # benchmark_bin, which links Paddle Lite statically, is 17.7 MB
MAX_PROGRAM_HEADERS = 256
PT_LOAD = 1
# Paddle Lite's version strings as its sources write them: v2.13-rc, v2.12, v2.10.1 (NUL-delimited in the binary)
VERSION = re.compile(rb"\x00(v\d{1,2}\.\d{1,2}(?:\.\d{1,2})?(?:-rc\d?)?)\x00")


def load_alignments(data):
    """The p_align of every LOAD segment of an ELF file's bytes, or None when it is no ELF (pure)."""
    if data[:4] != b"\x7fELF" or len(data) < 52:
        return None
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    if wide:
        phoff, = struct.unpack_from(order + "Q", data, 0x20)
        entry_size, count = struct.unpack_from(order + "HH", data, 0x36)
    else:
        phoff, = struct.unpack_from(order + "I", data, 0x1C)
        entry_size, count = struct.unpack_from(order + "HH", data, 0x2A)
    if count > MAX_PROGRAM_HEADERS or entry_size < (56 if wide else 32) or phoff + count * entry_size > len(data):
        return None
    alignments = []
    for index in range(count):
        at = phoff + index * entry_size
        p_type, = struct.unpack_from(order + "I", data, at)
        if p_type == PT_LOAD:
            alignments.append(struct.unpack_from(order + ("Q" if wide else "I"), data, at + (48 if wide else 28))[0])
    return alignments


def page_problem(path, data):
    """None when every LOAD segment is aligned to 16 KB (or more), else one sentence naming the file and the fix."""
    alignments = load_alignments(data)
    if alignments is None:
        return None  # not an ELF file: nothing of this kind to say
    small = sorted({a for a in alignments if a < PAGE_16K or a % PAGE_16K})
    if not small:
        return None
    shown = ", ".join(f"{a // 1024} KB" if a >= 1024 else f"{a} B" for a in small)
    return (f"{Path(path).name} aligns its LOAD segments to {shown}; Google Play requires 16 KB for Android 15 "
            f"devices with 16 KB pages: rebuild it with NDK r27 or later (or link with -Wl,-z,max-page-size=16384)")


def library_version(data):
    """The Paddle Lite version a library (or benchmark_bin) carries, or None when none is found (pure)."""
    found = VERSION.findall(data)
    return found[-1].decode() if found else None


def read_library(path):
    """The bytes of a library, bounded: a larger file is no Paddle Lite library."""
    path = Path(path)
    if path.stat().st_size > MAX_LIBRARY_BYTES:
        return b""
    return path.read_bytes()


def version_problem(library_path, library_data, opt_versions):
    """None when every `.nb`'s opt version is the library's, else the sentence Paddle Lite's warning would be."""
    have = library_version(library_data)
    other = sorted({v for v in opt_versions if v and have and v != have})
    if not other:
        return None
    return (f"the models were converted by opt {', '.join(other)} but {Path(library_path).name} is Paddle Lite "
            f"{have}: the phone will log \"version of opt ... not consistent\"; convert with the paddlelite "
            f"package of the library's version, or push the library that matches opt")


PADDLE_LITE_BINARIES = ("libpaddle_light_api_shared.so", "libpaddle_lite_jni.so", "libpaddle_full_api_shared.so",
                        "benchmark_bin")


def pre_push_warnings(local_files, opt_versions, android=True):
    """What to say before pushing: each ELF library of `local_files` not aligned to 16 KB (on Android), and a
    Paddle Lite library whose version is not the `.nb` files' opt version. One sentence each."""
    warnings = []
    for path in sorted({Path(p) for p in local_files}):
        if not (path.suffix == ".so" or ".so." in path.name or path.name in PADDLE_LITE_BINARIES) or \
                not path.is_file():
            continue
        data = read_library(path)
        problem = page_problem(path, data) if android and path.name != "benchmark_bin" else None
        if problem:
            warnings.append(problem)
        if path.name in PADDLE_LITE_BINARIES:
            mismatch = version_problem(path, data, opt_versions)
            if mismatch:
                warnings.append(mismatch)
    return warnings
