"""The cross-device table (pure): model x variant x threads by device, from each device's result folder.

Each device column is that folder's figure (its run's estimator, as its own latency.md); the published Snapdragon
855 figure (FP32) stands beside them when one of the devices is a real SD855; for a SoC measured on two or more
units, the spread between units ((slowest - fastest) / fastest) shows unit-to-unit variation. Unstable
cells carry the same marks [n] as in latency.md.
"""
from dataclasses import dataclass

from lite.bench.cells import thread_label
from lite.devices.facts import is_sd855
from lite.devices.machine_facts import MachineFacts, summary_line
from lite.models.registry import family
from lite.report.latency import latency_rows, published_ms, unstable_mark
from lite.report.rows import ComparisonRow
from lite.report.tables import csv_text, markdown_table
from lite.util.text import md_text


@dataclass(frozen=True)
class DeviceRun:
    """One device's folder: its name (the folder's), its machine description and its latency rows."""
    name: str
    machine: MachineFacts
    rows: list

    @property
    def soc(self):
        """The group for unit-to-unit spread: the SoC's name (emulated devices apart from real ones)."""
        return self.machine.short_name or "device"


def device_run(name, results):
    machine = max(results, key=lambda r: r.finished_at).machine
    return DeviceRun(name, machine, latency_rows(results))


def _cell(run, model, variant, threads):
    row = next((r for r in run.rows if (r.model, r.variant) == (model, variant)), None)
    return row.cells.get(threads) if row else None


def _ok(stats):
    return stats is not None and not stats.failed


def unit_spreads(runs, model, variant, threads):
    """{SoC: (units measured, spread)} for each SoC with two or more units measured in this cell."""
    groups = {}
    for run in runs:
        stats = _cell(run, model, variant, threads)
        if _ok(stats):
            groups.setdefault(run.soc, []).append(stats.estimate_ms)
    return {soc: (len(ms), max(ms) / min(ms) - 1) for soc, ms in groups.items() if len(ms) > 1}


def multi_unit_socs(runs):
    counts = {}
    for run in runs:
        counts[run.soc] = counts.get(run.soc, 0) + 1
    return sorted(soc for soc, count in counts.items() if count > 1)


def cross_rows(runs):
    """ComparisonRows in registry order."""
    registry, keys = family(), set()
    for run in runs:
        keys |= {(row.model, row.variant, t) for row in run.rows for t in row.cells}
    sd855 = any(is_sd855(run.machine) for run in runs)
    rows = []
    for model, variant, threads in sorted(keys, key=lambda k: (*registry.sort_key(k[0], k[1]), k[2])):
        spec_row = next(r for run in runs for r in run.rows if (r.model, r.variant) == (model, variant))
        rows.append(ComparisonRow(model, variant, threads,
                                  cells={run.name: _cell(run, model, variant, threads) for run in runs},
                                  published=published_ms(spec_row, threads) if sd855 and variant in (
                                      "fp32", "int8_full") else None,
                                  spreads=unit_spreads(runs, model, variant, threads)))
    return rows


def to_csv(runs, rows):
    socs = multi_unit_socs(runs)
    columns = ["model", "variant", "threads"]
    for run in runs:
        columns += [f"{run.name}_ms_median", f"{run.name}_ms", f"{run.name}_unstable"]
    if any(row.published for row in rows):
        columns.append("published_sd855_ms")
    columns += [f"unit_spread_{soc}" for soc in socs]
    lines = []
    for row in rows:
        line = {"model": row.model, "variant": row.variant, "threads": row.threads}
        for run in runs:
            stats = row.cells[run.name]
            if _ok(stats):
                line[f"{run.name}_ms_median"] = round(stats.median_ms, 3)
                line[f"{run.name}_ms"] = round(stats.estimate_ms, 3)
                line[f"{run.name}_unstable"] = "; ".join(stats.unstable)
            elif stats:
                line[f"{run.name}_ms_median"] = "failed"
        if row.published:
            line["published_sd855_ms"] = row.published
        for soc in socs:
            if soc in row.spreads:
                line[f"unit_spread_{soc}"] = round(row.spreads[soc][1], 4)
        lines.append(line)
    return csv_text(lines, columns)


def _md_cell(stats, notes):
    if stats is None:
        return None
    if not _ok(stats):
        return "failed"
    return f"{stats.estimate_ms:.2f}" + unstable_mark(stats, notes)


def to_markdown(runs, rows):
    socs = multi_unit_socs(runs)
    published = any(row.published for row in rows)
    lines = ["# Latency by device", "",
             "ms per device, each its folder's headline figure (its run's estimator, named in its latency.md), "
             "each from its own result folder (rebuilt with "
             "`python bench_scripts/report.py --device-folders FOLDER...`); [n] marks an unstable cell, with the "
             "reason below" + ("; the published Snapdragon 855 figure stands beside them" if published else "")
             + ("; unit spread is (slowest - fastest) / fastest between units of one SoC" if socs else "") + ".",
             "", "Devices:"]
    # summary_line() says EMULATED first
    lines += [f"- `{md_text(run.name)}`: {md_text(summary_line(run.machine), 600)}" for run in runs]
    headers = ["Model", "Variant", "Threads", *(f"{md_text(run.name)} (ms)" for run in runs)]
    if published:
        headers.append("published SD855 (ms)")
    headers += [f"unit spread {soc}" for soc in socs]
    notes, cells = [], []
    for row in rows:
        line = [row.model, row.variant, thread_label(row.threads), *(_md_cell(row.cells[run.name], notes)
                                                                      for run in runs)]
        if published:
            line.append(str(row.published) if row.published else None)
        for soc in socs:
            spread = row.spreads.get(soc)
            line.append(f"{100 * spread[1]:.1f}% ({spread[0]} units)" if spread else None)
        cells.append(line)
    lines += ["", markdown_table(cells, headers, "lll" + "r" * (len(headers) - 3))]
    if notes:
        lines += ["", "Unstable (see each device's latency.md); these figures are not to be trusted:"]
        lines += [f"[{index}] {note}." for index, note in enumerate(notes, 1)]
    return "\n".join(lines) + "\n"
