"""Every command the toolkit builds for a device shell, fed shell metacharacters: each hostile text must
arrive at the program as one argument, whole, and nothing it says may run. The "device" here is
/bin/sh on this host with recording stand-ins for the device's programs (a TEST DOUBLE of their
argv only; the real programs are exercised elsewhere)."""
import shlex
import subprocess
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from lite.app.android_install import install_and_start
from lite.bench.cells import Cell
from lite.bench.device_runners import (
    BenchmarkBinRunner,
    CxxRunner,
    DeviceRunner,
    PythonRunner,
    q,
)
from lite.devices.base import Device, ShellResult
from lite.devices.facts import free_bytes, remote_sha256
from lite.devices.machine_facts import MachineFacts
from lite.devices.sync import sync_files
from lite.errors import CellFailed, DeviceTimeout

HOSTILE = "it's; touch pwned1 $(touch pwned2) `touch pwned3` \"q\" & | > < * ~ {a,b} #"
RECORDED = ("mnv1_bench", "mnv1_classify", "benchmark_bin", "python3", "pkill", "getprop", "df", "sha256sum", "mkdir",
            "chmod", "pm",
            "am", "rm")


class RecordingShellDevice(Device):
    """Runs commands with /bin/sh in `root`, where the device's programs only record their arguments."""
    description = "recording shell (test double)"

    def __init__(self, root, stubs):
        self.root, self.stubs, self.commands = Path(root), Path(stubs), []
        self.hang_on = None

    def shell(self, command, timeout_s=None):
        self.commands.append(command)
        if self.hang_on and self.hang_on in command:
            self.hang_on = None
            raise DeviceTimeout("hangs (test double)")
        done = subprocess.run(["/bin/sh", "-c", command], cwd=self.root, capture_output=True, text=True,
                              env={"PATH": f"{self.stubs}:/usr/bin:/bin", "STUB_LOG": str(self.root / "argv.log")})
        return ShellResult(done.returncode, done.stdout, done.stderr)

    def push(self, local_path, device_path):
        Path(device_path).parent.mkdir(parents=True, exist_ok=True)
        Path(device_path).write_bytes(Path(local_path).read_bytes())

    def calls(self):
        """[(program, [args])] in order, as the stand-ins received them."""
        log = self.root / "argv.log"
        records = log.read_text().split("\0\n") if log.exists() else []
        return [(r.split("\0")[0], r.split("\0")[1:]) for r in records if r]


@pytest.fixture
def device(tmp_path):
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    recorder = ('#!/bin/sh\n{ printf "%s" "$(basename "$0")"; for a; do printf "\\0%s" "$a"; done; '
                'printf "\\0\\n"; } >> "$STUB_LOG"\n')
    answers = {"df": 'echo "Filesystem 1K-blocks Used Available Use% Mounted"; echo "/dev/x 100 1 99000 1% /"',
               "pm": "echo Success", "am": 'echo "Starting: Intent"', "getprop": "echo value"}
    for name in RECORDED:
        (stubs / name).write_text(recorder + answers.get(name, "") + "\n")
        (stubs / name).chmod(0o755)
    root = tmp_path / "device"
    root.mkdir()
    return RecordingShellDevice(root, stubs)


def nothing_ran(device):
    return not any(p.name.startswith("pwned") for p in device.root.parent.rglob("*"))


def hostile_cell(tmp_path):
    nb = tmp_path / f"{HOSTILE}.nb"
    nb.write_bytes(b"x")
    return Cell("MobileNetV1", "fp32", "arm", 2, "high", 1, 3, nb, None)


@pytest.mark.parametrize("runner_class", [CxxRunner, PythonRunner, BenchmarkBinRunner])
def test_runner_commands_pass_hostile_paths_whole(device, tmp_path, runner_class):
    workdir = str(device.root / HOSTILE)
    extra = {CxxRunner: (tmp_path,), PythonRunner: (), BenchmarkBinRunner: (tmp_path / "benchmark_bin",)}[runner_class]
    runner = runner_class(device, workdir, MachineFacts(), 60, *extra)
    for name in ("mnv1_bench", "benchmark_bin"):  # the programs the commands start by path
        program = Path(workdir) / "bin" / name
        program.parent.mkdir(parents=True, exist_ok=True)
        program.write_text((device.stubs / name).read_text())
        program.chmod(0o755)
    cell = hostile_cell(tmp_path)
    device.shell(runner.command(cell))
    (program, args), = device.calls()
    remote_model = f"{workdir}/models/{HOSTILE}.nb"
    assert remote_model in args or f"--optimized_model_file={remote_model}" in args
    assert nothing_ran(device)


def test_the_profiling_pass_passes_hostile_paths_whole(device, tmp_path):
    from lite.bench.device_profile import ProfileRunner
    from lite.runtime.arm_check import PROFILE_REPEATS
    workdir = str(device.root / HOSTILE)
    runner = ProfileRunner(device, workdir, MachineFacts(), 60, tmp_path)
    program = Path(workdir) / "profile" / "bin" / "mnv1_bench"  # beside the timed build, on the same models
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text((device.stubs / "mnv1_bench").read_text())
    program.chmod(0o755)
    log, _seconds = runner.profile(hostile_cell(tmp_path))
    (name, args), = device.calls()
    assert name == "mnv1_bench" and args[:2] == ["--model", f"{workdir}/models/{HOSTILE}.nb"]
    assert args[args.index("--warmup") + 1] == "0" and args[args.index("--repeats") + 1] == str(PROFILE_REPEATS)
    assert log == "" and nothing_ran(device)


def test_the_accuracy_evaluation_on_a_phone_passes_hostile_paths_whole(device, tmp_path):
    from lite.accuracy.runtimes import DeviceRuntime
    workdir = str(device.root / HOSTILE)
    runtime = DeviceRuntime(device, workdir, tmp_path, power_mode=HOSTILE)
    program = Path(workdir) / "bin" / "mnv1_classify"
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text((device.stubs / "mnv1_classify").read_text())
    program.chmod(0o755)
    model, listed, answers = (f"{workdir}/models/{HOSTILE}.nb", f"{workdir}/accuracy/{HOSTILE}/list.txt",
                              f"{workdir}/accuracy/{HOSTILE}/answers.jsonl")
    device.shell(runtime.classify_command(model, listed, answers))
    (name, args), = device.calls()
    assert name == "mnv1_classify" and args == ["--model", model, "--inputs", listed, "--output", answers, "--topk",
                                                "5",
                                                "--threads", "1", "--power_mode", HOSTILE]
    assert nothing_ran(device)


def test_the_kill_after_a_timeout_quotes_its_pattern(device, tmp_path):
    runner = CxxRunner(device, str(device.root / HOSTILE), MachineFacts(), 60, tmp_path)
    device.hang_on = "--model"
    with pytest.raises(CellFailed, match="timed out"):
        DeviceRunner.run_cell(runner, hostile_cell(tmp_path))
    (program, args), = device.calls()
    assert program == "pkill" and args[0] == "-f" and len(args) == 2 and HOSTILE[1:] in args[1].replace("\\", "")
    assert nothing_ran(device)


def test_sync_quotes_folders_executables_and_checksums(device, tmp_path):
    local = tmp_path / "local.bin"
    local.write_bytes(b"payload")
    target = f"{device.root}/{HOSTILE}/bin/{HOSTILE}"
    with pytest.raises(Exception):  # the recording sha256sum prints no sums, so the check after the push fails
        sync_files(device, {target: local}, [target], say=lambda text: None)
    calls = device.calls()
    assert ("mkdir", ["-p", str(Path(target).parent)]) in calls
    assert ("chmod", ["755", target]) in calls
    assert ("df", ["-k", str(Path(target).parent)]) in calls
    assert nothing_ran(device)


def test_device_facts_quote_paths_and_property_names(device):
    remote_sha256(device, [f"/data/{HOSTILE}"])
    free_bytes(device, f"/data/{HOSTILE}")
    device.getprop(HOSTILE)
    assert ("df", ["-k", f"/data/{HOSTILE}"]) in device.calls() and ("getprop", [HOSTILE]) in device.calls()
    assert nothing_ran(device)


def test_install_and_start_quote_the_activity_from_the_manifest(device, tmp_path):
    project = tmp_path / "project"
    manifest = project / "app/src/main/AndroidManifest.xml"
    manifest.parent.mkdir(parents=True)
    activity = f".MainActivity;touch /tmp/INJECT_P {HOSTILE}"
    manifest.write_text('<manifest xmlns:android="http://schemas.android.com/apk/res/android"><application>'
                        f'<activity android:name={quoteattr(activity)}>'
                        '<intent-filter><action android:name="android.intent.action.MAIN"/></intent-filter>'
                        '</activity></application></manifest>')
    apk = tmp_path / "app.apk"
    apk.write_bytes(b"PK")
    install_and_start(device, apk, project, say=lambda text: None)
    assert [args for program, args in device.calls() if program == "am"] == [["start", "-n",
                                                                              f"com.mnv1.demo/{activity}"]]
    assert nothing_ran(device) and not Path("/tmp/INJECT_P").exists()


@pytest.mark.device
@pytest.mark.slow
def test_the_adb_shell_transport_wraps_commands_without_reopening_them(make_device):
    from lite.devices.select import open_device
    phone = make_device()
    with open_device("tcp", None, phone.serial) as adb:
        result = adb.shell(f"printf %s {q(HOSTILE)}; exit 3")
    assert (result.exit_code, result.stdout) == (3, HOSTILE)
    assert not [p for p in phone.root.rglob("pwned*")]


def test_every_device_command_builder_is_covered_here():
    # A new builder must be added above: these are the modules that build device shell commands.
    import lite
    package = Path(lite.__file__).parent
    builders = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                      if ".shell(" in p.read_text() or ".check(" in p.read_text())
    assert builders == ["accuracy/runtimes.py", "app/android_install.py", "bench/device_profile.py",
                        "bench/device_runners.py",
                        "devices/adb_shell.py", "devices/base.py",
                        "devices/facts.py", "devices/sync.py"], builders
    assert q(HOSTILE) == shlex.quote(HOSTILE)
