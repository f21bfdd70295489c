"""Every typed error of the toolkit, in one tree. This module imports nothing from the project.

Each error is caught once, at a command's edge (lite.util.edge), and printed as one sentence that
names the file, model, device or option at fault and what to do.

ToolkitError                      a problem the user can fix
├── UnknownModelError, WeightsError, ExportError, ConversionError, ModelFileError, OutputDirError
├── BenchOutputError              a benchmark program printed something we cannot read
├── ResultFileError               a result file that cannot be loaded (names the file and why)
├── CellFailed                    one cell could not be measured; the sweep goes on
├── InstallError                  the Android app could not be built, installed or started
├── ArmToolError                  qemu-aarch64, the ARM sysroot or a Paddle Lite ARM library is missing
└── DeviceError                   a device problem (none attached, unauthorized, a failed push)
    ├── DeviceTimeout             a command ran past its timeout; the device is still there
    └── DeviceLost                the device went away; finished cells are kept, --resume goes on
"""


class ToolkitError(Exception):
    """A problem the user can fix; its message names the file, model or option at fault."""


class UnknownModelError(ToolkitError):
    pass


class WeightsError(ToolkitError):
    pass


class ExportError(ToolkitError):
    pass


class ConversionError(ToolkitError):
    pass


class ModelFileError(ToolkitError):
    pass


class ArmToolError(ToolkitError):
    """What is missing to run ARM programs on this host, and how to get it."""


class OutputDirError(ToolkitError):
    pass


class BenchOutputError(ToolkitError):
    """A benchmark program's output lacks what the contract needs."""


class ResultFileError(ToolkitError):
    """A result file that cannot be loaded; the message names the file and what is wrong."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


class CellFailed(ToolkitError):
    """This cell could not be measured (crash, timeout, wrong logits); the sweep goes on."""


class InstallError(ToolkitError):
    """The demo app could not be prepared, built, installed or started; `reason` says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class DeviceError(ToolkitError):
    """A device problem the user can fix (no device, several, unauthorized, a failed push)."""


class DeviceTimeout(DeviceError):
    """A command ran longer than its timeout; the device itself is still there."""


class DeviceLost(DeviceError):
    """The device went away: the sweep stops, finished cells are kept, `--resume` continues."""
