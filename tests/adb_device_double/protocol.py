"""ADB packets as the real clients send and check them, and Android's RSA public-key format."""
import base64
import struct

A_SYNC = 0x434E5953
A_CNXN = 0x4E584E43
A_AUTH = 0x48545541
A_OPEN = 0x4E45504F
A_OKAY = 0x59414B4F
A_CLSE = 0x45534C43
A_WRTE = 0x45545257
NAMES = {A_SYNC: "SYNC", A_CNXN: "CNXN", A_AUTH: "AUTH", A_OPEN: "OPEN", A_OKAY: "OKAY", A_CLSE: "CLSE",
         A_WRTE: "WRTE"}

DEVICE_VERSION = 0x01000001
DEVICE_MAX_PAYLOAD = 1024 * 1024
AUTH_TOKEN, AUTH_SIGNATURE, AUTH_RSAPUBLICKEY = 1, 2, 3
HEADER = struct.Struct("<6I")


class ProtocolError(Exception):
    pass


def checksum(data):
    return sum(data) & 0xFFFFFFFF


def encode(command, arg0, arg1, data=b""):
    """A packet with the checksum always filled in (adb-shell checks it; adb 29 does not)."""
    return HEADER.pack(command, arg0, arg1, len(data), checksum(data), command ^ 0xFFFFFFFF) + data


def decode_header(raw):
    command, arg0, arg1, length, check, magic = HEADER.unpack(raw)
    if magic != command ^ 0xFFFFFFFF:
        raise ProtocolError(f"bad magic for command {command:#x}")
    if command not in NAMES:
        raise ProtocolError(f"unknown command {command:#x}")
    return command, arg0, arg1, length, check


def decode_android_public_key(text):
    """(n, e) from Android's adbkey.pub format: base64 of {len, n0inv, n[len], rr[len], e} words."""
    blob = base64.b64decode(text.strip().split(b" " if isinstance(text, bytes) else " ")[0])
    (words,) = struct.unpack_from("<I", blob, 0)
    modulus = int.from_bytes(blob[8:8 + 4 * words], "little")
    (exponent,) = struct.unpack_from("<I", blob, 8 + 8 * words)
    return modulus, exponent


def key_id(text):
    """The base64 body of a public key, as a stable identity (the comment after it may differ)."""
    text = text.decode() if isinstance(text, bytes) else text
    return text.strip().rstrip("\0").split(" ")[0]


def verify_token_signature(public_key_text, token, signature):
    """adb signs the 20-byte token as if it were a SHA-1 digest (PKCS#1 v1.5, SHA-1 DigestInfo)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
    modulus, exponent = decode_android_public_key(public_key_text)
    key = rsa.RSAPublicNumbers(exponent, modulus).public_key()
    try:
        key.verify(signature, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
        return True
    except (InvalidSignature, ValueError):
        return False
