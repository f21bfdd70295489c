"""Before a library goes to a phone: 16 KB page alignment (Google Play) and the opt/library version match, on
crafted ELF files and on Paddle Lite's real ARM library and benchmark_bin."""
import struct
import zipfile

import pytest
from helpers import run_cli

from lite.app.android_install import apk_libraries, refuse_4k_pages
from lite.errors import InstallError
from lite.runtime.library_checks import (
    library_version,
    load_alignments,
    page_problem,
    pre_push_warnings,
    read_library,
    version_problem,
)


def crafted_elf(alignments, version=b""):
    """A little-endian ELF64 with one PT_LOAD program header per alignment (and a PT_DYNAMIC one), then `version`."""
    headers = b"".join(struct.pack("<IIQQQQQQ", 1, 5, 0, 0, 0, 64, 64, align) for align in alignments)
    headers += struct.pack("<IIQQQQQQ", 2, 6, 0, 0, 0, 0, 0, 8)  # PT_DYNAMIC: not a LOAD, not judged
    count = len(alignments) + 1
    header = (b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HHIQQQIHHHHHH", 3, 183, 1, 0, 64, 0, 0, 64,
                                                                          56, count, 64, 0, 0))
    return header + headers + version


def test_load_alignments_are_read_from_the_program_headers():
    assert load_alignments(crafted_elf([0x1000, 0x1000])) == [4096, 4096]
    assert load_alignments(b"not an elf at all") is None
    bogus = bytearray(crafted_elf([0x4000]))
    struct.pack_into("<H", bogus, 0x38, 60000)  # a header count that would read past the end: refused, no crash
    assert load_alignments(bytes(bogus)) is None


def test_a_4k_library_is_named_with_the_fix_and_a_16k_one_passes():
    problem = page_problem("lib/libpaddle_lite_jni.so", crafted_elf([0x1000, 0x1000]))
    assert problem.startswith("libpaddle_lite_jni.so aligns its LOAD segments to 4 KB;")
    assert "NDK r27" in problem and "16 KB" in problem
    assert page_problem("libx.so", crafted_elf([0x4000, 0x10000])) is None
    assert page_problem("libx.so", crafted_elf([0x6000])) is not None  # 24 KB is no multiple of 16 KB


@pytest.mark.slow
@pytest.mark.real_arm
def test_the_real_arm_library_is_16k_aligned_and_says_its_version(paddle_lite_arm):
    light_api = paddle_lite_arm["fp32"] / "cxx" / "lib" / "libpaddle_light_api_shared.so"
    data = read_library(light_api)
    assert load_alignments(data) == [65536, 65536] and page_problem(light_api, data) is None
    assert library_version(data) == "v2.13-rc"  # the version pip paddlelite 2.13rc0's opt writes into every .nb
    assert library_version(read_library(paddle_lite_arm["benchmark_bin"])) == "v2.13-rc"
    assert version_problem(light_api, data, ["v2.13-rc"]) is None
    problem = version_problem(light_api, data, ["v2.12"])
    assert "opt v2.12" in problem and "Paddle Lite v2.13-rc" in problem and "not consistent" in problem


def test_the_sweep_warns_before_pushing(tmp_path):
    old = tmp_path / "libpaddle_light_api_shared.so"
    old.write_bytes(crafted_elf([0x1000], version=b"\x00v2.12\x00"))
    gomp = tmp_path / "libgomp.so.1"
    gomp.write_bytes(crafted_elf([0x10000]))
    warnings = pre_push_warnings([old, gomp, tmp_path / "m.nb"], {"v2.13-rc"})
    assert len(warnings) == 2 and warnings[0].startswith("libpaddle_light_api_shared.so aligns")
    assert "opt v2.13-rc" in warnings[1] and "Paddle Lite v2.12" in warnings[1]
    assert pre_push_warnings([old], {"v2.13-rc"}, android=False) == warnings[1:]  # ARM Linux boards: no Play rule


def test_the_app_refuses_a_4k_library_unless_allowed(tmp_path):
    apk = tmp_path / "app.apk"
    with zipfile.ZipFile(apk, "w") as archive:
        archive.writestr("lib/arm64-v8a/libpaddle_lite_jni.so", crafted_elf([0x1000]))
        archive.writestr("classes.dex", b"dex")
    libraries = apk_libraries(apk)
    assert list(libraries) == ["lib/arm64-v8a/libpaddle_lite_jni.so"]
    with pytest.raises(InstallError, match="--allow-4k-pages"):
        refuse_4k_pages(libraries)
    said = []
    assert len(refuse_4k_pages(libraries, allowed=True, say=said.append)) == 1 and said[0].startswith("warning: ")
    done = run_cli("android_demo/install.py", "--apk", apk, "--transport", "tcp", "--tcp", "127.0.0.1:1")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "libpaddle_lite_jni.so aligns its LOAD segments to 4 KB" in done.stderr  # before any device is reached
