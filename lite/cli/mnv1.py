"""`mnv1`: the toolkit's one command. Each subcommand is one of the commands below, with its own --help.

The contract scripts (`python lite/opt_models.py --all`, `python bench_scripts/run_sd855.py --threads 1,2,4`,
report.py, eval_accuracy.py, android_demo/install.py) are thin shims of the same commands.
"""
import difflib
import importlib
import sys
from dataclasses import dataclass

from lite.cli.args import OneLineParser


@dataclass(frozen=True)
class Subcommand:
    name: str
    module: str
    summary: str
    leading: tuple = ()  # options the subcommand always passes (verify-arm is convert --verify-arm ...)
    example: str = ""


SUBCOMMANDS = (
    Subcommand("convert", "lite.cli.opt_models", "convert the MobileNetV1 family to Paddle Lite .nb models",
               example="mnv1 convert --all"),
    Subcommand("run", "lite.cli.main_job", "the main job's benchmark: attached phones, else this host (make run)",
               example="mnv1 run --results results/local"),
    Subcommand("bench", "lite.cli.device_bench", "benchmark the models on a phone over adb (several: --devices)",
               example="mnv1 bench --threads 1,2,4"),
    Subcommand("host", "lite.cli.host_bench", "benchmark the x86 models on this host (real Paddle Lite x86 runtime)",
               example="mnv1 host --threads 1,2,4"),
    Subcommand("report", "lite.cli.report", "rebuild the tables and plots of a results folder from its raw files",
               example="mnv1 report results/host"),
    Subcommand("compare", "lite.cli.report", "compare two results folders cell by cell", ("--compare",),
               example="mnv1 compare results/before results/after"),
    Subcommand("eval", "lite.cli.eval_accuracy", "Top-1 / Top-5 of the converted models on labelled images",
               example="mnv1 eval --data ~/ILSVRC2012/val --limit 1000"),
    Subcommand("sensitivity", "lite.cli.quant_sensitivity", "which layers cost the most accuracy in int8",
               example="mnv1 sensitivity --model MobileNetV1_x0_25"),
    Subcommand("verify-arm", "lite.cli.opt_models", "convert, then run every ARM model on the real ARM kernels "
               "under qemu", ("--verify-arm",), example="mnv1 verify-arm --all --lite-dir DIR"),
    Subcommand("app", "lite.cli.install_app", "the Android demo app: `mnv1 app install` builds, installs, starts it",
               example="mnv1 app install --serial R58M1"),
    Subcommand("to-ppm", "lite.cli.to_ppm", "an image as the binary PPM that the C++ demo reads",
               example="mnv1 to-ppm photo.jpg photo.ppm"),
)
BY_NAME = {sub.name: sub for sub in SUBCOMMANDS}


def overview(prog):
    width = max(len(sub.name) for sub in SUBCOMMANDS)
    lines = [f"usage: {prog} COMMAND [options]   ({prog} COMMAND --help for a command's options)", "",
             (__doc__ or "").strip().splitlines()[0], "", "commands:"]
    lines += [f"  {sub.name:<{width}}  {sub.summary}" for sub in SUBCOMMANDS]
    lines += ["", "examples:"] + [f"  {sub.example.replace('mnv1', prog, 1)}" for sub in SUBCOMMANDS[:4]]
    return "\n".join(lines)


def main(argv=None, prog="mnv1"):
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(overview(prog))
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in BY_NAME:
        parser = OneLineParser(prog=prog)
        close = difflib.get_close_matches(name.lower(), list(BY_NAME), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        parser.error(f"unknown command '{name}'{hint} (commands: {', '.join(BY_NAME)})")
    sub = BY_NAME[name]
    if name == "app":
        if not rest or rest[0] != "install":
            if rest and rest[0] in ("-h", "--help"):
                print(f"usage: {prog} app install [options]\n\n{sub.summary}\nexample: {sub.example}")
                return 0
            OneLineParser(prog=f"{prog} app").error("the app has one subcommand: install")
        rest, name = rest[1:], "app install"
    module = importlib.import_module(sub.module)
    asks_help = any(arg in ("-h", "--help") for arg in rest)  # `compare --help` is report's help, not an error
    return module.main([*(() if asks_help else sub.leading), *rest], prog=f"{prog} {name}")


if __name__ == "__main__":
    sys.exit(main())
