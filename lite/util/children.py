"""Child processes that do not outlive the command that started them (Linux)."""
import ctypes
import signal

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent():
    """A `preexec_fn`: the kernel sends this child SIGKILL when the process that started it dies,
    even by SIGKILL, so a killed sweep leaves no cell running behind it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: nothing to ask for
        pass
