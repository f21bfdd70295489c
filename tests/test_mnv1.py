"""`mnv1` (and `python -m lite`): one command whose subcommands are the toolkit's commands, each usage line
naming the command as the user typed it."""
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

from lite.cli.mnv1 import SUBCOMMANDS, main


def test_the_overview_lists_every_subcommand_with_one_line(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: mnv1 COMMAND")
    listed = [line.split()[0] for line in out.split("commands:\n")[1].split("\n\n")[0].splitlines()]
    assert listed == [sub.name for sub in SUBCOMMANDS]
    names = {"convert", "bench", "host", "report", "compare", "eval", "sensitivity", "verify-arm", "app", "to-ppm"}
    assert names <= set(listed)


@pytest.mark.parametrize("name", [sub.name for sub in SUBCOMMANDS])
def test_each_subcommand_help_names_the_command_as_typed(name, capsys):
    words = [name, "install"] if name == "app" else [name]
    with pytest.raises(SystemExit) as ended:
        code = main([*words, "--help"])
        raise SystemExit(code)
    assert ended.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: mnv1 {' '.join(words)}")
    assert "example" in out.lower()  # each help shows how it is typed
    assert "default" in out or name in ("run", "to-ppm")  # run takes run_host/run_sd855's options; to-ppm has none


def test_an_unknown_command_is_one_line_with_a_suggestion_and_status_2(capsys):
    with pytest.raises(SystemExit) as ended:
        main(["convrt"])
    assert ended.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean convert?" in err[0]


def test_no_command_prints_the_overview_and_fails():
    assert main([]) == 2


def test_python_dash_m_lite_and_the_console_script_are_the_same_command():
    done = subprocess.run([sys.executable, "-m", "lite", "convert", "--help"], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("usage: python -m lite convert")
    script = Path(sys.executable).parent / "mnv1"
    done = subprocess.run([str(script), "host", "--help"], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("usage: mnv1 host"), done.stderr


def test_a_subcommand_passes_its_leading_options(capsys):
    # compare is report --compare: two folders that are not there give report's own one-line error
    assert main(["compare", "/nonexistent/a", "/nonexistent/b"]) == 2
    assert "holds no raw/ folder" in capsys.readouterr().err


def parser_of(sub):
    """The argparse parser a subcommand builds (captured where it parses; nothing runs)."""
    import argparse
    import importlib
    captured = []

    def capture(self, args=None, namespace=None):
        captured.append(self)
        raise SystemExit(0)
    original = argparse.ArgumentParser.parse_known_args
    argparse.ArgumentParser.parse_known_args = capture
    try:
        with pytest.raises(SystemExit):
            importlib.import_module(sub.module).main([], prog="mnv1 x")
    finally:
        argparse.ArgumentParser.parse_known_args = original
    return captured[0]


@pytest.mark.parametrize("sub", [s for s in SUBCOMMANDS if s.name != "run"], ids=lambda s: s.name)
def test_every_option_of_every_subcommand_is_spelled_as_the_one_table_says(sub):
    import argparse

    from lite.cli.args import OPTION_NAMES
    parser = parser_of(sub)
    shown = {name for action in parser._actions if action.help != argparse.SUPPRESS
             for name in action.option_strings if name.startswith("--")}
    assert shown - set(OPTION_NAMES) == set()  # a new spelling must go into the table, not beside it
    hidden = {name for action in parser._actions if action.help == argparse.SUPPRESS for name in action.option_strings}
    assert hidden <= {"--out", "--power_mode", "--devices", "--input_shape"}  # old or Paddle Lite spellings


def test_the_host_command_offers_no_arm_only_option():
    host = parser_of(next(s for s in SUBCOMMANDS if s.name == "host"))
    assert not any("--power-mode" in action.option_strings for action in host._actions)


@pytest.mark.parametrize("words,message", [
    (["convert", "--models", "MobileNetV9"], "did you mean MobileNetV1?"),
    (["host", "--threads", "0"], "--threads"),
    (["compare", "/nonexistent/a", "/nonexistent/b"], "holds no raw/ folder"),
    (["eval", "--data", "/nonexistent"], "is not a folder"),
    (["app", "install", "--transport", "carrier-pigeon"], "--transport"),
])
def test_the_one_command_exits_as_the_readme_table_says_for_bad_input(words, message):
    # README: exit status 2, one line on stderr, for bad input; the same through `mnv1` as through the scripts
    done = subprocess.run([str(Path(sys.executable).parent / "mnv1"), *words], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and message in lines[0], done.stderr
