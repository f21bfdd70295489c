"""Bad values on the command line and untrusted names from devices: refused or made safe up front."""
import pytest
from helpers import run_cli

from lite.devices.facts import device_name
from lite.devices.machine_facts import MachineFacts
from lite.jobs.device_sweep import result_folder


@pytest.mark.parametrize("option,value", [("--cooldown", "inf"), ("--cooldown", "1e300"), ("--cooldown", "nan"),
                                          ("--cell-timeout", "inf"), ("--max-temp-wait", "-1"),
                                          ("--max-temp", "nan")])
def test_non_finite_or_absurd_numbers_are_refused_before_anything_runs(tmp_path, option, value):
    done = run_cli("bench_scripts/run_host.py", option, value, "--models-dir", tmp_path / "none",
                   "--results", tmp_path / "r")
    assert done.returncode == 2 and value in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("soc", ["..", ".", "../../etc", "/tmp/x", "a/../../b", "", None, "x" * 300])
def test_a_device_reported_soc_names_only_a_plain_folder_inside_the_results(tmp_path, soc):
    machine = MachineFacts(soc=soc)
    folder = result_folder(tmp_path / "results", machine.with_(short_name=device_name(machine)))
    assert folder.parent == tmp_path / "results" and folder.name not in (".", "..", "")
    assert "/" not in folder.name and len(folder.name) <= 64


def test_a_snapdragon_855_is_named_sd855_and_name_overrides_are_made_safe(tmp_path):
    machine = MachineFacts(soc="SM8150", board_platform="msmnile")
    assert device_name(machine) == "sd855"
    assert result_folder(tmp_path, machine.with_(short_name="sd855"), requested="../escape").name == "escape"


def test_exit_reasons_read_the_same_from_python_and_from_a_shell():
    from lite.util.text import exit_reason
    assert exit_reason(-11) == exit_reason(139) == "crashed with signal 11 (SIGSEGV)"
    assert exit_reason(3) == "exited with status 3"


def test_an_unknown_abi_is_an_error_not_a_fallback_to_arm():
    from lite.devices.facts import model_target_for
    from lite.errors import DeviceError
    assert model_target_for("arm64-v8a") == "arm" and model_target_for("x86_64") == "x86"
    with pytest.raises(DeviceError, match="'mips'.*--model-target"):
        model_target_for("mips")
