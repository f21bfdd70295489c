"""Command-line pieces shared by the commands: list parsing, numbers, the sweep and device options."""
import argparse
import math
from pathlib import Path

from lite.bench.stability import Limits
from lite.devices.base import DEFAULT_COMMAND_TIMEOUT_S
from lite.devices.select import TRANSPORTS
from lite.devices.targets import devices_option
from lite.jobs.options import SweepOptions
from lite.models.registry import family, model_names, variant_names
from lite.runtime.bench_program import POWER_MODES

MAX_THREADS = 64
MAX_SECONDS = 7 * 24 * 3600  # a week: anything longer is a typo, not a plan


class OneLineParser(argparse.ArgumentParser):
    """argparse, except that a bad command line is one line on stderr (what is wrong, and --help), exit 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def comma_list(allowed, what):
    """An argparse type: 'a,b' (or 'a b') -> ['a', 'b'], each one of `allowed`."""
    def parse(text):
        items = [item for item in text.replace(" ", ",").split(",") if item]
        bad = [item for item in items if item not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"unknown {what} '{','.join(bad) or text}'; valid: {', '.join(allowed)}")
        return items
    return parse


def parse_threads(text):
    """'1,2,4' -> [1, 2, 4]; anything else is an argparse error naming the bad part."""
    threads = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= MAX_THREADS:
            raise argparse.ArgumentTypeError(f"'{part}' in '{text}' is not a thread count from 1 to {MAX_THREADS}")
        if int(part) not in threads:
            threads.append(int(part))
    return threads


def bounded(kind, maximum, unit=""):
    """An argparse type: a finite number from 0 to `maximum` (no nan, no inf)."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not math.isfinite(value) or not 0 <= value <= maximum:
            raise argparse.ArgumentTypeError(f"'{text}' must be a number from 0 to {maximum:g}{unit}")
        return value
    return parse


def or_off(parse):
    """An argparse type: `parse`'s number, or `off` for no limit at all (stored as infinity)."""
    def parse_or_off(text):
        return math.inf if text.strip().lower() == "off" else parse(text)
    return parse_or_off


def counting(maximum):
    """An argparse type: a whole number from 1 to `maximum`."""
    def parse(text):
        if not text.strip().isdigit() or not 1 <= int(text) <= maximum:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from 1 to {maximum}")
        return int(text)
    return parse


def add_sweep_arguments(parser, *, warmup, repeats, cooldown_s, power_mode):
    seconds = bounded(float, MAX_SECONDS, " seconds")
    parser.add_argument("--threads", type=parse_threads, default=[1, 2, 4],
                        help="comma-separated thread counts (default: 1,2,4)")
    parser.add_argument("--models", type=comma_list(model_names(), "model"), default=None,
                        help=f"comma-separated models (default: all of {', '.join(model_names())})")
    parser.add_argument("--variants", type=comma_list(variant_names(), "variant"), default=["fp32"],
                        help="comma-separated variants converted by opt_models.py (default: fp32)")
    parser.add_argument("--models-dir", default="models", help="where opt_models.py wrote the models (default: models)")
    parser.add_argument("--warmup", type=bounded(int, 100000), default=warmup,
                        help=f"untimed runs per cell (default: {warmup})")
    parser.add_argument("--repeats", type=bounded(int, 100000), default=repeats,
                        help=f"timed runs per cell (default: {repeats})")
    parser.add_argument("--power-mode", choices=POWER_MODES, default=power_mode,
                        help=f"Paddle Lite CPU power mode, ARM only (default: {power_mode})")
    parser.add_argument("--cooldown", type=seconds, default=cooldown_s, metavar="SECONDS",
                        help=f"pause between cells (default: {cooldown_s:g})")
    parser.add_argument("--max-temp", type=bounded(float, 150.0, " °C"), default=None, metavar="CELSIUS",
                        help="before each cell, wait until the hottest thermal zone is below this (default: off)")
    parser.add_argument("--max-temp-wait", type=seconds, default=300.0, metavar="SECONDS",
                        help="longest wait for --max-temp; then measure anyway and record it (default: 300)")
    parser.add_argument("--cell-timeout", type=seconds, default=600.0, metavar="SECONDS",
                        help="a cell running longer fails and the sweep goes on (default: 600)")
    parser.add_argument("--resume", action="store_true",
                        help="keep cells that already have a complete result file; run the rest")
    add_stability_arguments(parser)


DEFAULT_ROUNDS = 3


def add_stability_arguments(parser):
    """--rounds, --seed and the limits beyond which a cell is re-measured, then marked unstable."""
    limits = Limits()
    percent = or_off(lambda text: bounded(float, 1000.0, "%")(text) / 100)
    parser.add_argument("--rounds", type=counting(1000), default=DEFAULT_ROUNDS,
                        help="run the whole plan this many times, round-robin, each round in a fresh shuffled "
                             "order and every cell in a fresh process; tables show the median over rounds "
                             f"(default: {DEFAULT_ROUNDS})")
    parser.add_argument("--seed", type=bounded(int, 2 ** 31 - 1), default=None,
                        help="seed of the rounds' order (default: drawn, printed and recorded)")
    parser.add_argument("--max-retries", type=bounded(int, 100), default=1,
                        help="re-measure an unstable cell up to this many times; still unstable, it is marked "
                             "in every table and the exit status is 4 (default: 1)")
    parser.add_argument("--max-spread", type=percent, default=limits.max_spread, metavar="PERCENT|off",
                        help="unstable when round medians, or two models of one architecture, differ by more; "
                             f"off: never (default: {100 * limits.max_spread:g})")
    parser.add_argument("--max-cv", type=percent, default=limits.max_cv, metavar="PERCENT|off",
                        help=f"unstable when the timed runs' CV is above this; off: never "
                             f"(default: {100 * limits.max_cv:g})")
    parser.add_argument("--max-other-cores", type=or_off(bounded(float, 1024.0)), default=limits.max_other_cores,
                        metavar="CORES|off", help="unstable when other work used more CPU than this many cores in a "
                                                  f"round; off: never (default: {limits.max_other_cores:g})")


def sweep_options(args):
    """The SweepOptions of the sweep and stability options above (the job never sees the Namespace)."""
    return SweepOptions(threads=tuple(args.threads), models=tuple(args.models) if args.models else None,
                        variants=tuple(args.variants), models_dir=Path(args.models_dir),
                        results_root=Path(args.results), power_mode=args.power_mode, warmup=args.warmup,
                        repeats=args.repeats, cooldown_s=args.cooldown, max_temp_c=args.max_temp,
                        max_temp_wait_s=args.max_temp_wait, cell_timeout_s=args.cell_timeout, resume=args.resume,
                        rounds=args.rounds, seed=args.seed, max_retries=args.max_retries,
                        limits=Limits(args.max_spread, args.max_cv, args.max_other_cores),
                        twins=family().same_architecture())


def add_device_arguments(parser, many=False):
    """--transport, --serial, --tcp, --adb-server: how to reach the device (run_sd855.py and the app
    installer); with `many`, also --devices, a repeatable --tcp and --overlap-push (run_sd855.py)."""
    parser.add_argument("--transport", choices=TRANSPORTS, default="auto",
                        help="adb (the adb program and its server), usb or tcp (the adb-shell package, no server), "
                             "local (this host); auto: adb when the adb program is on PATH, else USB (default: auto)")
    parser.add_argument("--serial", help="which device, when several are attached (see `adb devices`)")
    parser.add_argument("--adb-server", metavar="HOST:PORT",
                        help="use the adb server on another host (adb -H HOST -P PORT) and the devices it lists")
    parser.add_argument("--command-timeout", type=bounded(float, MAX_SECONDS, " seconds"),
                        default=DEFAULT_COMMAND_TIMEOUT_S, metavar="SECONDS",
                        help="how long a short device command (getprop, ls, df) may go unanswered before the "
                             f"device counts as hung (default: {DEFAULT_COMMAND_TIMEOUT_S:.0f})")
    if not many:
        parser.add_argument("--tcp", metavar="HOST:PORT", help="a device on the network (adb over TCP/IP)")
        return
    parser.add_argument("--tcp", metavar="HOST:PORT", action="append", default=[],
                        help="a device on the network (adb over TCP/IP); repeat it for several devices, which "
                             "are then swept in parallel like --devices")
    parser.add_argument("--devices", type=devices_option, metavar="all|SERIAL,...",
                        help="sweep several devices in parallel, one worker each, each into RESULTS/<soc>-<serial>/: "
                             "'all' (every device `adb devices` lists) or serials separated by commas")
    parser.add_argument("--overlap-push", action="store_true",
                        help="with several devices, let pushes to one run while another measures (by default a "
                             "measurement never overlaps a push from this host; which happened is recorded)")


def device_folder(text):
    """An argparse type for a folder on the device: no backslash or control character (sha256sum and ls
    escape such names in their output, so a push could never be verified)."""
    bad = sorted({repr(c)[1:-1] for c in text if c == "\\" or ord(c) < 32 or ord(c) == 127})
    if bad:
        raise argparse.ArgumentTypeError(f"'{text}' holds {', '.join(bad)}: sha256sum on the device escapes such "
                                         f"names, so pushes could not be checked; choose a plain folder name")
    return text
