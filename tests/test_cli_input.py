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


def test_an_option_given_twice_is_refused_never_last_one_wins(tmp_path):
    done = run_cli("bench_scripts/run_host.py", "--threads", "1", "--threads", "2", "--results", tmp_path / "r")
    assert done.returncode == 2 and "--threads is given twice" in done.stderr and "1,2,4" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "r").exists()


def test_old_spellings_still_work_for_one_release_but_help_shows_one(tmp_path):
    from lite.cli.args import OneLineParser, add_old_spelling
    parser = OneLineParser(prog="x")
    parser.add_argument("--models-dir", default="models")
    add_old_spelling(parser, "--out", "--models-dir")
    parser.add_argument("--power-mode", choices=("high", "low"), default="high")
    add_old_spelling(parser, "--power_mode", "--power-mode")
    assert parser.parse_args(["--out", "m"]).models_dir == "m" and parser.parse_args([]).models_dir == "models"
    assert parser.parse_args(["--power_mode", "low"]).power_mode == "low"
    assert "--out" not in parser.format_help() and "--power_mode" not in parser.format_help()
    with pytest.raises(SystemExit):
        parser.parse_args(["--out", "a", "--models-dir", "b"])  # one option, two spellings: still twice


def test_a_variant_no_command_can_make_for_the_host_is_said_never_advised(tmp_path):
    done = run_cli("bench_scripts/run_host.py", "--variants", "int8", "--models-dir", tmp_path / "m",
                   "--results", tmp_path / "r")
    assert done.returncode == 2 and "int8 cannot run on x86" in done.stderr and "run_sd855.py" in done.stderr
    assert "opt_models.py" not in done.stderr  # no advice to run a conversion that would skip it


def test_a_misspelled_model_is_one_line_with_a_suggestion_and_case_does_not_matter(tmp_path):
    done = run_cli("lite/opt_models.py", "--models", "MobileNetV1_x0_3", "--models-dir", tmp_path / "m")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "did you mean MobileNetV1_x0_5?" in done.stderr
    from lite.cli.args import comma_list
    assert comma_list(["MobileNetV1_x0_25", "MobileNetV1"], "model")("mobilenetv1_X0_25") == ["MobileNetV1_x0_25"]
