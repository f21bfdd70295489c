"""The layout of a Paddle Lite naive-buffer (`.nb`) file: enough to tell a whole one from anything else.

Seen in every file opt 2.13rc0 writes (meta version 2), and read the same way by cxx_demo/src/nb_file.cc
(keep the two alike):
    u16 meta version (2) | char[16] opt version, NUL-terminated ("v2.13-rc") | u64 program size |
    program | 12-byte weights table head (u16 record count at offset 6) | records: u32 size + that many bytes
The records end exactly at the end of the file. Why check at all: Paddle Lite's ARM library (as
released, LITE_WITH_EXCEPTION=OFF) aborts the whole process on a truncated or foreign file.
"""
import os
import struct

from lite.errors import ModelFileError

HEADER_BYTES = 18  # meta version + opt version
HEAD_BYTES = HEADER_BYTES + 8  # + program size
PARAMS_HEAD_BYTES = 12
PARAM_COUNT_OFFSET = 6
KNOWN_META_VERSIONS = (2,)


def parse_nb_header(head):
    """(meta_version, opt_version) from the first bytes of a file, or None if it is no `.nb`."""
    if len(head) < HEADER_BYTES:
        return None
    (meta_version,) = struct.unpack_from("<H", head, 0)
    opt_version = head[2:HEADER_BYTES].split(b"\0", 1)[0]
    if meta_version not in KNOWN_META_VERSIONS or not opt_version.startswith(b"v") or b"\0" not in head[2:HEADER_BYTES]:
        return None
    try:
        return meta_version, opt_version.decode("ascii")
    except UnicodeDecodeError:
        return None


def layout_problem(read_at, file_bytes):
    """What is wrong with a `.nb`'s layout, or None (pure: `read_at(offset, count)` gives its bytes)."""
    if file_bytes < HEAD_BYTES:
        return f"only {file_bytes} bytes, shorter than a .nb header"
    if parse_nb_header(read_at(0, HEADER_BYTES)) is None:
        return "not a Paddle Lite .nb written by opt 2.x (unknown header)"
    (program_bytes,) = struct.unpack("<Q", read_at(HEADER_BYTES, 8))
    if HEAD_BYTES + program_bytes + PARAMS_HEAD_BYTES > file_bytes:
        return (f"truncated: the header announces a {program_bytes}-byte program but the file has "
                f"{file_bytes} bytes")
    offset = HEAD_BYTES + program_bytes
    (count,) = struct.unpack("<H", read_at(offset + PARAM_COUNT_OFFSET, 2))
    offset += PARAMS_HEAD_BYTES
    for _ in range(count):
        if offset + 4 > file_bytes:
            offset = file_bytes + 1
            break
        (size,) = struct.unpack("<I", read_at(offset, 4))
        offset += 4 + size
    if offset > file_bytes:
        return f"truncated: its {count} weight records need more than the {file_bytes} bytes present"
    if offset < file_bytes:
        return f"damaged: {file_bytes - offset} bytes follow the last weight record"
    return None


def normalize_nb_header(path):
    """Zero the version field after its NUL, in place: opt 2.13rc0 copies 16 bytes from a shorter string
    there, so 4 bytes of whatever lay in memory end up in every `.nb` and two conversions of the same
    files differ (seen: bytes 11-14). Paddle Lite reads the field as a C string, so this changes nothing
    it sees and makes conversions byte-for-byte reproducible."""
    with open(path, "r+b") as f:
        head = f.read(HEADER_BYTES)
        if parse_nb_header(head) is None:
            return False
        version = head[2:HEADER_BYTES].split(b"\0", 1)[0]
        clean = version.ljust(HEADER_BYTES - 2, b"\0")
        if clean != head[2:HEADER_BYTES]:
            f.seek(2)
            f.write(clean)
        return True


def nb_problem(path):
    """What is wrong with the `.nb` at `path`, or None (reads only what the layout check needs)."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size

        def read_at(offset, count):
            f.seek(offset)
            return f.read(count)

        return layout_problem(read_at, size)


def check_nb_file(path, model_name=None):
    """Raise ModelFileError unless `path` is a whole Paddle Lite `.nb`; return its opt version."""
    label = f" of {model_name}" if model_name else ""
    try:
        problem = nb_problem(path)
        with open(path, "rb") as f:
            header = parse_nb_header(f.read(HEADER_BYTES))
    except OSError as exc:
        raise ModelFileError(f"model file {path}{label} cannot be read: {exc.strerror}") from exc
    if problem:
        raise ModelFileError(f"model file {path}{label} is not a usable Paddle Lite .nb: {problem}; "
                             f"convert it again with python lite/opt_models.py --force")
    return header[1]
