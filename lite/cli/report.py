"""Rebuild latency.csv, latency.md and the plots of a result folder from its raw result files.

Files that cannot be read (truncated, another schema, missing fields) are named on stderr, left
out of the tables, and make the exit status 2.

With --compare OLD NEW, two runs are set side by side instead: per cell the ratio of medians NEW/OLD
with a 95% bootstrap interval, and faster / slower / no significant difference (like pyperf compare_to).
With --devices FOLDER..., the devices' folders (as a many-device run_sd855.py writes them) are set
side by side: devices.csv, devices.md and devices_latency.png (model x variant x threads by device, the
published SD855 figure where it applies, the spread between units of one SoC), written to --out
(default: the folders' common parent). Folders without result files are skipped with a note.

Examples: python bench_scripts/report.py results/host
          python bench_scripts/report.py --compare results/before results/after
          python bench_scripts/report.py --compare results/main results/branch --fail-if-slower 5
          python bench_scripts/report.py --compare results/host --engines
          python bench_scripts/report.py --devices results/*/
"""
import argparse
import sys
from pathlib import Path

from lite.bench.compare import compare_engines, compare_runs, machines_differ, slower_than
from lite.bench.results import load_results
from lite.cli.args import OneLineParser, add_old_spelling, bounded
from lite.cli.summary import print_problems
from lite.errors import ToolkitError
from lite.models.registry import family
from lite.report.comparison import comparison_text
from lite.report.writer import write_devices_report, write_reports
from lite.util.edge import EXIT_SLOWER, EXIT_UNREADABLE_RESULTS, run_edge


def main(argv=None, prog=None):
    parser = OneLineParser(prog=prog or "python bench_scripts/report.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("result_dir", nargs="*", help="a folder with raw/*.json result files, e.g. results/host")
    parser.add_argument("--compare", nargs="*", metavar="FOLDER",
                        help="compare two result folders (OLD NEW), or with --engines the engines of one")
    parser.add_argument("--engines", action="store_true",
                        help="with --compare FOLDER: each engine of one host run against Paddle Lite's cells")
    parser.add_argument("--across-machines", action="store_true",
                        help="with --compare: allow runs from different machines (SoC, CPU model); refused by default")
    parser.add_argument("--fail-if-slower", type=bounded(float, 1000.0, "%"), metavar="PCT",
                        help="with --compare: exit 1 when a cell that is stable in both runs is significantly slower "
                             "by more than PCT percent (for CI; default: never fail on speed)")
    parser.add_argument("--device-folders", nargs="+", metavar="FOLDER",
                        help="set several devices' result folders side by side (e.g. results/*/)")
    add_old_spelling(parser, "--devices", "--device-folders")
    parser.add_argument("--out", help="where --device-folders writes its table and plot (default: the folders' "
                                      "common parent)")
    args = parser.parse_args(argv)
    if args.compare is not None:  # `mnv1 compare --engines DIR` puts the folder after the flags
        args.compare, args.result_dir = args.compare + args.result_dir, None
    elif len(args.result_dir) > 1:
        parser.error("give one result folder (two are --compare OLD NEW)")
    else:
        args.result_dir = args.result_dir[0] if args.result_dir else None
    if sum(map(bool, (args.result_dir, args.compare, args.device_folders))) != 1:
        parser.error("give a result folder, or --compare OLD NEW, or --device-folders FOLDER...")
    if args.out and not args.device_folders:
        parser.error("--out goes with --device-folders")
    if args.fail_if_slower is not None and not args.compare:
        parser.error("--fail-if-slower goes with --compare")
    if args.engines and not args.compare:
        parser.error("--engines goes with --compare FOLDER (mnv1 compare --engines results/host)")
    if args.compare and len(args.compare) != (1 if args.engines else 2):
        parser.error("--compare takes two folders, OLD NEW (or one with --engines)")
    if args.engines:
        return run_edge(lambda: compare_engines_of(args.compare[0], fail_if_slower=args.fail_if_slower))
    if args.compare:
        return run_edge(lambda: compare(*args.compare, across_machines=args.across_machines,
                                        fail_if_slower=args.fail_if_slower))
    if args.device_folders:
        return run_edge(lambda: devices(args.device_folders, args.out))
    return run_edge(lambda: rebuild(args.result_dir))


def compare_engines_of(folder, fail_if_slower=None):
    loaded = load_results(folder)
    if not (Path(folder) / "raw").is_dir():
        raise ToolkitError(f"{folder} holds no raw/ folder of result files")
    unreadable = print_problems(loaded.problems)
    rows = compare_engines(loaded.results, family().same_architecture())
    if not rows:
        raise ToolkitError(f"{folder} has no cell of another engine beside a paddle-lite one; sweep with "
                           f"mnv1 host --engines paddle-lite,onnxruntime (for example)")
    print(comparison_text(rows, [], f"paddle-lite cells of {folder}", f"each other engine's cells of {folder}",
                          fail_if_slower=fail_if_slower, labels=("PADDLE-LITE", "ENGINE")), end="")
    if fail_if_slower is not None and slower_than(rows, fail_if_slower):
        return EXIT_SLOWER
    return EXIT_UNREADABLE_RESULTS if unreadable else 0


def compare(old_dir, new_dir, across_machines=False, fail_if_slower=None):
    loaded = [load_results(folder) for folder in (old_dir, new_dir)]
    for folder in (old_dir, new_dir):
        if not (Path(folder) / "raw").is_dir():
            raise ToolkitError(f"{folder} holds no raw/ folder of result files")
    unreadable = print_problems([p for one in loaded for p in one.problems])
    machines = machines_differ(loaded[0].results, loaded[1].results)
    if machines and not across_machines:
        raise ToolkitError(f"{old_dir} and {new_dir} come from different machines ({machines}): a ratio would "
                           f"measure the machines; pass --across-machines to compare them anyway")
    rows, unmatched = compare_runs(loaded[0].results, loaded[1].results, family().same_architecture())
    if not rows:
        raise ToolkitError(f"{old_dir} and {new_dir} have no measured cell in common")
    print(comparison_text(rows, unmatched, str(old_dir), str(new_dir), machines, fail_if_slower), end="")
    if fail_if_slower is not None and slower_than(rows, fail_if_slower):
        return EXIT_SLOWER
    return EXIT_UNREADABLE_RESULTS if unreadable else 0


def devices(folders, out=None):
    paths, problems = write_devices_report(folders, out, say=print)
    print(Path(paths[1]).read_text())
    print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_UNREADABLE_RESULTS if print_problems(problems) else 0


def rebuild(result_dir):
    paths, problems = write_reports(result_dir)
    print((Path(result_dir) / "latency.md").read_text())
    print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_UNREADABLE_RESULTS if print_problems(problems) else 0


if __name__ == "__main__":
    sys.exit(main())
