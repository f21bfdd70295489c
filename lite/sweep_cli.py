"""Command-line pieces shared by the sweep commands (run_host.py, run_sd855.py)."""
import argparse
from pathlib import Path

from lite.convert import VARIANTS, nb_path
from lite.errors import ToolkitError
from lite.export import REFERENCE_IO_FILE, export_folder
from lite.family import MODEL_NAMES, select_models
from lite.nb_format import check_nb_file
from lite.sweep import POWER_MODES, Cell

MAX_THREADS = 64


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


def parse_names(allowed, what):
    def parse(text):
        items = [item for item in text.split(",") if item]
        bad = [item for item in items if item not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"unknown {what} '{','.join(bad) or text}'; valid: {', '.join(allowed)}")
        return items
    return parse


def non_negative(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"'{text}' must not be negative")
        return value
    return parse


def add_sweep_arguments(parser, *, warmup, repeats, cooldown_s, power_mode):
    parser.add_argument("--threads", type=parse_threads, default=[1, 2, 4],
                        help="comma-separated thread counts (default: 1,2,4)")
    parser.add_argument("--models", type=parse_names(MODEL_NAMES, "model"), default=None,
                        help=f"comma-separated models (default: all of {', '.join(MODEL_NAMES)})")
    parser.add_argument("--variants", type=parse_names(VARIANTS, "variant"), default=["fp32"],
                        help="comma-separated variants converted by opt_models.py (default: fp32)")
    parser.add_argument("--models-dir", default="models", help="where opt_models.py wrote the models (default: models)")
    parser.add_argument("--warmup", type=non_negative(int), default=warmup, help=f"untimed runs per cell (default: {warmup})")
    parser.add_argument("--repeats", type=non_negative(int), default=repeats, help=f"timed runs per cell (default: {repeats})")
    parser.add_argument("--power-mode", choices=POWER_MODES, default=power_mode,
                        help=f"Paddle Lite CPU power mode, ARM only (default: {power_mode})")
    parser.add_argument("--cooldown", type=non_negative(float), default=cooldown_s, metavar="SECONDS",
                        help=f"pause between cells (default: {cooldown_s:g})")
    parser.add_argument("--max-temp", type=non_negative(float), default=None, metavar="CELSIUS",
                        help="before each cell, wait until the hottest thermal zone is below this (default: off)")
    parser.add_argument("--max-temp-wait", type=non_negative(float), default=300.0, metavar="SECONDS",
                        help="longest wait for --max-temp; then measure anyway and record it (default: 300)")
    parser.add_argument("--cell-timeout", type=non_negative(float), default=600.0, metavar="SECONDS",
                        help="a cell running longer fails and the sweep goes on (default: 600)")
    parser.add_argument("--resume", action="store_true",
                        help="keep cells that already have a complete result file; run the rest")


def plan_cells(args, target, with_reference):
    """Cells for the sweep, after checking that every model file is there and is a `.nb`."""
    if args.repeats < 1:
        raise ToolkitError("--repeats must be at least 1")
    models_dir = Path(args.models_dir)
    cells = []
    for spec in select_models(args.models):
        for variant in args.variants:
            path = nb_path(models_dir, target, spec.name, variant)
            if not path.is_file():
                raise ToolkitError(f"no converted model {path}; make it with: python lite/opt_models.py "
                                   f"--models {spec.name} --targets {target} --variants {variant}"
                                   + (f" --out {models_dir}" if str(models_dir) != "models" else ""))
            check_nb_file(path, spec.name)
            reference = export_folder(models_dir, spec.name) / REFERENCE_IO_FILE if with_reference else None
            if reference is not None and not reference.is_file():
                raise ToolkitError(f"{reference} (Paddle's logits, to check {spec.name} before timing) is missing; "
                                   f"make it with: python lite/opt_models.py --models {spec.name} --force"
                                   + (f" --out {models_dir}" if str(models_dir) != "models" else ""))
            for threads in args.threads:
                cells.append(Cell(spec.name, variant, target, threads, args.power_mode, args.warmup,
                                  args.repeats, path, reference))
    return cells
