"""PNG figures from latency rows, in the spirit of PaddleClas's accuracy/latency plots.

Figures are drawn on matplotlib's Agg canvas directly: no pyplot, no global backend, no display.
"""
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lite.devices.facts import is_sd855
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


def unstable_points(rows):
    """(threads, median ms) of every unstable cell: the latency plot crosses them out in red."""
    return sorted((t, s.median_ms) for row in rows for t, s in row.cells.items() if _ok(s) and s.unstable)


def plot_latency_vs_threads(rows, machine, path):
    fig, ax = _figure((7, 4.5))
    sd855 = is_sd855(machine)
    for row in rows:
        points = sorted((t, s.median_ms) for t, s in row.cells.items() if _ok(s))
        if not points:
            continue
        label = row.model + ("" if row.variant == "fp32" else f" {row.variant}")
        line, = ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        if sd855:
            published = [(t, published_ms(row, t)) for t, _ in points]
            published = [p for p in published if p[1]]
            ax.plot([p[0] for p in published], [p[1] for p in published], linestyle="--",
                    color=line.get_color(), alpha=0.6)
    unstable = unstable_points(rows)
    if unstable:  # as the tables mark them
        ax.scatter([p[0] for p in unstable], [p[1] for p in unstable], marker="x", s=80, color="red", zorder=3,
                   label="unstable (see latency.md)")
    ax.set_xlabel("threads")
    ax.set_ylabel("median latency (ms)")
    ax.set_xticks(sorted({t for r in rows for t in r.cells}))
    title = f"Latency against threads: {machine.short_name or ''}"
    ax.set_title(title + (" (dashed: published SD855)" if sd855 else ""))
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def plot_top1_against(rows, machine, path, x_of, xlabel, unstable_of=lambda row: False, measured=None):
    """Published Top-1 (hollow circles) against `x_of(row)`; the measured Top-1 of the same weights (filled
    stars, from accuracy.csv) where there is one, so that a reader sees which is which."""
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
    save_figure(fig, path)


def write_plots(rows, machine, folder, measured=None):
    paths = [folder / "latency_vs_threads.png", folder / "top1_vs_latency.png", folder / "top1_vs_storage.png"]
    plot_latency_vs_threads(rows, machine, paths[0])
    lowest = min((t for r in rows for t in r.cells), default=1)

    def latency(row):
        stats = row.cells.get(lowest)
        return stats.median_ms if _ok(stats) else None

    def unstable(row):
        stats = row.cells.get(lowest)
        return _ok(stats) and bool(stats.unstable)

    plot_top1_against(rows, machine, paths[1], latency, f"median latency at {lowest} thread(s) (ms)", unstable,
                      measured)
    plot_top1_against(rows, machine, paths[2], lambda r: r.storage_bytes / MIB, "storage (MiB)", measured=measured)
    return paths


def plot_devices(runs, rows, path):
    """One panel per thread count: each device's median per model/variant, the published SD855 figure
    dashed in black where it applies, unstable cells crossed out in red (lite.report.devices rows)."""
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
            points = [(x(r), r.cells[run.name].median_ms) for r in mine if _ok(r.cells[run.name])]
            if points:
                label = run.name + (" (emulated)" if run.machine.emulated else "")
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", linestyle="", label=label)
        bad = [(x(r), r.cells[n].median_ms) for r in mine for n in r.cells
               if _ok(r.cells[n]) and r.cells[n].unstable]
        if bad:
            ax.scatter([p[0] for p in bad], [p[1] for p in bad], marker="x", s=80, color="red", zorder=3,
                       label="unstable")
        published = [(x(r), r.published) for r in mine if r.published]
        if published:
            ax.scatter([p[0] for p in published], [p[1] for p in published], marker="_", s=300, color="black",
                       label="published SD855")
        values = [r.cells[n].median_ms for r in mine for n in r.cells if _ok(r.cells[n])]
        if values and max(values) > 20 * min(values):  # an emulated device beside phones: 100x apart
            ax.set_yscale("log")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=45, ha="right", fontsize=7)
        ax.set_xlim(-0.5, len(names) - 0.5)
        ax.set_title(f"{t} thread{'s' if t > 1 else ''}")
        ax.set_ylabel("median latency (ms)" + (", log scale" if ax.get_yscale() == "log" else ""))
        ax.grid(alpha=0.3)
        if index == len(threads) and ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle("Latency by device")
    fig.tight_layout()
    save_figure(fig, path)
