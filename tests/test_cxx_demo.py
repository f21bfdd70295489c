"""cxx_demo's programs built for THIS x86 HOST against the Paddle Lite light-API STAND-IN
(tests/paddle_lite_api_double), for what the real ARM library cannot be made to do here: say which
thread count it was given and how many workers it started, and run natively on x86 (the x86 device
double's cells use this build). Everything else about the programs - the JSON contract, logits,
preprocessing, top-5, labels, errors, damaged models, shipped libraries - is proven against the REAL
Paddle Lite ARM library in tests/test_cxx_real_arm.py. The build script's own checks are here too."""
import json
import os
import subprocess

import numpy as np
import pytest
from cxx_builds import REPO
from helpers import nb_bytes

from lite.bench.outputs import parse_bench_output


def run(cxx_builds, program, *args, env=None, timeout=300):
    command = [str(cxx_builds["host"] / "bin" / program), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.nb"
    path.write_bytes(nb_bytes(b"", ()))
    return path


@pytest.mark.slow
def test_host_build_prints_the_json_contract(cxx_builds, model_file):
    done = run(cxx_builds, "mnv1_bench", "--model", model_file, "--threads", 2, "--warmup", 1, "--repeats", 4,
               "--power_mode", "high")
    assert done.returncode == 0, done.stderr
    data = parse_bench_output(done.stdout)
    assert len(data["samples_ms"]) == 4 and all(s > 0 for s in data["samples_ms"])
    assert len(data["warmup_samples_ms"]) == 1 and data["warmup_samples_ms"][0] > 0  # warm-up timings kept
    assert data["median_ms"] == pytest.approx(float(np.median(data["samples_ms"])))
    assert data["p90_ms"] == pytest.approx(float(np.percentile(data["samples_ms"], 90)))
    assert (data["threads"], data["power_mode"], data["input_shape"]) == (2, "high", [1, 3, 224, 224])
    assert data["output_shape"] == [1, 1000] and len(data["top5"]) == 5


@pytest.mark.slow
def test_thread_count_reaches_the_library(cxx_builds, model_file, tmp_path):
    # What the program did, not how fast: the library double records the thread count it was given
    # and the worker threads it started on every Run() (warm-up, first run and timed runs alike).
    for threads in (1, 2, 4):
        log = tmp_path / f"t{threads}.log"
        done = run(cxx_builds, "mnv1_bench", "--model", model_file, "--threads", threads, "--warmup", 2,
                   "--repeats", 3, env={**os.environ, "PADDLE_LITE_API_DOUBLE_LOG": str(log)})
        assert done.returncode == 0, done.stderr
        runs = log.read_text().splitlines()
        assert runs == [f"threads_set={threads} workers_started={threads} input=1x3x224x224"] * (1 + 2 + 3)


@pytest.mark.slow
def test_the_input_shape_reaches_the_library(cxx_builds, model_file, tmp_path):
    # --input_shape (the A/B experiment's 230x230) is the shape the library is given on every run
    log = tmp_path / "shape.log"
    done = run(cxx_builds, "mnv1_bench", "--model", model_file, "--input_shape", "1,3,230,230", "--warmup", 1,
               "--repeats", 2, env={**os.environ, "PADDLE_LITE_API_DOUBLE_LOG": str(log)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["input_shape"] == [1, 3, 230, 230]
    assert log.read_text().splitlines() == ["threads_set=1 workers_started=1 input=1x3x230x230"] * (1 + 1 + 2)


@pytest.mark.slow
def test_help_documents_options_and_exit_codes(cxx_builds):
    for program in ("mnv1_bench", "mnv1_classify"):
        done = run(cxx_builds, program, "--help")
        assert done.returncode == 0 and "Exit codes" in done.stdout and "--threads" in done.stdout


def build_script(*args, env=None):
    return subprocess.run(["bash", str(REPO / "cxx_demo" / "build.sh"), *map(str, args)], capture_output=True,
                          text=True, env=env)


@pytest.mark.slow
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


@pytest.mark.slow
def test_crafted_images_and_shapes_are_refused_before_allocating(cxx_builds, model_file, tmp_path):
    """Under a 1 GiB address-space limit: before the bounds these asked for 15.7 GB, 1.2 GB, or wrapped."""
    import resource

    from test_cxx_real_arm import crafted_images

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    def run_limited(program, *args):
        return subprocess.run([str(cxx_builds["host"] / "bin" / program), *map(str, args)], capture_output=True,
                              text=True, timeout=120, preexec_fn=limited)

    crafted = crafted_images(tmp_path)
    for name, message in [("wide", "aspect ratio beyond 10:1"), ("huge", "more than 89478485 pixels"),
                          ("headeronly", "is truncated")]:
        done = run_limited("mnv1_classify", "--model", model_file, "--image", crafted[name])
        assert (done.returncode, len(done.stderr.strip().splitlines())) == (4, 1), done.stderr
        assert message in done.stderr
    done = run_limited("mnv1_bench", "--model", model_file, "--input_shape", "65536,65536,65536,65536",
                       "--input_file", tmp_path / "empty.f32")
    assert done.returncode == 2 and "asks for more than 134217728 input values" in done.stderr
