"""The head of a Paddle Lite naive-buffer (`.nb`) file: enough to tell one from anything else.

Layout seen in files written by opt 2.13rc0: u16 little-endian meta version (2), then the opt
version as a NUL-terminated string in a 16-byte field (`v2.13-rc`), then the program.
"""
import struct

from lite.errors import ModelFileError

HEADER_BYTES = 18
KNOWN_META_VERSIONS = (2,)


def parse_nb_header(head):
    """(meta_version, opt_version) from the first bytes of a file, or None if it is no `.nb`."""
    if len(head) < HEADER_BYTES:
        return None
    (meta_version,) = struct.unpack_from("<H", head, 0)
    opt_version = head[2:HEADER_BYTES].split(b"\0", 1)[0]
    if meta_version not in KNOWN_META_VERSIONS or not opt_version.startswith(b"v"):
        return None
    try:
        return meta_version, opt_version.decode("ascii")
    except UnicodeDecodeError:
        return None


def check_nb_file(path, model_name=None):
    """Raise ModelFileError unless `path` is a non-empty Paddle Lite `.nb`; return its opt version."""
    label = f" of {model_name}" if model_name else ""
    try:
        with open(path, "rb") as f:
            head = f.read(HEADER_BYTES)
    except OSError as exc:
        raise ModelFileError(f"model file {path}{label} cannot be read: {exc.strerror}") from exc
    header = parse_nb_header(head)
    if header is None:
        raise ModelFileError(f"model file {path}{label} is not a Paddle Lite .nb file "
                             f"(empty, truncated or another format); convert it again with "
                             f"python lite/opt_models.py --force")
    return header[1]
