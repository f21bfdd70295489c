#!/usr/bin/env python3
"""Wall time of a three-device sweep against the slowest of the same three devices swept alone
(goal: at most 1.3x); prints the figures, never fails on a missed goal.

The devices are ADB device DOUBLES (tests/adb_device_double) on this host, and the benchmark program
they run is mnv1_bench built against the light-API DOUBLE with PADDLE_LITE_API_DOUBLE_SLEEP_MS set:
each inference sleeps instead of computing, as a phone's inference does not load this machine's CPUs.
So the figure is the toolkit's own cost of driving several devices at once (its workers, adb, the
push gate), not any phone's speed. Run from the repo root: python benchmarks/bench_fleet.py
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the device doubles and the light-API double's build live there
try:
    from adb_device_double.device import (
        SD855_CPU_MAX_KHZ,
        SD855_PROPERTIES,
        SD865_PROPERTIES,
        AdbDeviceDouble,
        DeviceConfig,
    )
    from cxx_builds import build_target

    from lite.models.store import ModelStore
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

GOAL = 1.3
MODELS = "MobileNetV1_x0_25,MobileNetV1_x0_5"
THIRD_PROPERTIES = {**SD855_PROPERTIES, "ro.product.model": "Pixel 4 (adb device double)",
                    "ro.board.platform": "msmnile",
                    "ro.soc.model": "SM8150", "ro.product.name": "flame", "ro.product.device": "flame"}


def sweep(doubles, transport, build, models, results, env, sleep_ms):
    """Run one sweep over `doubles`; its wall time in seconds."""
    targets = [arg for device in doubles for arg in ("--tcp", device.serial)]
    args = [sys.executable, "bench_scripts/run_sd855.py", "--transport", transport, *targets,
            "--build-dir", str(build), "--models-dir", str(models), "--results", str(results),
            "--models", MODELS, "--threads", "1,2,4", "--warmup", "5", "--repeats", "20", "--rounds", "2",
            "--cooldown", "0.5", "--max-retries", "0"]
    if len(doubles) == 1:
        args += ["--name", "alone"]
    started = time.monotonic()
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, env=env)
    elapsed = time.monotonic() - started
    if done.returncode not in (0, 4):  # 4: unstable cells, marked in the tables (a result here)
        sys.exit(f"error: the sweep exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return elapsed


def adb_server(scratch):
    """Debian's adb with its own server on a private port (as the tests run it); (env, stop)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, HOME=str(scratch), ANDROID_ADB_SERVER_PORT=str(port))
    subprocess.run(["adb", "start-server"], env=env, capture_output=True, check=True)
    return env, lambda *args: subprocess.run(["adb", *args], env=env, capture_output=True, text=True)


def measure(transport, doubles, build, models, scratch, sleep_ms):
    env = dict(os.environ, HOME=str(scratch))
    adb = None
    if transport == "adb":
        env, adb = adb_server(scratch)
        for device in doubles:
            adb("connect", device.serial)
    try:
        alone = []
        for index, device in enumerate(doubles):
            elapsed = sweep([device], transport, build, models, scratch / f"{transport}-alone{index}", env, sleep_ms)
            alone.append(elapsed)
            print(f"  {transport}: {device.serial} alone: {elapsed:.1f} s", flush=True)
        together = sweep(doubles, transport, build, models, scratch / f"{transport}-together", env, sleep_ms)
    finally:
        if adb:
            adb("kill-server")
    ratio = together / max(alone)
    verdict = "meets" if ratio <= GOAL else "MISSES"
    print(f"{transport}: three devices together {together:.1f} s, slowest alone {max(alone):.1f} s: "
          f"{ratio:.2f}x ({verdict} the {GOAL}x goal)", flush=True)
    return ratio


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sleep-ms", type=int, default=30, help="each inference's sleep on the doubles (default: 30)")
    parser.add_argument("--transports", default="tcp,adb", help="tcp (adb-shell), adb (Debian's adb server)")
    args = parser.parse_args(argv)
    transports = [t for t in args.transports.split(",") if t]
    if "adb" in transports and not shutil.which("adb"):
        sys.exit("error: Debian's adb is needed for --transports adb: run make setup")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        print("building mnv1_bench against the light-API double ...", flush=True)
        build = build_target("host", scratch / "cxx")
        models = REPO / "models"
        if not all(ModelStore(models).nb_file("x86", m, "fp32").is_file() for m in MODELS.split(",")):
            print("converting the two models for x86 ...", flush=True)
            models = scratch / "models"
            subprocess.run([sys.executable, "lite/opt_models.py", "--models", MODELS, "--targets", "x86",
                            "--models-dir",
                            str(models), "--results", str(scratch / "conversion")], cwd=REPO, check=True,
                           stdout=subprocess.DEVNULL)
        doubles = []
        try:
            for index, properties in enumerate((SD855_PROPERTIES, SD865_PROPERTIES, THIRD_PROPERTIES)):
                config = DeviceConfig(properties=dict(properties), fake_cpus_khz=SD855_CPU_MAX_KHZ,
                                      extra_env={"PADDLE_LITE_API_DOUBLE_SLEEP_MS": str(args.sleep_ms)})
                device = AdbDeviceDouble(scratch / f"device{index}", config)
                device.start()
                doubles.append(device)
            print(f"3 device doubles, {MODELS} x 1,2,4 threads, 2 rounds, 25 runs a cell of {args.sleep_ms} ms "
                  f"sleep each (no CPU load)", flush=True)
            for transport in transports:
                measure(transport, doubles, build, models, scratch, args.sleep_ms)
        finally:
            for device in doubles:
                device.stop()


if __name__ == "__main__":
    main()
