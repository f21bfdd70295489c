"""Command-line pieces shared by the commands: list parsing, numbers, the sweep and device options."""
import argparse
import difflib
import math
import sys
from pathlib import Path

from lite.bench.cells import DEFAULT_INPUT_SHAPE
from lite.bench.estimators import ESTIMATOR_NAMES, ESTIMATORS, MEASUREMENT_DEFAULTS, why_chosen
from lite.bench.stability import Limits
from lite.devices.base import DEFAULT_COMMAND_TIMEOUT_S
from lite.devices.select import TRANSPORTS
from lite.devices.targets import devices_option
from lite.jobs.options import SweepOptions
from lite.models.registry import family, model_names, variant_names
from lite.runtime.bench_program import POWER_MODES, input_shape

MAX_THREADS = 64
MAX_SECONDS = 7 * 24 * 3600  # a week: anything longer is a typo, not a plan


SINGLE_VALUE_ACTIONS = (argparse._StoreAction, argparse._StoreConstAction)  # store_true/false are StoreConst


class OneLineParser(argparse.ArgumentParser):
    """argparse, except that a bad command line is one line on stderr (what is wrong, and --help), exit 2,
    and an option that takes one value may be given once: `--threads 1 --threads 2` is an error, never
    "the last one wins" (lists take commas: --threads 1,2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")

    def parse_known_args(self, args=None, namespace=None):
        args = sys.argv[1:] if args is None else list(args)
        self.refuse_repeats(args)
        return super().parse_known_args(args, namespace)

    def refuse_repeats(self, args):
        single = {name: action.dest for action in self._actions if isinstance(action, SINGLE_VALUE_ACTIONS)
                  for name in action.option_strings}
        seen = {}
        for arg in args:
            if arg == "--":
                break
            name = arg.split("=", 1)[0]
            if name in single:
                if single[name] in seen:
                    self.error(f"{name} is given twice ({seen[single[name]]} and {arg}): give it once"
                               f"{'; a list takes commas, as in --threads 1,2,4' if arg.startswith('--') else ''}")
                seen[single[name]] = name


def add_old_spelling(parser, old, new):
    """Accept `old`, an option's spelling before this release, for one release: hidden from --help, stored where
    `new` stores (its action, type and choices)."""
    action = next(a for a in parser._actions if new in a.option_strings)
    keywords = {"dest": action.dest, "default": argparse.SUPPRESS, "help": argparse.SUPPRESS}
    if isinstance(action, argparse._StoreAction):
        keywords.update(type=action.type, choices=action.choices, nargs=action.nargs, metavar=action.metavar)
    else:
        keywords.update(action="store_true")
    parser.add_argument(old, **keywords)


def known_name(item, allowed, what):
    """`item` as spelled in `allowed` (case does not matter), else an argparse error with a suggestion."""
    by_lower = {name.lower(): name for name in allowed}
    if item.lower() in by_lower:
        return by_lower[item.lower()]
    close = difflib.get_close_matches(item.lower(), list(by_lower), n=1, cutoff=0.6)
    hint = f"did you mean {by_lower[close[0]]}? " if close else ""
    raise argparse.ArgumentTypeError(f"unknown {what} '{item}'; {hint}valid: {', '.join(allowed)}")


def comma_list(allowed, what):
    """An argparse type: 'a,b' (or 'a b') -> ['a', 'b'], each one of `allowed` (case does not matter)."""
    def parse(text):
        items = [known_name(item, allowed, what) for item in text.replace(" ", ",").split(",") if item]
        if not items:
            raise argparse.ArgumentTypeError(f"no {what} in '{text}'; valid: {', '.join(allowed)}")
        return items
    return parse


def one_of(allowed, what):
    """An argparse type: one of `allowed` (case does not matter), with a suggestion when it is none."""
    return lambda text: known_name(text.strip(), allowed, what)


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


def counting(maximum, allow_zero=False):
    """An argparse type: a whole number from 1 (or 0) to `maximum`."""
    low = 0 if allow_zero else 1

    def parse(text):
        if not text.strip().isdigit() or not low <= int(text) <= maximum:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from {low} to {maximum}")
        return int(text)
    return parse


def add_sweep_arguments(parser, *, warmup, repeats, cooldown_s, power_mode, kind):
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
    if power_mode:  # ARM only: the host's command does not offer it
        parser.add_argument("--power-mode", choices=POWER_MODES, default=power_mode,
                            help=f"Paddle Lite CPU power mode: which cores the threads run on (default: {power_mode})")
        add_old_spelling(parser, "--power_mode", "--power-mode")  # the spelling of benchmark_bin and mnv1_bench
    parser.add_argument("--input-shape", type=input_shape, default=DEFAULT_INPUT_SHAPE, metavar="N,C,H,W",
                        help="the timed input's shape; the published figures are at the default, another size "
                             "measures how latency follows the work (default: 1,3,224,224)")
    add_old_spelling(parser, "--input_shape", "--input-shape")  # the spelling of benchmark_bin and mnv1_bench
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
    add_stability_arguments(parser, kind)


def add_stability_arguments(parser, kind="device"):
    """--rounds, --max-rounds, --estimator, --seed and the limits beyond which a cell is re-measured, then
    marked unstable; the defaults of this `kind` of machine ("host" or "device": MEASUREMENT_DEFAULTS)."""
    defaults = MEASUREMENT_DEFAULTS[kind]
    limits = Limits(max_cv=defaults.max_cv)
    percent = or_off(lambda text: bounded(float, 1000.0, "%")(text) / 100)
    parser.add_argument("--rounds", type=counting(1000), default=defaults.rounds,
                        help="run the whole plan this many times, round-robin, each round in a fresh shuffled "
                             f"order and every cell in a fresh process (default: {defaults.rounds})")
    parser.add_argument("--max-rounds", type=counting(1000), default=defaults.max_rounds,
                        help="early stopping: a cell whose rounds disagree gets more rounds, up to this many; one "
                             f"that agrees stops at --rounds (default: {defaults.max_rounds}; never fewer than "
                             f"--rounds)")
    parser.add_argument("--estimator", choices=ESTIMATOR_NAMES, default=defaults.estimator,
                        help="the tables' figure: " + "; ".join(f"{name}: {e.about}".replace("%", "%%")
                                                               for name, e in ESTIMATORS.items())
                             + f"; every one goes into latency.csv (default here: {defaults.estimator}, "
                               f"{why_chosen(defaults.estimator)})")
    parser.add_argument("--seed", type=bounded(int, 2 ** 31 - 1), default=None,
                        help="seed of the rounds' order (default: drawn, printed and recorded)")
    parser.add_argument("--max-retries", type=bounded(int, 100), default=1,
                        help="re-measure an unstable cell up to this many times; still unstable, it is marked "
                             "in every table and the exit status is 4 (default: 1)")
    parser.add_argument("--max-spread", type=percent, default=limits.max_spread, metavar="PERCENT|off",
                        help="unstable when the figure's 95%% interval (rounds and runs resampled) reaches further "
                             "than this from it, or when two models of one architecture differ by more; off: never "
                             f"(default: {100 * limits.max_spread:g})")
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
                        results_root=Path(args.results), power_mode=getattr(args, "power_mode", "no_bind"),
                        warmup=args.warmup,
                        repeats=args.repeats, cooldown_s=args.cooldown, max_temp_c=args.max_temp,
                        max_temp_wait_s=args.max_temp_wait, cell_timeout_s=args.cell_timeout, resume=args.resume,
                        rounds=args.rounds, seed=args.seed, max_retries=args.max_retries,
                        limits=Limits(args.max_spread, args.max_cv, args.max_other_cores),
                        twins=family().same_architecture(), input_shape=tuple(args.input_shape),
                        estimator=args.estimator, max_rounds=max(args.rounds, args.max_rounds))


# Every option of every command, one spelling per concept (tests/test_cli_input.py walks each subcommand's
# parser against it). Lists of names take commas (--threads 1,2,4); an option that names a device or a path
# per value is repeated (--tcp, --build-dir); --compare and --device-folders take their folders as arguments.
OPTION_NAMES = {
    "--help": "this help", "--all": "every model of the family", "--models": "models, a comma list",
    "--model": "the one model of a one-model command", "--variants": "variants, a comma list",
    "--targets": "targets, a comma list", "--threads": "thread counts, a comma list (eval: one count)",
    "--weights": "folder of PaddleClas weights", "--models-dir": "the converted models' folder",
    "--results": "the results root", "--name": "a results subfolder", "--out": "where a report goes",
    "--force": "redo what is up to date", "--calib-data": "calibration images", "--calib-list": "their list",
    "--calib-samples": "how many", "--calib-algo": "PTQ algorithm", "--weight-quant": "weight quantization",
    "--skip-quant-layers": "layers kept FP32", "--calib-check-samples": "held-back check images",
    "--max-top1-loss": "Top-1 points int8 may lose",
    "--max-fp32-flops": "FLOPs share auto may take out of int8",
    "--layers": "layers to try", "--verify-arm": "check on ARM kernels",
    "--lite-dir": "Paddle Lite's ARM library", "--fp16-lite-dir": "its FP16 build",
    "--lite-dir-armv7": "its armv7 build", "--profile": "the operator profiler's pass",
    "--profile-lite-dir": "Paddle Lite built with the profiler", "--verify-inputs": "inputs of the check",
    "--arm-cpu": "qemu CPU",
    "--warmup": "untimed runs", "--input-shape": "the timed input's N,C,H,W", "--repeats": "timed runs",
    "--power-mode": "Paddle Lite power mode",
    "--cooldown": "pause between cells", "--max-temp": "thermal wait", "--max-temp-wait": "its longest wait",
    "--cell-timeout": "a cell's longest run", "--resume": "keep complete cells", "--rounds": "rounds",
    "--seed": "the rounds' order", "--max-rounds": "early stopping's most rounds", "--estimator": "the figure",
    "--max-retries": "re-measurements", "--max-spread": "stability limit",
    "--max-cv": "stability limit", "--max-other-cores": "stability limit", "--transport": "how to reach a device",
    "--serial": "one device", "--devices": "several devices: all or serials, a comma list",
    "--tcp": "a device on the network, repeated", "--adb-server": "another host's adb server",
    "--command-timeout": "a device command's longest silence", "--overlap-push": "let pushes overlap",
    "--runner": "what measures on the device",
    "--profile-build-dir": "mnv1_bench with the operator profiler",
    "--build-dir": "the cxx_demo build, repeated per ABI",
    "--benchmark-bin": "Paddle Lite's tool", "--lib-dir": "its libraries", "--device-dir": "folder on the device",
    "--model-target": "which models a device runs", "--compare": "two runs", "--across-machines": "allow it",
    "--fail-if-slower": "compare's CI gate, a percentage", "--engines": "inference engines, a comma list",
    "--device-folders": "devices' result folders", "--data": "labelled images", "--list": "their list file",
    "--allow-outside": "list entries outside --data", "--labels": "class names", "--limit": "first N images",
    "--runtime": "where an evaluation runs", "--cache": "preprocessed images", "--no-cache": "keep none",
    "--workers": "image readers", "--batch-files": "inputs per qemu process", "--jobs": "qemu processes",
    "--apk": "an APK to install", "--allow-4k-pages": "install libraries without 16 KB alignment",
    "--project": "the Android project",
}


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
