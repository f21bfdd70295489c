"""PNG figures from latency rows, in the spirit of PaddleClas's accuracy/latency plots.

Figures are drawn on matplotlib's Agg canvas directly: no pyplot, no global backend, no display.
"""
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lite.devices.facts import is_sd855
from lite.models.engines import DEFAULT_ENGINE, ENGINES
from lite.models.registry import family
from lite.report.latency import published_ms
from lite.util.files import atomic_write_bytes
from lite.util.units import MIB


def _figure(size_in):
    figure = Figure(figsize=size_in)
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def save_figure(fig, path):
    """PNG bytes rendered in memory, then written whole (a full disk leaves the old plot, never half a new one)."""
    import io
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    atomic_write_bytes(path, buffer.getvalue())


def _ok(stats):
    return stats is not None and not stats.failed


# An unstable cell is ringed in black, a colour no model line takes (matplotlib's cycle has no black).
UNSTABLE_STYLE = dict(marker="s", s=150, facecolors="none", edgecolors="black", linewidths=1.5, zorder=3)


def drawn_cells(row, machine):
    """{threads: CellFigures} worth a point: measured, and not a thread count above the machine's cores that the
    math library capped (4 asked on 2 cores ran 2 threads: it is not a 4-thread figure)."""
    cores = machine.core_count or 0
    return {t: s for t, s in sorted(row.cells.items())
            if _ok(s) and (t <= cores or not cores or (s.threads_used or t) >= t)}


def error_bar(stats):
    """(below, above) the figure: down to the fastest run and up to the 90th percentile."""
    return max(0.0, stats.estimate_ms - stats.min_ms), max(0.0, stats.p90_ms - stats.estimate_ms)


def draw_latency_vs_threads(rows, machine):
    """The figure: each model's headline figure against threads, bars from min to p90, unstable cells ringed."""
    fig, ax = _figure((7, 4.5))
    sd855 = is_sd855(machine)
    unstable, ticks = [], set()
    for row in rows:
        cells = drawn_cells(row, machine)
        if not cells:
            continue
        label = (row.model + ("" if row.variant == "fp32" else f" {row.variant}")
                 + ("" if row.engine == DEFAULT_ENGINE else f" ({row.engine})"))
        bars = [error_bar(s) for s in cells.values()]
        line = ax.errorbar(list(cells), [s.estimate_ms for s in cells.values()],
                           yerr=[[b[0] for b in bars], [b[1] for b in bars]], marker="o", capsize=3, label=label)
        color = line.lines[0].get_color()
        ticks |= set(cells)
        unstable += [(t, s.estimate_ms) for t, s in cells.items() if s.unstable]
        if sd855:
            published = [(t, published_ms(row, t)) for t in cells]
            published = [p for p in published if p[1]]
            ax.plot([p[0] for p in published], [p[1] for p in published], linestyle="--", color=color, alpha=0.6)
    if unstable:  # as the tables mark them
        ax.scatter([p[0] for p in unstable], [p[1] for p in unstable], label="unstable (see latency.md)",
                   **UNSTABLE_STYLE)
    ax.set_xlabel("threads")
    ax.set_ylabel("latency (ms); bars: min to p90")
    ax.set_xticks(sorted(ticks))
    title = f"Latency against threads: {machine.short_name or ''}"
    ax.set_title(title + (" (dashed: published SD855)" if sd855 else ""))
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_latency_vs_threads(rows, machine, path):
    save_figure(draw_latency_vs_threads(rows, machine), path)


def draw_top1_against(rows, machine, x_of, xlabel, unstable_of=lambda row: False, measured=None):
    """Published Top-1 (hollow circles) against `x_of(row)`; the measured Top-1 of the same weights (filled
    stars, from accuracy.csv) where there is one, each kind its own legend entry."""
    fig, ax = _figure((6.5, 4.5))
    drawn = set()
    for row in rows:
        x = x_of(row)
        if x is None:
            continue
        name = row.model + ("" if row.variant == "fp32" else f" {row.variant}") + (
            " (unstable)" if unstable_of(row) else "")
        points = []
        top1 = row.published.get("top1")
        if top1 is not None:
            points.append(("published (PaddleClas)", 100 * top1, dict(marker="o", facecolors="none", edgecolors="C0")))
        accuracy = (measured or {}).get((row.model, row.variant, row.weights_origin))
        if accuracy:
            synthetic = str(accuracy["weights_origin"]).startswith("synthetic")
            points.append((f"measured ({accuracy['runtime']}{', synthetic weights' if synthetic else ''})",
                           100 * accuracy["top1"], dict(marker="*", s=90, color="C3")))
        for label, y, style in points:
            ax.scatter([x], [y], label=None if label in drawn else label, **style)
            drawn.add(label)
            ax.annotate(name, (x, y), fontsize=8, xytext=(4, 4), textcoords="offset points")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("ImageNet Top-1 (%)")
    ax.set_title(f"Top-1 against {xlabel.split(' (')[0]}: {machine.short_name or ''}")
    ax.grid(alpha=0.3)
    if drawn:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_top1_against(rows, machine, path, x_of, xlabel, unstable_of=lambda row: False, measured=None):
    save_figure(draw_top1_against(rows, machine, x_of, xlabel, unstable_of, measured), path)


def draw_engines(rows, machine):
    """The engines side by side: per model and thread count a group of bars, one per engine (min-p90 whiskers,
    unstable bars hatched)."""
    engines = [e for e in ENGINES if any(row.engine == e for row in rows)]
    groups = sorted({(row.model, row.variant, t) for row in rows for t, s in drawn_cells(row, machine).items()},
                    key=lambda g: (family().sort_key(g[0], g[1]), g[2]))
    fig, ax = _figure((max(7.0, 0.9 * len(groups) + 2), 4.8))
    width = 0.8 / max(1, len(engines))
    for index, engine in enumerate(engines):
        by_group = {(row.model, row.variant, t): s for row in rows if row.engine == engine
                    for t, s in drawn_cells(row, machine).items()}
        xs = [i + (index - (len(engines) - 1) / 2) * width for i, g in enumerate(groups) if g in by_group]
        cells = [by_group[g] for g in groups if g in by_group]
        bars = ax.bar(xs, [s.estimate_ms for s in cells], width, label=engine,
                      yerr=[[error_bar(s)[0] for s in cells], [error_bar(s)[1] for s in cells]], capsize=2)
        for bar, stats in zip(bars, cells):
            if stats.unstable:
                bar.set_hatch("//")
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([f"{m.replace('MobileNetV1', 'MNv1')}{'' if v == 'fp32' else ' ' + v} {t}T"
                        for m, v, t in groups], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("latency (ms); whiskers: min to p90; hatched: unstable")
    ax.set_title(f"Engines on this host (x86, never a phone's): {machine.short_name or ''}")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def draw_peak_share(rows, machine):
    """% of the cores' peak against the model's width, a line per thread count (FP32 rows of known peak)."""
    fig, ax = _figure((6.5, 4.5))
    threads = sorted({t for row in rows for t in row.cells})
    for t in threads:
        points = sorted((row.spec.scale, 100 * row.cells[t].peak_share) for row in rows
                        if row.spec and row.variant == "fp32" and row.engine == DEFAULT_ENGINE and t in row.cells
                        and _ok(row.cells[t]) and row.cells[t].peak_share)
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"{t} thread{'s' * (t > 1)}")
    ax.set_xlabel("model width (scale)")
    ax.set_ylabel("% of the peak of the cores used")
    ax.set_title(f"Efficiency against the cores' peak: {machine.short_name or ''}")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def write_plots(rows, machine, folder, measured=None):
    paths = [folder / "latency_vs_threads.png", folder / "top1_vs_latency.png", folder / "top1_vs_storage.png"]
    if any(_ok(s) and s.peak_share for row in rows for s in row.cells.values()):
        paths.append(folder / "peak_share.png")
        save_figure(draw_peak_share(rows, machine), paths[-1])
    if any(row.engine != DEFAULT_ENGINE for row in rows):
        paths.append(folder / "engines.png")
        save_figure(draw_engines(rows, machine), paths[-1])
    plot_latency_vs_threads(rows, machine, paths[0])
    lowest = min((t for r in rows for t in r.cells), default=1)

    def latency(row):
        stats = row.cells.get(lowest)
        return stats.estimate_ms if _ok(stats) else None

    def unstable(row):
        stats = row.cells.get(lowest)
        return _ok(stats) and bool(stats.unstable)

    plot_top1_against(rows, machine, paths[1], latency, f"latency at {lowest} thread(s) (ms)", unstable,
                      measured)
    plot_top1_against(rows, machine, paths[2], lambda r: r.storage_bytes / MIB, "storage (MiB)", measured=measured)
    return paths


def plot_devices(runs, rows, path):
    """One panel per thread count: each device's figure per model/variant, the published SD855 figure
    dashed in black where it applies, unstable cells ringed in black (lite.report.devices rows)."""
    def short(row):
        return row.model.replace("MobileNetV1", "MNv1") + ("" if row.variant == "fp32" else f" {row.variant}")

    threads = sorted({row.threads for row in rows})
    fig = Figure(figsize=(4.2 * len(threads) + 1.5, 4.8))
    FigureCanvasAgg(fig)
    names = list(dict.fromkeys(short(row) for row in rows))
    x_of = {name: i for i, name in enumerate(names)}

    def x(row):
        return x_of[short(row)]
    for index, t in enumerate(threads, 1):
        ax = fig.add_subplot(1, len(threads), index)
        mine = [row for row in rows if row.threads == t]
        for run in runs:
            points = [(x(r), r.cells[run.name].estimate_ms) for r in mine if _ok(r.cells[run.name])]
            if points:
                label = run.name + (" (emulated)" if run.machine.emulated else "")
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", linestyle="", label=label)
        bad = [(x(r), r.cells[n].estimate_ms) for r in mine for n in r.cells
               if _ok(r.cells[n]) and r.cells[n].unstable]
        if bad:
            ax.scatter([p[0] for p in bad], [p[1] for p in bad], label="unstable", **UNSTABLE_STYLE)
        published = [(x(r), r.published) for r in mine if r.published]
        if published:
            ax.scatter([p[0] for p in published], [p[1] for p in published], marker="_", s=300, color="black",
                       label="published SD855")
        values = [r.cells[n].estimate_ms for r in mine for n in r.cells if _ok(r.cells[n])]
        if values and max(values) > 20 * min(values):  # an emulated device beside phones: 100x apart
            ax.set_yscale("log")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=45, ha="right", fontsize=7)
        ax.set_xlim(-0.5, len(names) - 0.5)
        ax.set_title(f"{t} thread{'s' if t > 1 else ''}")
        ax.set_ylabel("latency (ms)" + (", log scale" if ax.get_yscale() == "log" else ""))
        ax.grid(alpha=0.3)
        if index == len(threads) and ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle("Latency by device")
    fig.tight_layout()
    save_figure(fig, path)
