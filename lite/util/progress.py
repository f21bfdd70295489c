"""Progress of long work: a tqdm bar with an ETA when stderr is a terminal; in a pipe, a log file or CI,
nothing beyond the plain `[i/N]` lines the work prints anyway."""
import os
import sys
from contextlib import contextmanager

from tqdm import tqdm


def wants_bar(stream, env=None):
    """A bar only for a person watching: `stream` is a terminal and CI is not set."""
    env = os.environ if env is None else env
    return bool(getattr(stream, "isatty", lambda: False)()) and not env.get("CI")


class Progress:
    """`say(text)` prints a line (above the bar, when there is one); `update(done, total, what)` moves the bar.
    Without a bar both are the plain print and nothing."""

    def __init__(self, unit, stream=None, env=None):
        stream = stream or sys.stderr
        self.bar = tqdm(total=0, unit=unit, file=stream, leave=False, dynamic_ncols=True) if wants_bar(
            stream, env) else None

    def say(self, text=""):
        if self.bar is None:
            print(text, flush=True)
        else:
            self.bar.write(str(text), file=sys.stdout)

    def update(self, done, total, what=None):
        if self.bar is None:
            return
        fresh = done < self.bar.n or (what is not None and what != self.bar.desc)
        if fresh:  # a new piece of work: a fresh count and ETA
            self.bar.reset(total)
            if what is not None:
                self.bar.set_description_str(what, refresh=False)
        self.bar.total = total
        self.bar.update(done - self.bar.n)  # through update, so that the rate and the ETA are tqdm's own
        if fresh:
            self.bar.refresh()  # update() draws at most every 0.1 s; a new bar is drawn at once

    def close(self):
        if self.bar is not None:
            self.bar.close()


@contextmanager
def progress(unit):
    """A Progress for the length of a `with`; its bar is gone afterwards."""
    shown = Progress(unit)
    try:
        yield shown
    finally:
        shown.close()
