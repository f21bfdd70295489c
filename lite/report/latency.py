"""Latency tables in the layout of the published one, rebuilt from result files alone (pure).

One row per model and variant: the median ms at each thread count (the median over rounds, with
the CV and the spread between rounds), the storage size, and, when the device is a Snapdragon 855,
the published figure and the ratio. An unstable cell (lite.bench.stability) carries a mark [n] and a
footnote giving the reason, in every table: no unstable number is printed unmarked.
"""
from dataclasses import replace

from lite.bench.cells import cell_id, shape_text, thread_label
from lite.bench.estimators import ESTIMATOR_NAMES, estimator_of, why_chosen
from lite.bench.stability import limits_of, twin_reasons, unstable_cells
from lite.devices.cores import core_of, peak_gflops
from lite.devices.facts import is_sd855
from lite.devices.machine_facts import summary_line
from lite.devices.placement import clusters, cpu_list_text, placement_reasons, slower_with_more_threads, topology_text
from lite.models.counts import count_model
from lite.models.engines import DEFAULT_ENGINE, ENGINES
from lite.models.registry import family
from lite.report.accuracy import int8_cost, int8_cost_text, is_synthetic, top1_text
from lite.report.rows import CellFigures, FailedCell, LatencyRow
from lite.report.tables import csv_text, markdown_table
from lite.util.text import md_text
from lite.util.units import MIB


def thread_counts(results):
    return sorted({r.cell.threads for r in results})


def latency_rows(results):
    """LatencyRows in registry order; each cell is CellFigures (with `unstable`: the reasons it cannot be
    trusted, empty when it can) or a FailedCell."""
    registry = family()
    unstable = unstable_cells(results, registry.same_architecture(), limits_of(results))
    specs = {spec.name: spec for spec in registry.models}
    rows, cells = {}, {}
    for result in results:
        cell = result.cell
        key = (cell.model, cell.variant, cell.engine)
        if key not in rows:
            spec = specs.get(cell.model)
            rows[key] = dict(model=cell.model, variant=cell.variant, target=cell.target, engine=cell.engine,
                             storage_bytes=result.model_file["storage_bytes"], spec=spec,
                             weights_origin=result.model_file.get("weights_origin"),
                             calibration=result.model_file.get("calibration"),
                             published=spec.published if spec else {})
        if result.ok:
            figures = {k: v for k, v in result.stats.items() if k in CellFigures.__dataclass_fields__}
            measurement = result.measurement
            peak_kb = measurement.extra.get("peak_rss_kb")
            cells.setdefault(key, {})[cell.threads] = CellFigures(
                **figures, cpus_used=tuple(measurement.cpus_used), unstable=tuple(unstable.get(cell_id(cell), [])),
                init_ms=measurement.init_ms, first_run_ms=measurement.first_run_ms,
                threads_used=measurement.extra.get("math_threads") or cell.threads,
                **efficiency(specs.get(cell.model), cell, figures["estimate_ms"], measurement.cpus_used,
                             result.machine),
                peak_rss_mib=peak_kb * 1024 / MIB if isinstance(peak_kb, (int, float)) and peak_kb > 0 else None,
                placement=placement_reasons(result.machine, cell.threads, measurement.cpus_used,
                                            measurement.extra.get("cpus_allowed")))
        else:
            cells.setdefault(key, {})[cell.threads] = FailedCell(result.error)
    rows = {key: LatencyRow(**values, cells=with_thread_marks(cells.get(key, {}))) for key, values in rows.items()}
    return sorted(rows.values(), key=lambda r: (*registry.sort_key(r.model, r.variant), ENGINES.index(r.engine)))


def with_thread_marks(cells):
    """The row's cells, a cell slower than one with fewer threads marked so (pure)."""
    slower = slower_with_more_threads({t: c.estimate_ms for t, c in cells.items() if not c.failed})
    return {t: replace(c, placement=c.placement + (slower[t],)) if t in slower else c for t, c in cells.items()}


ARITHMETIC = {"fp32": "fp32", "fp16": "fp16"}  # variants whose arithmetic the core table knows; int8 has no row


def model_gflops(spec, input_shape):
    """The model's GFLOPs (2 x multiply-accumulates of convs and fc) at an input shape (pure)."""
    return count_model(spec.scale, input_shape[-1], spec.class_num).flops_g if spec else None


def efficiency(spec, cell, figure_ms, cpus_used, machine):
    """{gflop_per_s, peak_gflop_per_s} of a measured cell: achieved from the model's FLOPs and the figure, the
    peak of the cores its threads ran on (None where a core, its frequency or the variant's arithmetic is
    not known)."""
    gflops = model_gflops(spec, cell.input_shape)
    arithmetic = ARITHMETIC.get(cell.variant)
    peak = peak_gflops(machine, tuple(cpus_used), arithmetic) if arithmetic and cpus_used else None
    return {"gflop_per_s": gflops / (figure_ms / 1e3) if gflops and figure_ms else None, "peak_gflop_per_s": peak}


def published_efficiency(row, threads, machine):
    """(GFLOP/s, share of peak) of the published SD855 figure at 1 thread on this SoC's fastest core, or
    (None, None): only the 1-thread figure says which core it ran on."""
    published = published_ms(row, threads)
    if not published or threads != 1 or not machine.cpus:
        return None, None
    fastest = max(machine.cpus, key=lambda cpu: cpu.max_freq_khz or 0)
    gflops = model_gflops(row.spec, (1, 3, 224, 224))
    achieved = gflops / (published / 1e3) if gflops else None
    peak = peak_gflops(machine, (fastest.cpu,), ARITHMETIC.get(row.variant, "none"))
    return achieved, (achieved / peak if achieved and peak else None)


def several_engines(rows):
    return any(row.engine != DEFAULT_ENGINE for row in rows)


def published_ms(row, threads):
    """The published Snapdragon 855 figure for a row's model at `threads`, or None."""
    return row.spec.published_sd855_ms(threads, row.variant) if row.spec else None


def measured_for(row, measured):
    """The accuracy row measured for this row's model, variant and weights, or None."""
    return (measured or {}).get((row.model, row.variant, row.weights_origin))


def published_top1(row):
    return row.published.get("top1")


def csv_columns(threads, sd855, with_accuracy=False, with_int8=False):
    columns = ["model", "variant", "target", "engine"]
    for t in threads:
        columns += [f"threads{t}_ms_median", f"threads{t}_ms_min", f"threads{t}_ms_p90", f"threads{t}_ms_mean",
                    f"threads{t}_cv", f"threads{t}_samples", f"threads{t}_rounds", f"threads{t}_round_spread",
                    f"threads{t}_precision",
                    f"threads{t}_unstable", f"threads{t}_init_ms", f"threads{t}_first_run_ms",
                    f"threads{t}_peak_rss_mib", f"threads{t}_gflop_per_s", f"threads{t}_peak_share",
                    f"threads{t}_placement",
                    f"threads{t}_ms",
                    *(f"threads{t}_ms_by_{name}" for name in ESTIMATOR_NAMES)]
        if sd855:
            columns += [f"threads{t}_published_sd855_ms", f"threads{t}_ratio_to_published",
                        f"threads{t}_published_gflop_per_s", f"threads{t}_published_peak_share"]
    columns += ["storage_bytes", "storage_mib", "published_storage_m", "device", "estimator"]
    if with_accuracy:
        columns += ["published_top1", "measured_top1", "measured_top1_images", "measured_top1_runtime",
                    "weights_origin"]
    return columns + (["int8_top1_loss_points", "int8_top1_agreement"] if with_int8 else [])


def to_csv(rows, threads, machine, measured=None):
    """`measured`: {(model, variant, weights origin): accuracy row} (lite.report.accuracy.measured_top1);
    when any row has one, the measured Top-1 stands beside the published one."""
    sd855 = is_sd855(machine)
    with_accuracy = any(measured_for(row, measured) for row in rows)
    lines = []
    for row in rows:
        line = {"model": row.model, "variant": row.variant, "target": row.target, "engine": row.engine,
                "storage_bytes": row.storage_bytes, "storage_mib": round(row.storage_bytes / MIB, 3),
                "published_storage_m": row.published.get("storage_size_m", ""),
                "device": summary_line(machine),
                "estimator": next((s.estimator for s in row.cells.values() if not s.failed), "")}
        for t in threads:
            stats = row.cells.get(t)
            if stats and not stats.failed:
                line.update({f"threads{t}_ms": round(stats.estimate_ms, 3),
                             f"threads{t}_ms_median": round(stats.median_ms, 3),
                             **{f"threads{t}_ms_by_{name}": round(value, 3) for name, value in stats.estimates.items()},
                             f"threads{t}_ms_min": round(stats.min_ms, 3),
                             f"threads{t}_ms_p90": round(stats.p90_ms, 3),
                             f"threads{t}_ms_mean": round(stats.mean_ms, 3),
                             f"threads{t}_cv": round(stats.cv, 4), f"threads{t}_samples": stats.n,
                             f"threads{t}_rounds": stats.rounds,
                             f"threads{t}_round_spread": round(stats.round_spread, 4),
                             f"threads{t}_precision": round(stats.precision, 4),
                             f"threads{t}_unstable": "; ".join(stats.unstable),
                             f"threads{t}_init_ms": _rounded(stats.init_ms, 3),
                             f"threads{t}_first_run_ms": _rounded(stats.first_run_ms, 3),
                             f"threads{t}_peak_rss_mib": _rounded(stats.peak_rss_mib, 1),
                             f"threads{t}_gflop_per_s": _rounded(stats.gflop_per_s, 3),
                             f"threads{t}_peak_share": _rounded(stats.peak_share, 4),
                             f"threads{t}_placement": "; ".join(stats.placement)})
                if sd855 and published_ms(row, t):
                    achieved, share = published_efficiency(row, t, machine)
                    line[f"threads{t}_published_gflop_per_s"] = _rounded(achieved, 3)
                    line[f"threads{t}_published_peak_share"] = _rounded(share, 4)
                    line[f"threads{t}_published_sd855_ms"] = published_ms(row, t)
                    line[f"threads{t}_ratio_to_published"] = round(stats.estimate_ms / published_ms(row, t), 3)
            elif stats:
                line[f"threads{t}_ms"] = line[f"threads{t}_ms_median"] = "failed"
        accuracy = measured_for(row, measured)
        if with_accuracy:
            line.update(published_top1=published_top1(row) or "", weights_origin=row.weights_origin or "")
        if accuracy:
            line.update(measured_top1=accuracy["top1"], measured_top1_images=accuracy["images"],
                        measured_top1_runtime=accuracy["runtime"])
        cost = int8_cost(row.model, row.weights_origin, measured) if row.variant == "int8_full" else None
        if cost:
            line.update(int8_top1_loss_points=round(cost[0], 2), int8_top1_agreement=round(cost[1], 4))
        lines.append(line)
    with_int8 = any(row.variant == "int8_full" for row in rows)
    return csv_text(lines, csv_columns(threads, sd855, with_accuracy, with_int8))


def _rounded(value, digits):
    return None if value is None else round(value, digits)


def note_mark(reasons, notes, prefix=""):
    """' [n]' (or ' [<prefix>n]') for a cell with reasons, '' without; `notes` collects the footnote texts, and the
    mark's number is the note's place there (the same reasons get the same mark)."""
    if not reasons:
        return ""
    note = "; ".join(reasons)
    if note not in notes:
        notes.append(note)
    return f" [{prefix}{notes.index(note) + 1}]"


def unstable_mark(stats, notes):
    """The mark of an unstable cell (note_mark of its reasons)."""
    return note_mark(stats.unstable, notes)


def _md_cell(stats, notes, placement_notes):
    """'12.34 (11.90-13.10; CV 1.2%, ±0.8%) [1] [c1]': the figure (the run's estimator), the min and p90 of the
    timed runs, their CV, ± the half-width of the figure's interval, the mark of an unstable cell and that of a
    cell whose threads may not have had the big cores."""
    if stats is None:
        return None
    if stats.failed:
        return "failed"
    spread = f", ±{100 * stats.precision:.1f}%" if stats.rounds > 1 else ""
    return (f"{stats.estimate_ms:.2f} ({stats.min_ms:.2f}-{stats.p90_ms:.2f}; CV {100 * stats.cv:.1f}%{spread})"
            + unstable_mark(stats, notes) + note_mark(stats.placement, placement_notes, "c"))


def _startup_table(rows, threads):
    """Model load, first run and peak memory per model, variant and thread count (a second table)."""
    cells = []
    for row in rows:
        for t in threads:
            stats = row.cells.get(t)
            if stats is None or stats.failed:
                continue
            cells.append([row.model, row.variant, *([row.engine] if several_engines(rows) else []), thread_label(t),
                          None if stats.init_ms is None else f"{stats.init_ms:.1f}",
                          None if stats.first_run_ms is None else f"{stats.first_run_ms:.1f}",
                          None if stats.peak_rss_mib is None else f"{stats.peak_rss_mib:.1f}"])
    if not cells:
        return []
    return ["", "## Start-up and memory", "",
            "Model load (predictor creation), the first inference after it, and the benchmark process's peak "
            "resident memory, from each cell's first round; – where the runner does not report it.", "",
            markdown_table(cells, ["Model", "Variant", *(["Engine"] if several_engines(rows) else []), "Threads",
                                   "Load (ms)", "First run (ms)", "Peak memory (MiB)"],
                           "lll" + "l" * several_engines(rows) + "rrr")]


def cores_lines(machine):
    """The device's clusters and its shell's cpuset, for the table's heading (none on a one-class machine)."""
    topology = topology_text(machine)
    if not topology or "little" not in topology:
        return []
    cpuset = (f"; the shell's cpuset {md_text(machine.shell_cpuset or '?', 120)}: CPUs "
              f"{cpu_list_text(machine.shell_cpuset_cpus)}" if machine.shell_cpuset_cpus else "")
    return [f"CPU clusters: {topology}{cpuset}."]


def cores_text(machine, cpus_used):
    """'1x prime Kryo 485 Gold (Cortex-A76 based)' or '2x little unknown core' for the CPUs a cell's threads
    ran on, each named by its cluster where the device has more than one."""
    by_id = {cpu.cpu: cpu for cpu in machine.cpus}
    cluster = clusters(machine.cpus)
    cluster = cluster if "little" in cluster.values() else {}  # one class of core: no cluster names
    names = []
    for cpu_id in cpus_used:
        spec = core_of(by_id[cpu_id]) if cpu_id in by_id else None
        names.append(" ".join(filter(None, (cluster.get(cpu_id), spec.name if spec else "unknown core"))))
    return ", ".join(f"{names.count(name)}x {name}" for name in dict.fromkeys(names)) or None


def _efficiency_table(rows, threads, machine):
    """GFLOP/s and the share of the peak of the cores each cell ran on (and, on an SD855, of the published
    1-thread figure on its prime core)."""
    sd855 = is_sd855(machine)
    cells = []
    for row in rows:
        for t in threads:
            stats = row.cells.get(t)
            if stats is None or stats.failed or stats.gflop_per_s is None:
                continue
            share = f"{100 * stats.peak_share:.1f}%" if stats.peak_share else "peak unknown"
            line = [row.model, row.variant, *([row.engine] if several_engines(rows) else []), thread_label(t),
                    f"{stats.gflop_per_s:.2f}", share, cores_text(machine, stats.cpus_used)]
            if sd855:
                achieved, share = published_efficiency(row, t, machine)
                line += [f"{achieved:.2f}" if achieved else None, f"{100 * share:.1f}%" if share else None]
            cells.append(line)
    if not cells:
        return []
    headers = ["Model", "Variant", *(["Engine"] if several_engines(rows) else []), "Threads", "GFLOP/s", "% of peak",
               "Cores its threads ran on"]
    if sd855:
        headers += ["published GFLOP/s", "published % of peak"]
    return ["", "## Efficiency", "",
            "GFLOP/s: the model's FLOPs at the cell's input (2 x multiply-accumulates of convs and fc) over the "
            "figure; % of peak: of the cores its threads ran on, each at FLOPs per cycle x its maximum frequency "
            "(`lite/devices/core_peaks.json`, each row with its source); peak unknown where a core, its frequency "
            "or the variant's arithmetic (int8) has no row, never a guess."
            + (" The published figure: PaddleClas's 1-thread Snapdragon 855 figure, on this SoC's prime core."
               if sd855 else ""), "",
            markdown_table(cells, headers, "lll" + "l" * several_engines(rows) + "rrl" + "rr" * sd855)]


def _rounds_text(results):
    schedules = {(r.schedule.get("rounds"), r.schedule.get("seed")) for r in results if r.schedule.get("rounds")}
    if not schedules:
        return ""
    rounds = sorted({str(n) for n, _ in schedules})
    seeds = sorted({str(seed) for _, seed in schedules})
    return f" in {'/'.join(rounds)} interleaved round(s) (order seed {', '.join(seeds)})"


def to_markdown(rows, threads, machine, results, measured=None):
    sd855 = is_sd855(machine)
    with_accuracy = any(measured_for(row, measured) for row in rows)
    versions = machine.tool_versions
    first = min((r.started_at for r in results), default="")
    last = max((r.finished_at for r in results), default="")
    warmup = sorted({r.cell.warmup for r in results})
    repeats = sorted({r.cell.repeats for r in results})
    shapes = sorted({shape_text(r.cell.input_shape) for r in results})
    estimator = estimator_of(results)
    lines = [
        f"# Latency on {md_text(machine.short_name or 'device')}",
        "",
        f"Device: {md_text(summary_line(machine), 600)}.",
        *cores_lines(machine),
        f"Runner: {', '.join(sorted({r.runner or '?' for r in results}))}; "
        + (f"Paddle Lite {versions['paddlelite']}; " if versions.get("paddlelite") else "")
        + f"power mode {', '.join(sorted({r.cell.power_mode for r in results}))}; "
        f"warm-up {warmup}, repeats {repeats}; input {', '.join(shapes)}.",
        f"Measured {first} to {last}{_rounds_text(results)}. Each figure is **{estimator.name}**: {estimator.about} "
        f"({why_chosen(estimator.name)}); beside it the min-p90 of the timed runs, their coefficient of variation "
        f"and ± the half-width of its 95% interval (rounds and runs resampled); [n] marks an unstable cell, with "
        f"the reason "
        f"below; every estimator's value is in latency.csv (`threads<N>_ms_by_<estimator>`), and every figure is "
        f"rebuilt from the result files in `raw/` by `python bench_scripts/report.py`.",
        "",
    ]
    engines = several_engines(rows)
    headers = ["Model", "Variant", *(["Engine"] if engines else []), *(f"{thread_label(t)} (ms)" for t in threads)]
    align = "ll" + "l" * engines + "r" * len(threads)
    if sd855:
        headers += [h for t in threads for h in (f"published {t}T (ms)", f"ratio {t}T")]
        align += "rr" * len(threads)
    headers += ["Storage (MiB)", "Published storage (M)"]
    align += "rr"
    if with_accuracy:
        headers += ["Published Top-1", "Measured Top-1"]
        align += "rr"
    with_int8 = any(row.variant == "int8_full" for row in rows)
    if with_int8:
        headers += ["int8 cost (Top-1 vs FP32)"]
        align += "l"
    notes, placement_notes, cells = [], [], []
    for row in rows:
        line = [row.model, row.variant, *([row.engine] if engines else []),
                *(_md_cell(row.cells.get(t), notes, placement_notes) for t in threads)]
        if sd855:
            for t in threads:
                stats, published = row.cells.get(t), published_ms(row, t)
                ratio = (f"{stats.estimate_ms / published:.2f}" + unstable_mark(stats, notes)
                         if stats and not stats.failed and published else None)
                line += [str(published) if published else None, ratio]
        storage_m = row.published.get("storage_size_m")
        line += [f"{row.storage_bytes / MIB:.2f}", str(storage_m) if storage_m else None]
        if with_accuracy:
            accuracy, published = measured_for(row, measured), published_top1(row)
            line += [f"{100 * published:.1f}%" if published else None, top1_text(accuracy) if accuracy else None]
        if with_int8:
            line.append(int8_cost_text(row.variant, row.model, row.weights_origin, measured))
        cells.append(line)
    lines.append(markdown_table(cells, headers, align))
    if notes:
        limits = limits_of(results)
        lines += ["", f"Unstable (limits: {limits.text()}); these figures are not to be trusted:"]
        lines += [f"[{index}] {note}." for index, note in enumerate(notes, 1)]
    if placement_notes:
        lines += ["", "Threads: why these cells' threads may not have had the fastest cores, or ran slower than "
                      "fewer threads (what to do: docs/troubleshooting.md, \"Threads on the wrong cores\"):"]
        lines += [f"[c{index}] {md_text(note, 400)}." for index, note in enumerate(placement_notes, 1)]
    twins = twin_reasons(results, family().same_architecture(), limits_of(results))
    if twins:
        lines += ["", "**Sanity check failed.** Models that share a network took different times "
                      f"({', '.join(sorted(twins))}): this run is not trustworthy (interference, throttling or "
                      "frequency changes); rerun it."]
    failures = [r for r in results if not r.ok]
    if failures:
        lines += ["", "Failed cells:"]
        lines += [f"- {r.cell.model} {r.cell.variant} {thread_label(r.cell.threads)}: {md_text(r.error)}"
                  for r in failures]
    if several_engines(rows):
        lines += ["", "Engines: x86 engines on this host, each in its own cell process with the same warm-up, "
                      "repeats, rounds and thread count, and each checked against Paddle's logits before timing; "
                      "figures of this host, never to be set beside the Snapdragon 855 tables. `mnv1 compare "
                      "--engines` gives each engine's ratio to Paddle Lite with its interval."]
    capped = sorted({(r.cell.threads, r.measurement.extra["math_threads"]) for r in results
                     if r.ok and r.measurement.extra.get("math_threads") not in (None, r.cell.threads)})
    if capped:
        lines += ["", "Thread counts above the CPUs available were capped by the math library: "
                      + ", ".join(f"{asked} asked, {got} used" for asked, got in capped) + "."]
    calibrated = sorted({(r.model, r.calibration) for r in rows if r.calibration})
    if calibrated:
        lines += ["", "int8_full (weights and activations in int8, Paddle Lite's int8 kernels) was calibrated on: "
                      + "; ".join(f"{model}: {text}" for model, text in calibrated)
                      + (". Synthetic calibration images stand in for real ones: its accuracy is not a trained "
                         "model's." if any("synthetic" in text for _, text in calibrated) else ".")
                      + (" Its published figures are Paddle Lite's own int8 benchmark (v2.9, Snapdragon 855)."
                         if sd855 else "")]
    if with_accuracy:
        runtimes = sorted({measured_for(r, measured)["runtime"] for r in rows if measured_for(r, measured)})
        lines += ["", f"Measured Top-1: from `accuracy.csv` (python bench_scripts/eval_accuracy.py) for the same "
                      f"model, variant and weights, run on {', '.join(runtimes)}; n = images evaluated."
                  + (" Synthetic weights have no accuracy: their Top-1 measures nothing." if any(
                      is_synthetic(r.weights_origin) for r in rows) else "")]
    if machine.emulated:
        lines += ["", "This device is EMULATED (it says so with ro.kernel.qemu=1): its figures are never a phone's, "
                      "so the published SD855 figures are not set beside them."]
    elif not sd855:
        lines += ["", "This device is not a Snapdragon 855, so the published SD855 figures are not set "
                      "beside these; see `lite/models/reference/paddleclas_mobilenetv1_sd855.csv`."]
    lines += _startup_table(rows, threads)
    lines += _efficiency_table(rows, threads, machine)
    return "\n".join(lines) + "\n"
