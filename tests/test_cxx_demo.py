"""cxx_demo's programs, built for this host and for aarch64 (run under qemu-aarch64), against the
Paddle Lite light-API test double (tests/paddle_lite_api_double)."""
import json
import os
import subprocess

import numpy as np
import pytest

from cxx_builds import REPO, program_command
from lite.bench.outputs import parse_bench_output
from lite.models.preprocess import paddleclas_preprocess, write_ppm

TARGETS = ["host", "armlinux-aarch64"]


def run(cxx_builds, target, program, *args, timeout=300):
    command = program_command(cxx_builds[target], target, program) + [str(a) for a in args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.nb"
    path.write_bytes(b"\x02\x00v2.13-rc\x00" + bytes(range(256)) * 64)
    return path


@pytest.fixture(scope="module")
def test_image(tmp_path_factory):
    """A 301x203 RGB image with gradients and texture: exercises resize, crop and channels."""
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:203, 0:301]
    rgb = np.stack([x * 255 // 300, y * 255 // 202, (x * y) % 256], axis=-1).astype(np.int64)
    rgb = np.clip(rgb + rng.integers(-20, 21, rgb.shape), 0, 255).astype(np.uint8)
    path = tmp_path_factory.mktemp("image") / "test.ppm"
    write_ppm(rgb, path)
    return rgb, path


@pytest.mark.parametrize("target", TARGETS)
def test_bench_prints_the_json_contract(cxx_builds, target, model_file):
    done = run(cxx_builds, target, "mnv1_bench", "--model", model_file, "--threads", 2, "--warmup", 1,
               "--repeats", 4, "--power_mode", "high")
    assert done.returncode == 0, done.stderr
    data = parse_bench_output(done.stdout)
    assert len(data["samples_ms"]) == 4 and all(s > 0 for s in data["samples_ms"])
    assert len(data["warmup_samples_ms"]) == 1 and data["warmup_samples_ms"][0] > 0  # warm-up timings kept
    assert data["median_ms"] == pytest.approx(float(np.median(data["samples_ms"])))
    assert data["p90_ms"] == pytest.approx(float(np.percentile(data["samples_ms"], 90)))
    assert (data["threads"], data["power_mode"], data["input_shape"]) == (2, "high", [1, 3, 224, 224])
    assert data["output_shape"] == [1, 1000] and len(data["top5"]) == 5
    assert data["peak_rss_kb"] > 0 and data["cpus_used"]
    assert data["init_ms"] > 0 and data["first_run_ms"] > 0


def test_thread_count_reaches_the_library(cxx_builds, model_file, tmp_path):
    # What the program did, not how fast: the library double records the thread count it was given
    # and the worker threads it started on every Run() (warm-up, first run and timed runs alike).
    for threads in (1, 2, 4):
        log = tmp_path / f"t{threads}.log"
        done = subprocess.run(program_command(cxx_builds["host"], "host", "mnv1_bench") +
                              ["--model", str(model_file), "--threads", str(threads), "--warmup", "2", "--repeats", "3"],
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PADDLE_LITE_API_DOUBLE_LOG": str(log)})
        assert done.returncode == 0, done.stderr
        runs = log.read_text().splitlines()
        assert runs == [f"threads_set={threads} workers_started={threads}"] * (1 + 2 + 3)


@pytest.mark.parametrize("target", TARGETS)
def test_preprocessing_matches_python_within_1e3(cxx_builds, target, test_image, model_file, tmp_path):
    rgb, path = test_image
    dump = tmp_path / "input.f32"
    done = run(cxx_builds, target, "mnv1_classify", "--model", model_file,
               "--image", path, "--dump_input", dump, "--repeats", 1, "--warmup", 0)
    assert done.returncode == 0, done.stderr
    cxx = np.fromfile(dump, dtype="<f4").reshape(1, 3, 224, 224)
    python = paddleclas_preprocess(rgb)
    assert np.abs(cxx - python).max() <= 1e-3


def test_gray_pgm_is_read_as_three_equal_channels(cxx_builds, tmp_path, model_file):
    gray = (np.arange(260 * 300) % 251).astype(np.uint8).reshape(260, 300)
    pgm = tmp_path / "gray.pgm"
    pgm.write_bytes(b"P5\n# a comment\n300 260\n255\n" + gray.tobytes())
    done = run(cxx_builds, "host", "mnv1_classify", "--model", model_file, "--image", pgm,
               "--dump_input", tmp_path / "in.f32", "--repeats", 1)
    assert done.returncode == 0, done.stderr
    cxx = np.fromfile(tmp_path / "in.f32", dtype="<f4").reshape(1, 3, 224, 224)
    python = paddleclas_preprocess(np.repeat(gray[:, :, None], 3, axis=2))
    assert np.abs(cxx - python).max() <= 1e-3


@pytest.mark.parametrize("target", TARGETS)
def test_classify_prints_top5_labels_of_the_libraries_answer(cxx_builds, target, test_image, model_file, tmp_path):
    rgb, path = test_image
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(f"label-{k}\n" for k in range(1000)))
    done = run(cxx_builds, target, "mnv1_classify", "--model", model_file, "--image", path, "--labels", labels,
               "--repeats", 2, "--threads", 2)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # What the double computes: per-class means of the input, scaled by (1 + k/1000), plus a constant.
    flat = paddleclas_preprocess(rgb).ravel()
    expected = np.array([flat[k::1000].mean() * (1 + k / 1000) for k in range(1000)])
    assert result["topk"] == list(np.argsort(-expected, kind="stable")[:5])
    assert f"1. label-{result['topk'][0]} (class {result['topk'][0]}):" in done.stdout
    assert "latency: mean" in done.stdout and sum(result["probabilities"]) < 1.0


ERRORS = [
    ("mnv1_bench", ["--model", "/no/such.nb"], 3, "model file /no/such.nb is missing"),
    ("mnv1_bench", ["--threads", "2"], 2, "option --model is required"),
    ("mnv1_bench", ["--model", "{model}", "--threads", "two"], 2, "takes a whole number, not 'two'"),
    ("mnv1_bench", ["--model", "{model}", "--repeats", "0"], 2, "must be from 1 to 1000000, not 0"),
    ("mnv1_bench", ["--model", "{model}", "--power_mode", "turbo"], 2, "must be one of"),
    ("mnv1_bench", ["--model", "{model}", "--speed", "1"], 2, "unknown option --speed"),
    ("mnv1_bench", ["--model", "{model}", "--input_shape", "1,3,100,100", "--repeats", "1"], 6,
     "Paddle Lite failed to run"),
    ("mnv1_classify", ["--model", "{model}", "--image", "/no/such.ppm"], 4, "cannot read image file"),
    ("mnv1_classify", ["--model", "{model}", "--image", "{notppm}"], 4, "is not a binary PPM (P6) or PGM (P5)"),
    ("mnv1_classify", ["--model", "{model}", "--image", "{image}", "--labels", "/no/labels.txt"], 5,
     "cannot read labels file"),
    ("mnv1_classify", ["--model", "/no/such.nb", "--image", "{image}"], 3, "model file"),
    ("mnv1_classify", ["--model", "{model}", "--image", "{image}", "--topk", "-1"], 2, "must be from 1 to 1000"),
]


@pytest.mark.parametrize("program,args,code,message", ERRORS, ids=[f"{e[0]}-{e[2]}-{i}" for i, e in enumerate(ERRORS)])
def test_bad_input_is_one_line_and_a_distinct_exit_code(cxx_builds, program, args, code, message, model_file,
                                                        test_image, tmp_path):
    notppm = tmp_path / "photo.jpg"
    notppm.write_bytes(b"\xff\xd8\xff\xe0 not a ppm")
    filled = [a.format(model=model_file, image=test_image[1], notppm=notppm) for a in args]
    done = run(cxx_builds, "host", program, *filled)
    assert done.returncode == code, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_help_documents_options_and_exit_codes(cxx_builds):
    for program in ("mnv1_bench", "mnv1_classify"):
        done = run(cxx_builds, "host", program, "--help")
        assert done.returncode == 0 and "Exit codes" in done.stdout and "--threads" in done.stdout


def build_script(*args, env=None):
    return subprocess.run(["bash", str(REPO / "cxx_demo" / "build.sh"), *map(str, args)], capture_output=True,
                          text=True, env=env)


def test_android_build_without_ndk_says_what_is_missing(cxx_builds, tmp_path):
    lite_dir = cxx_builds["host"].parent / "lite-double-host"
    env = {"PATH": "/usr/bin:/bin"}
    done = build_script("--target", "android-arm64", "--lite-dir", lite_dir, "--build-dir", tmp_path, env=env)
    assert done.returncode == 2 and "needs the Android NDK: pass --ndk DIR" in done.stderr
    done = build_script("--target", "android-armv7", "--lite-dir", lite_dir, "--ndk", tmp_path, env=env)
    assert done.returncode == 2 and "has no build/cmake/android.toolchain.cmake" in done.stderr


@pytest.mark.parametrize("args,message", [
    ([], "--target is required"),
    (["--target", "ios"], "unknown target 'ios'"),
    (["--target", "host"], "--lite-dir is required"),
    (["--target", "host", "--lite-dir", "/nowhere"], "has no cxx/include/paddle_api.h"),
    (["--target", "host", "--bogus"], "unknown option '--bogus'"),
])
def test_build_script_argument_errors(args, message):
    done = build_script(*args)
    assert done.returncode == 2 and message in done.stderr


def test_build_script_help():
    done = build_script("--help")
    assert done.returncode == 0 and "android-arm64 | android-armv7 | armlinux-aarch64 | host" in done.stdout
