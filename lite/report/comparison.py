"""The text `compare` prints: OLD and NEW named in full above a table of cells, then its verdict lines (pure)."""
from lite.bench.compare import slower_than
from lite.report.tables import markdown_table


def comparison_text(rows, unmatched, old_name, new_name, across_machines="", fail_if_slower=None,
                    labels=("OLD", "NEW")):
    """The table of CellComparisons, the cells measured once, and a last line that says what to make of it:
    how many cells were judged (not unstable), and with `fail_if_slower` which ones are slower than allowed."""
    lines = [f"ACROSS MACHINES (asked for with --across-machines): {across_machines}; a ratio then mixes the "
             f"machines' speed with the change", ""] if across_machines else []
    old, new = labels
    lines += [f"{old}: {old_name}", f"{new}: {new_name}",
              f"ratio: {new} / {old} of the tables' figure, with its 95% bootstrap interval (rounds and runs "
              f"resampled, the same estimator)", ""]
    cells = []
    for row in rows:
        verdict = (row.verdict + (f" ({row.differs} differ)" if row.differs and not row.not_comparable else "")
                   + (f" (unstable in {row.unstable}: not to be trusted)" if row.unstable else ""))
        ratio = None if row.not_comparable else f"{row.ratio:.3f} ({row.low:.3f}-{row.high:.3f})"
        cells.append([row.cell, f"{row.old_ms:.2f}", f"{row.new_ms:.2f}", ratio, verdict])
    lines.append(markdown_table(cells, ["cell", f"{old} (ms)", f"{new} (ms)", "ratio (95% CI)", "verdict"], "lrrrl"))
    if unmatched:
        lines.append(f"measured in one run only: {', '.join(unmatched)}")
    slower = slower_than(rows, fail_if_slower) if fail_if_slower is not None else []
    lines.append(closing_line(rows, fail_if_slower, slower, labels))
    return "\n".join(lines) + "\n"


def closing_line(rows, fail_if_slower=None, slower=(), labels=("OLD", "NEW")):
    """One line: the cells judged, the unstable ones, and the --fail-if-slower outcome when asked for."""
    unstable = [row for row in rows if row.unstable]
    judged = len(rows) - len(unstable)
    if rows and not judged:
        line = (f"all {len(rows)} cells are unstable in {labels[0]} or {labels[1]}: no verdict here can be trusted; "
                f"measure again")
    else:
        line = f"{judged} of {len(rows)} cells judged" + (f", {len(unstable)} unstable (not judged)" if unstable
                                                         else "")
    if fail_if_slower is not None:
        line += (f"; FAIL: {len(slower)} significantly slower by more than {fail_if_slower:g}%: "
                 + ", ".join(row.cell for row in slower) if slower
                 else f"; pass: none significantly slower by more than {fail_if_slower:g}%")
    return line
