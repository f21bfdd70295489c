"""cxx_demo's programs built for armlinux-aarch64 against Paddle Lite's REAL ARM library
(../shared/paddle_lite or $PADDLE_LITE_ARM_ROOT), run on ARM kernels under qemu-aarch64, on .nb files
lite/opt_models.py made in this test session. The JSON contract, preprocessing, top-5, labels and
errors are proven here; tests/test_cxx_demo.py keeps the light-API stand-in only for what the real
library cannot be made to do (say which thread count it was given, and build for this x86 host)."""
import json
import subprocess

import numpy as np
import pytest

from lite.bench.outputs import parse_bench_output
from lite.convert.export import load_reference_io
from lite.models.preprocess import paddleclas_preprocess, write_ppm
from lite.runtime.failures import failure_reason

pytestmark = [pytest.mark.slow,
              pytest.mark.real_arm]  # ARM programs under qemu or whole sweeps: left out of make test-fast

QEMU = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]
C_LIBRARY = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "ld-linux-aarch64.so.1"}


def run(build_dir, program, *args, cpu="max", timeout=300):
    command = [*QEMU, "-cpu", cpu, str(build_dir / "bin" / program), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def x0_25(arm_models):
    return arm_models / "arm" / "MobileNetV1_x0_25.nb"


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    """A 301x203 RGB image with gradients and texture: exercises resize, crop and channels."""
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:203, 0:301]
    rgb = np.stack([x * 255 // 300, y * 255 // 202, (x * y) % 256], axis=-1).astype(np.int64)
    rgb = np.clip(rgb + rng.integers(-20, 21, rgb.shape), 0, 255).astype(np.uint8)
    path = tmp_path_factory.mktemp("image") / "photo.ppm"
    write_ppm(rgb, path)
    return rgb, path


def test_bench_json_contract_and_logits_on_real_kernels(real_arm_builds, arm_models, x0_25, tmp_path):
    inputs, reference = load_reference_io(arm_models / "paddle" / "MobileNetV1_x0_25" / "reference_io.npz")
    inputs[:1].astype("<f4").tofile(tmp_path / "in.f32")
    done = run(real_arm_builds["fp32"], "mnv1_bench", "--model", x0_25, "--threads", 2, "--warmup", 1, "--repeats", 2,
               "--power_mode", "high", "--input_file", tmp_path / "in.f32", "--output_file", tmp_path / "out.f32")
    assert done.returncode == 0, failure_reason(done.stderr)
    data = parse_bench_output(done.stdout)
    assert (data["threads"], data["power_mode"], data["input_shape"]) == (2, "high", [1, 3, 224, 224])
    assert len(data["samples_ms"]) == 2 and len(data["warmup_samples_ms"]) == 1
    assert data["output_shape"] == [1, 1000] and data["peak_rss_kb"] > 0 and data["cpus_used"]
    logits = np.fromfile(tmp_path / "out.f32", dtype="<f4")
    assert np.abs(logits - reference[0]).max() <= 1e-4 * np.abs(reference[0]).max()  # Paddle's own answer
    assert data["top5"] == list(np.argsort(-logits, kind="stable")[:5])
    assert data["output_checksum"] == pytest.approx(float(logits.astype("float64").sum()), rel=1e-5, abs=1e-4)


def test_info_logging_goes_to_stderr_and_stdout_stays_one_json_line(real_arm_builds, x0_25):
    done = run(real_arm_builds["fp32"], "mnv1_bench", "--model", x0_25, "--warmup", 0, "--repeats", 1)
    assert done.returncode == 0
    assert any(line.startswith("[I ") for line in done.stderr.splitlines())  # Paddle Lite's device_info lines
    assert len(done.stdout.strip().splitlines()) == 1 and json.loads(done.stdout)["repeats"] == 1


@pytest.mark.parametrize("build", ["fp32", "fp16"])
def test_every_needed_library_travels_in_lib(real_arm_builds, build):
    build_dir = real_arm_builds[build]
    shipped = {p.name for p in (build_dir / "lib").iterdir()}
    assert {"libpaddle_light_api_shared.so", "libgomp.so.1", "libstdc++.so.6", "libgcc_s.so.1"} <= shipped
    for binary in [*(build_dir / "bin").iterdir(), *(build_dir / "lib").iterdir()]:
        dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
        needed = {line.split("[", 1)[1].split("]", 1)[0] for line in dynamic.splitlines() if "(NEEDED)" in line}
        assert needed, binary
        assert needed <= shipped | C_LIBRARY, (binary.name, needed - shipped - C_LIBRARY)


def test_programs_start_with_only_lib_and_the_c_library(real_arm_builds, x0_25, tmp_path):
    # A sysroot holding the C library alone, as on a bare board: the rest must come from lib/.
    sysroot = tmp_path / "sysroot" / "lib"
    sysroot.mkdir(parents=True)
    for name in C_LIBRARY:
        source = f"/usr/aarch64-linux-gnu/lib/{name}"
        subprocess.run(["cp", "-L", source, str(sysroot / name)], check=True)
    build_dir = real_arm_builds["fp32"]
    done = subprocess.run(["qemu-aarch64", "-L", str(tmp_path / "sysroot"), str(build_dir / "bin" / "mnv1_bench"),
                           "--model", str(x0_25), "--warmup", "0", "--repeats", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, failure_reason(done.stderr)


def test_preprocessing_matches_python_and_classify_reports_the_kernels_top5(real_arm_builds, x0_25, photo, tmp_path):
    rgb, path = photo
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(f"{k} name of class {k}\n" for k in range(1000)))  # PaddleClas's numbered lines
    done = run(real_arm_builds["fp32"], "mnv1_classify", "--model", x0_25, "--image", path, "--labels", labels,
               "--dump_input", tmp_path / "in.f32", "--repeats", 1, "--warmup", 0)
    assert done.returncode == 0, failure_reason(done.stderr)
    tensor = np.fromfile(tmp_path / "in.f32", dtype="<f4").reshape(1, 3, 224, 224)
    assert np.abs(tensor - paddleclas_preprocess(rgb)).max() <= 1e-3
    result = json.loads(done.stdout.strip().splitlines()[-1])
    logits = run(real_arm_builds["fp32"], "mnv1_bench", "--model", x0_25, "--warmup", 0, "--repeats", 1,
                 "--input_file", tmp_path / "in.f32", "--output_file", tmp_path / "out.f32")
    assert logits.returncode == 0
    expected = list(np.argsort(-np.fromfile(tmp_path / "out.f32", dtype="<f4"), kind="stable")[:5])
    assert result["topk"] == expected
    best = expected[0]
    assert f"1. name of class {best} (class {best}):" in done.stdout  # the class name alone, no number


def test_batch_mode_gives_every_input_the_top5_of_one_call_per_input(real_arm_builds, x0_25, photo, tmp_path):
    """mnv1_classify --inputs LIST (one predictor for all, what eval_accuracy.py runs on a phone) answers each
    input as a separate `--image` run does: three images and the raw tensor one of them dumps."""
    rng = np.random.default_rng(11)
    images = [photo[1]]
    for index in range(2):
        path = tmp_path / f"extra{index}.ppm"
        write_ppm(rng.integers(0, 256, (240 + 17 * index, 320, 3), dtype=np.uint8), path)
        images.append(path)
    single = []
    for index, image in enumerate(images):
        done = run(real_arm_builds["fp32"], "mnv1_classify", "--model", x0_25, "--image", image, "--repeats", 1,
                   "--warmup", 0, "--dump_input", tmp_path / f"in{index}.f32")
        assert done.returncode == 0, failure_reason(done.stderr)
        single.append(json.loads(done.stdout.strip().splitlines()[-1]))
    listed = [*map(str, images), str(tmp_path / "in1.f32"), str(tmp_path / "missing.f32")]
    (tmp_path / "list.txt").write_text("\n".join(listed) + "\n")
    done = run(real_arm_builds["fp32"], "mnv1_classify", "--model", x0_25, "--inputs", tmp_path / "list.txt",
               "--output", tmp_path / "answers.jsonl")
    assert done.returncode == 0, failure_reason(done.stderr)
    answers = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert [a["input"] for a in answers] == listed
    for answer, alone in zip(answers, single):
        assert answer["topk"] == alone["topk"]
        assert answer["probabilities"] == pytest.approx(alone["probabilities"], rel=1e-5)
    assert answers[3]["topk"] == single[1]["topk"]  # the tensor it dumped is the same input
    assert "cannot read" in answers[4]["error"]  # one unreadable input is a line, not the end


def test_plain_label_lines_are_printed_as_they_are(real_arm_builds, x0_25, photo, tmp_path):
    labels = tmp_path / "plain.txt"
    labels.write_text("".join(f"7 wonders {k}\n" if k % 2 else f"plain-{k}\n" for k in range(1000)))
    done = run(real_arm_builds["fp32"], "mnv1_classify", "--model", x0_25, "--image", photo[1], "--labels", labels,
               "--topk", 1000, "--repeats", 1, "--warmup", 0)
    assert done.returncode == 0
    assert "plain-0 (class 0)" in done.stdout and "wonders 1 (class 1)" in done.stdout
    assert "7 wonders" not in done.stdout


def test_gray_pgm_is_read_as_three_equal_channels(real_arm_builds, x0_25, tmp_path):
    gray = (np.arange(260 * 300) % 251).astype(np.uint8).reshape(260, 300)
    pgm = tmp_path / "gray.pgm"
    pgm.write_bytes(b"P5\n# a comment\n300 260\n255\n" + gray.tobytes())
    done = run(real_arm_builds["fp32"], "mnv1_classify", "--model", x0_25, "--image", pgm,
               "--dump_input", tmp_path / "in.f32", "--repeats", 1, "--warmup", 0)
    assert done.returncode == 0
    cxx = np.fromfile(tmp_path / "in.f32", dtype="<f4").reshape(1, 3, 224, 224)
    assert np.abs(cxx - paddleclas_preprocess(np.repeat(gray[:, :, None], 3, axis=2))).max() <= 1e-3


def damaged_models(x0_25, folder):
    whole = x0_25.read_bytes()
    files = {"truncated": whole[:len(whole) // 2], "header only": whole[:30], "foreign": b"PK\x03\x04" + whole[4:],
             "extra bytes": whole + b"\0" * 16}
    for name, data in files.items():
        (folder / f"{name}.nb").write_bytes(data)
    return {name: folder / f"{name}.nb" for name in files}


ERRORS = [
    ("mnv1_bench", ["--model", "/no/such.nb"], 3, "model file /no/such.nb is missing"),
    ("mnv1_bench", ["--threads", "2"], 2, "option --model is required"),
    ("mnv1_bench", ["--model", "{model}", "--threads", "two"], 2, "takes a whole number, not 'two'"),
    ("mnv1_bench", ["--model", "{model}", "--repeats", "0"], 2, "must be from 1 to 1000000, not 0"),
    ("mnv1_bench", ["--model", "{model}", "--power_mode", "turbo"], 2, "must be one of"),
    ("mnv1_bench", ["--model", "{model}", "--speed", "1"], 2, "unknown option --speed"),
    ("mnv1_bench", ["--model", "{model}", "--input_file", "/no/in.f32"], 4, "cannot read --input_file"),
    ("mnv1_bench", ["--model", "{model}", "--input_file", "{notppm}"], 4, "--input_shape needs 602112"),
    ("mnv1_classify", ["--model", "{model}", "--image", "/no/such.ppm"], 4, "cannot read image file"),
    ("mnv1_classify", ["--model", "{model}", "--image", "{notppm}"], 4, "is not a binary PPM (P6) or PGM (P5)"),
    ("mnv1_classify", ["--model", "{model}", "--image", "{image}", "--labels", "/no/labels.txt"], 5,
     "cannot read labels file"),
    ("mnv1_classify", ["--model", "/no/such.nb", "--image", "{image}"], 3, "model file"),
    ("mnv1_classify", ["--model", "{model}", "--image", "{image}", "--topk", "-1"], 2, "must be from 1 to 1000"),
    # Crafted inputs bounded before allocating (a 20000x1 image once asked for 15.7 GB, a header-only
    # 20000x20000 file for 1.2 GB; 65536^4 wrapped the element count to 0).
    ("mnv1_classify", ["--model", "{model}", "--image", "{wide}"], 4, "has an aspect ratio beyond 10:1"),
    ("mnv1_classify", ["--model", "{model}", "--image", "{huge}"], 4, "is more than 89478485 pixels"),
    ("mnv1_classify", ["--model", "{model}", "--image", "{headeronly}"], 4, "is truncated: its header needs 243000000"),
    ("mnv1_bench", ["--model", "{model}", "--input_shape", "65536,65536,65536,65536"], 2,
     "--input_shape asks for more than 134217728 input values"),
    ("mnv1_bench", ["--model", "{model}", "--input_shape", "100000,100000,3"], 2, "asks for more than"),
]


def crafted_images(folder):
    """Images whose headers ask for far more work than a classifier should do."""
    files = {"wide.pgm": b"P5\n20000 1\n255\n" + bytes(20000), "huge.ppm": b"P6\n20000 20000\n255\n",
             "headeronly.ppm": b"P6\n9000 9000\n255\n" + bytes(100)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name.split(".")[0]: folder / name for name in files}


@pytest.mark.parametrize("program,args,code,message", ERRORS, ids=[f"{e[0]}-{e[2]}-{i}" for i, e in enumerate(ERRORS)])
def test_bad_input_is_one_line_and_a_distinct_exit_code(real_arm_builds, program, args, code, message, x0_25, photo,
                                                        tmp_path):
    notppm = tmp_path / "photo.jpg"
    notppm.write_bytes(b"\xff\xd8\xff\xe0 not a ppm")
    filled = [a.format(model=x0_25, image=photo[1], notppm=notppm, **crafted_images(tmp_path)) for a in args]
    done = run(real_arm_builds["fp32"], program, *filled)
    assert done.returncode == code, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("program", ["mnv1_bench", "mnv1_classify"])
def test_damaged_models_are_caught_before_paddle_lite_aborts(real_arm_builds, x0_25, photo, tmp_path, program):
    # Paddle Lite itself would abort (SIGABRT, exit 134) on these, past any catch; the check answers first.
    for name, path in damaged_models(x0_25, tmp_path).items():
        done = run(real_arm_builds["fp32"], program, "--model", path, "--image",
                   photo[1]) if program == "mnv1_classify" \
            else run(real_arm_builds["fp32"], program, "--model", path)
        assert done.returncode == 6, (name, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "is not a usable Paddle Lite .nb" in lines[0], (name, lines)


def test_an_abort_inside_paddle_lite_is_read_as_its_fatal_line(real_arm_builds, arm_models):
    # An FP16 model on the FP32-only library: Paddle Lite's own CHECK fails and aborts the process.
    done = run(real_arm_builds["fp32"], "mnv1_bench", "--model", arm_models / "arm" / "MobileNetV1_x0_25_fp16.nb",
               "--warmup", 0, "--repeats", 1)
    assert done.returncode == -6  # SIGABRT: qemu ends itself with the program's signal
    assert done.stderr.strip().splitlines()[-1].startswith("qemu: uncaught target signal 6")
    reason = failure_reason(done.stderr + done.stdout)
    assert reason.startswith("Paddle Lite aborted: Check failed") and "can not create kernel for 'calib'" in reason


def test_fp16_runs_on_a_core_with_fp16_and_dies_on_one_without(real_arm_builds, arm_models):
    fp16 = arm_models / "arm" / "MobileNetV1_x0_25_fp16.nb"
    done = run(real_arm_builds["fp16"], "mnv1_bench", "--model", fp16, "--warmup", 0, "--repeats", 1, cpu="cortex-a76")
    assert done.returncode == 0 and parse_bench_output(done.stdout)["output_shape"] == [1, 1000]
    done = run(real_arm_builds["fp16"], "mnv1_bench", "--model", fp16, "--warmup", 0, "--repeats", 1, cpu="cortex-a72")
    assert done.returncode == -4  # SIGILL: ARMv8.0 has no half-precision arithmetic; the sweep refuses first


def test_batch_mode_reports_each_refused_image_and_goes_on(real_arm_builds, x0_25, photo, tmp_path):
    crafted = crafted_images(tmp_path)
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join([str(crafted["wide"]), str(photo[1]), str(crafted["huge"]), str(photo[1])]) + "\n")
    done = run(real_arm_builds["fp32"], "mnv1_classify", "--model", x0_25, "--inputs", listing)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [("error" in line) for line in lines] == [True, False, True, False]
    assert "aspect ratio beyond 10:1" in lines[0]["error"] and "89478485 pixels" in lines[2]["error"]
    assert lines[1]["topk"] == lines[3]["topk"]
