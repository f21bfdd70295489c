"""Why a program failed, from what it printed (pure).

Paddle Lite's ARM library writes about 18 `[I ...]` info lines to stderr on every run and, built as
released (LITE_WITH_EXCEPTION=OFF), aborts the process (SIGABRT) with a `[F ...]` line on a fatal check;
under qemu the very last line is then qemu's own "uncaught target signal". benchmark_bin is built with
logging off and prints no reason at all.
"""
NOISE_PREFIXES = ("[I ", "[W ", "qemu: uncaught target signal")
NO_REASON_ABORT = "terminate called after throwing an instance of"
REASON_CHARS = 300


def _fatal_message(line):
    """'[F 12/ 1 19:59:14.208 paddle-lite/lite/core/program.cc RuntimeProgram:532] Check failed: ...'
    -> 'Check failed: ... (program.cc RuntimeProgram:532)'."""
    head, _, message = line.partition("] ")
    where = head.split()[-2:] if len(head.split()) >= 2 else []
    place = f" ({where[0].rsplit('/', 1)[-1]} {where[1]})" if len(where) == 2 else ""
    return f"{message.strip() or head}{place}"


def failure_reason(text, default="no output"):
    """The one line that says why a program failed (pure). In order: our programs' own
    '<program>: error: ...' line; Paddle Lite's fatal '[F ...]' line, with the next line when it explains
    (e.g. which kernel is missing); an abort with no reason (benchmark_bin), named as such; else the last
    line that is not Paddle Lite's info logging or qemu's signal notice."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    own = [line for line in lines if ": error: " in line and line.split(":", 1)[0].startswith("mnv1_")]
    if own:
        return own[-1][:REASON_CHARS]
    fatal = [i for i, line in enumerate(lines) if line.startswith("[F ")]
    if fatal:
        reason = "Paddle Lite aborted: " + _fatal_message(lines[fatal[-1]])
        following = lines[fatal[-1] + 1] if fatal[-1] + 1 < len(lines) else ""
        if following.startswith("Error:"):
            reason += " " + following
        return reason[:REASON_CHARS]
    if any(line.startswith(NO_REASON_ABORT) for line in lines):
        return ("aborted without giving a reason ('terminate called after throwing an instance of "
                "std::exception'); a truncated or foreign .nb, or an FP16 .nb on a library without FP16 "
                "kernels, does this")
    meaningful = [line for line in lines if not line.startswith(NOISE_PREFIXES)]
    return (meaningful or lines or [default])[-1][:REASON_CHARS]
