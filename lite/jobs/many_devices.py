"""The many-device job: choose the devices, run the one-device job on each in its own worker, in
parallel, and say per device how its work ended. Each device's results go to RESULTS/<name>-<serial>/."""
import shutil

from lite.bench.parallel import FINISHED, LOST, FolderClaims, ProgressBoard, run_per_device
from lite.bench.push_gate import PushGate
from lite.devices.adb_program import AdbProgramDevice, AdbServer
from lite.devices.adb_shell import AdbShellDevice
from lite.devices.select import parse_host_port, resolve_transport, with_command_timeout
from lite.devices.targets import ALL, plan_targets
from lite.errors import DeviceError, ToolkitError
from lite.jobs.device_sweep import DeviceSlot, sweep_one_device
from lite.util.edge import EXIT_DEVICE_LOST, EXIT_FAILED_CELLS, EXIT_UNSTABLE


def check_connection(connection, on_device, transport):
    """What a many-device sweep cannot take, as one line each."""
    if connection.serial:
        raise ToolkitError("--serial names one device; for several use --devices SERIAL,SERIAL")
    if on_device.name:
        raise ToolkitError("--name names one results folder; with several devices each gets RESULTS/<soc>-<serial>/")
    if transport == "local":
        raise ToolkitError("--transport local is this host alone; several devices need adb, tcp or usb")
    if transport == "tcp" and connection.devices == ALL:
        raise ToolkitError("--devices all needs the adb server (--transport adb) to list them; with --transport "
                           "tcp name each device: --devices HOST:PORT,HOST:PORT or --tcp HOST:PORT repeated")
    if transport == "usb" and (connection.devices in (None, ALL) or connection.tcp):
        raise ToolkitError("--transport usb takes --devices SERIAL,SERIAL (adb-shell cannot list USB devices; "
                           "--transport adb can: --devices all)")
    for host_port in connection.tcp + (tuple(connection.devices) if transport == "tcp" and connection.devices
                                       else ()):
        parse_host_port(host_port)


def adb_targets(connection):
    """(serials, problems, opener) through the adb server: --tcp devices are `adb connect`ed first."""
    server = AdbServer(parse_host_port(connection.adb_server, "--adb-server") if connection.adb_server else None)
    refused = {}
    for host_port in connection.tcp:
        try:
            server.connect(host_port)
        except DeviceError as exc:
            refused[host_port] = str(exc)
    listing = server.devices()
    listed = {serial for serial, _ in listing}
    targets = plan_targets(connection.devices, listing, list(connection.tcp))
    problems = {t.serial: (refused[t.serial] if t.serial in refused and t.serial not in listed else t.problem)
                for t in targets if t.problem}
    return [t.serial for t in targets], problems, lambda serial: with_command_timeout(
        AdbProgramDevice(serial=serial, server=server.server), connection.command_timeout_s)


def adb_shell_targets(connection, transport):
    timeout_s = connection.command_timeout_s
    if transport == "tcp":  # --devices names HOST:PORTs here, as --tcp does
        return (list(dict.fromkeys([*(connection.devices or ()), *connection.tcp])), {},
                lambda host_port: with_command_timeout(AdbShellDevice.over_tcp(*parse_host_port(host_port)), timeout_s))
    return list(connection.devices), {}, lambda serial: with_command_timeout(AdbShellDevice.over_usb(serial), timeout_s)


def sweep_many_devices(sweep, on_device, connection, *, say=print):
    """Sweep every chosen device in parallel; each device's DevicePlace (its outcome: a SweepOutcome)."""
    named = connection.tcp or connection.devices  # --transport tcp with --devices all is refused below
    transport = resolve_transport(connection.transport, named, shutil.which("adb") is not None,
                                  connection.adb_server)
    check_connection(connection, on_device, transport)
    serials, problems, opener = (adb_targets(connection) if transport == "adb"
                                 else adb_shell_targets(connection, transport))
    gate, claims = PushGate(overlap=connection.overlap_push), FolderClaims()
    say(f"sweeping {len(serials)} device(s) in parallel: {', '.join(serials)}; pushes "
        + ("may overlap measurements (--overlap-push)" if connection.overlap_push else
           "from this host never overlap a measurement on another device"))
    board = ProgressBoard(serials, say=say)

    def work(serial, board):
        slot = DeviceSlot(serial, gate, board, claims, tuple(serials), connection.overlap_push)
        board.update(serial, phase="connecting")
        with opener(serial) as device:
            return sweep_one_device(device, sweep, on_device, say=slot.say(), slot=slot)

    return run_per_device(serials, work, board, problems)


def place_summary(place):
    """One line per device: what finished, or why not and what to do (pure)."""
    if place.status == FINISHED:
        outcome = place.outcome
        summary = outcome.summary
        unstable = f", {len(summary.unstable)} unstable" if summary.unstable else ""
        unreadable = f", {len(outcome.problems)} unreadable result file(s)" if outcome.problems else ""
        return (f"{place.serial}: finished: {summary.ran} cells run, {summary.skipped} kept, {summary.failed} failed"
                f"{unstable}{unreadable}; {outcome.result_dir}")
    where = f" after {place.done}/{place.total} measurements" if place.total else ""
    if place.status == LOST:
        return (f"{place.serial}: LOST{where}: {place.error}; every finished cell is kept in "
                f"{place.folder or 'its folder'}: reconnect it and rerun with --resume")
    return f"{place.serial}: FAILED{where}: {place.error}"


def many_devices_status(places):
    """The exit status (pure): 3 when a device did not finish, else 1 for failed cells, 4 for unstable ones."""
    if any(place.status != FINISHED for place in places):
        return EXIT_DEVICE_LOST
    outcomes = [place.outcome for place in places]
    if any(outcome.problems or outcome.summary.failed for outcome in outcomes):
        return EXIT_FAILED_CELLS
    if any(outcome.summary.unstable for outcome in outcomes):
        return EXIT_UNSTABLE
    return 0
