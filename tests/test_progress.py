"""Progress: a tqdm bar with an ETA for a person at a terminal, plain lines in pipes, logs and CI."""
import io

from lite.util.progress import Progress, wants_bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_only_on_a_terminal_and_never_in_ci():
    assert wants_bar(Terminal(), env={}) and not wants_bar(io.StringIO(), env={})
    assert not wants_bar(Terminal(), env={"CI": "true"})


def test_on_a_terminal_the_bar_shows_the_count_and_an_eta_and_lines_go_above_it(capsys):
    screen = Terminal()
    shown = Progress("cell", stream=screen, env={})
    shown.update(3, 12, "host sweep")
    shown.say("[3/12] MobileNetV1 fp32 1 thread: median 40.00 ms")
    shown.close()
    assert "host sweep:  25%" in screen.getvalue() and "3/12 [" in screen.getvalue() and "<" in screen.getvalue()
    assert "[3/12] MobileNetV1 fp32 1 thread" in capsys.readouterr().out  # the line itself stays on stdout


def test_in_a_pipe_it_prints_the_plain_lines_and_draws_nothing(capsys):
    log = io.StringIO()
    shown = Progress("cell", stream=log, env={})
    shown.update(3, 12, "host sweep")
    shown.say("[3/12] MobileNetV1 fp32 1 thread: median 40.00 ms")
    shown.close()
    assert log.getvalue() == "" and capsys.readouterr().out == "[3/12] MobileNetV1 fp32 1 thread: median 40.00 ms\n"


def test_a_new_piece_of_work_starts_a_fresh_bar():
    screen = Terminal()
    shown = Progress("image", stream=screen, env={})
    shown.update(90, 100, "MobileNetV1 fp32")
    shown.update(1, 50, "MobileNetV1 int8_full")
    assert (shown.bar.n, shown.bar.total, shown.bar.desc) == (1, 50, "MobileNetV1 int8_full")
    shown.close()
