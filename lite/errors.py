"""Typed errors. Each is caught once, at a command's edge, and printed as one sentence."""


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


class OutputDirError(ToolkitError):
    pass
