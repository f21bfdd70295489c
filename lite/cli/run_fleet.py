"""run_sd855.py over several devices at once: choose them, run one worker per device, say per device
what finished. Each device's sweep is run_sd855's own (`sweep_on`), into RESULTS/<soc>-<serial>/."""
import shutil
import sys
import time

from lite.bench.fleet import FINISHED, LOST, FleetBoard, FolderClaims, run_fleet
from lite.bench.push_gate import PushGate
from lite.devices.fleet import ALL, plan_targets
from lite.devices.select import parse_host_port, resolve_transport, with_command_timeout
from lite.errors import DeviceError, ToolkitError
from lite.util.edge import EXIT_DEVICE_LOST, EXIT_FAILED_CELLS, EXIT_UNSTABLE


def check_options(args, transport):
    """What a many-device sweep cannot take, as one line each."""
    if args.serial:
        raise ToolkitError("--serial names one device; for several use --devices SERIAL,SERIAL")
    if args.name:
        raise ToolkitError("--name names one results folder; with several devices each gets RESULTS/<soc>-<serial>/")
    if transport == "local":
        raise ToolkitError("--transport local is this host alone; several devices need adb, tcp or usb")
    if transport == "tcp" and args.devices == ALL:
        raise ToolkitError("--devices all needs the adb server (--transport adb) to list them; with --transport "
                           "tcp name each device: --devices HOST:PORT,HOST:PORT or --tcp HOST:PORT repeated")
    if transport == "usb" and (args.devices in (None, ALL) or args.tcp):
        raise ToolkitError("--transport usb takes --devices SERIAL,SERIAL (adb-shell cannot list USB devices; "
                           "--transport adb can: --devices all)")
    for host_port in args.tcp + (list(args.devices) if transport == "tcp" and args.devices else []):
        parse_host_port(host_port)


def adb_targets(args):
    """(serials, problems, opener) through the adb server: --tcp devices are `adb connect`ed first."""
    from lite.devices.adb_program import AdbProgramDevice, AdbServer
    server = AdbServer(parse_host_port(args.adb_server, "--adb-server") if args.adb_server else None)
    refused = {}
    for host_port in args.tcp:
        try:
            server.connect(host_port)
        except DeviceError as exc:
            refused[host_port] = str(exc)
    listing = server.devices()
    listed = {serial for serial, _ in listing}
    targets = plan_targets(args.devices, listing, args.tcp)
    problems = {t.serial: (refused[t.serial] if t.serial in refused and t.serial not in listed else t.problem)
                for t in targets if t.problem}
    return [t.serial for t in targets], problems, lambda serial: with_command_timeout(
        AdbProgramDevice(serial=serial, server=server.server), args.command_timeout)


def adb_shell_targets(args, transport):
    from lite.devices.adb_shell import AdbShellDevice
    if transport == "tcp":  # --devices names HOST:PORTs here, as --tcp does
        return (list(dict.fromkeys([*(args.devices or ()), *args.tcp])), {},
                lambda host_port: with_command_timeout(AdbShellDevice.over_tcp(*parse_host_port(host_port)),
                                                       args.command_timeout))
    return list(args.devices), {}, lambda serial: with_command_timeout(AdbShellDevice.over_usb(serial),
                                                                       args.command_timeout)


def sweep_fleet(args, sweep_on):
    """Sweep every chosen device in parallel with `sweep_on` (run_sd855's one-device sweep)."""
    started = time.monotonic()
    named = args.tcp or args.devices  # --transport tcp with --devices all is refused by check_options
    transport = resolve_transport(args.transport, named, shutil.which("adb") is not None, args.adb_server)
    check_options(args, transport)
    serials, problems, opener = adb_targets(args) if transport == "adb" else adb_shell_targets(args, transport)
    gate, claims = PushGate(overlap=args.overlap_push), FolderClaims()
    fleet = {"devices": serials, "overlap_push": args.overlap_push}
    print(f"sweeping {len(serials)} device(s) in parallel: {', '.join(serials)}; pushes "
          + ("may overlap measurements (--overlap-push)" if args.overlap_push else
             "from this host never overlap a measurement on another device"))
    from lite.cli.run_sd855 import result_folder

    def folder_for(serial):
        def folder(machine):
            path = result_folder(args.results, machine, f"{machine['device']}-{serial}")
            claims.claim(path, serial)
            return path
        return folder

    def work(serial, board):
        board.update(serial, phase="connecting")
        with opener(serial) as device:
            return sweep_on(device, args, say=board.device_say(serial), serial=serial, folder=folder_for(serial),
                            gate=gate, board=board, fleet=fleet)

    board = FleetBoard(serials)
    places = run_fleet(serials, work, board, problems)
    return print_fleet_summary(places, time.monotonic() - started)


def place_summary(place):
    """One line per device: what finished, or why not and what to do (pure)."""
    if place.status == FINISHED:
        result_dir, _paths, problems, summary = place.outcome
        unstable = f", {len(summary.unstable)} unstable" if summary.unstable else ""
        unreadable = f", {len(problems)} unreadable result file(s)" if problems else ""
        return (f"{place.serial}: finished: {summary.ran} cells run, {summary.skipped} kept, {summary.failed} failed"
                f"{unstable}{unreadable}; {result_dir}")
    where = f" after {place.done}/{place.total} measurements" if place.total else ""
    if place.status == LOST:
        return (f"{place.serial}: LOST{where}: {place.error}; every finished cell is kept in "
                f"{place.folder or 'its folder'}: reconnect it and rerun with --resume")
    return f"{place.serial}: FAILED{where}: {place.error}"


def fleet_status(places):
    """The exit status (pure): 3 when a device did not finish, else 1 for failed cells, 4 for unstable ones."""
    if any(place.status != FINISHED for place in places):
        return EXIT_DEVICE_LOST
    outcomes = [place.outcome for place in places]
    if any(problems or summary.failed for _dir, _paths, problems, summary in outcomes):
        return EXIT_FAILED_CELLS
    if any(summary.unstable for *_rest, summary in outcomes):
        return EXIT_UNSTABLE
    return 0


def print_fleet_summary(places, elapsed_s):
    print()
    print(f"devices ({elapsed_s:.0f} s):")
    for place in places:
        print("  " + place_summary(place))
    finished = [str(place.outcome[0]) for place in places if place.status == FINISHED]
    if len(finished) > 1:
        print("compare them: python bench_scripts/report.py --devices " + " ".join(finished))
    status = fleet_status(places)
    if status == EXIT_DEVICE_LOST:
        unfinished = [place.serial for place in places if place.status != FINISHED]
        print(f"error: {len(unfinished)} of {len(places)} device(s) did not finish: {', '.join(unfinished)} "
              f"(see above); the others' results are complete", file=sys.stderr)
    return status
