"""`ops/<cell>.json`, `ops.csv` and `ops.md`: where the time of each profiled cell goes, per operator type and
kernel and per layer (from lite.bench.op_profile). Building the tables is pure; `write_ops` writes them."""
import json
from pathlib import Path

from lite.bench.op_profile import by_kernel, parse_profile, summary_line
from lite.report.tables import csv_text, markdown_table
from lite.util.files import atomic_write_text

COLUMNS = ("cell", "op_type", "kernel", "kind", "count", "total_ms", "share", "gflops", "gflop_per_s")
EMULATED = ("EMULATED: these times are qemu-aarch64's, never a phone's. The operators, the kernels Paddle Lite "
            "chose, the shapes and the FLOPs are real.")


def profiled_cell(cell, log, seconds, emulated):
    """(the tables' entry, the cell's document) of one profiling pass's log, or None when it printed no
    operator table."""
    layers = parse_profile(log)
    if not layers:
        return None
    summary = summary_line(layers)
    return (cell, by_kernel(layers), layers, summary), cell_document(cell, layers, summary, emulated, seconds)


def cell_document(cell, layers, summary, emulated, seconds):
    return {"cell": cell, "emulated": emulated, "summary": summary, "profiling_pass_s": round(seconds, 2),
            "layers": [layer.as_dict() for layer in layers]}


def ops_rows(cell, kernels):
    return [{"cell": cell, **{k: row[k] for k in COLUMNS if k != "cell"},
             "total_ms": round(row["total_ms"], 3), "share": round(row["share"], 4),
             "gflops": round(row["gflops"], 6),
             "gflop_per_s": None if row["gflop_per_s"] is None else round(row["gflop_per_s"], 4)} for row in kernels]


def to_markdown(profiled, emulated):
    """`profiled`: [(cell, kernels rows, layers, summary)]."""
    lines = ["# Where the time goes (Paddle Lite's operator profiler)", ""]
    if emulated:
        lines += [f"**{EMULATED}**", ""]
    lines += ["One profiling pass per cell, after and apart from the timed rounds: profiling adds time to every "
              "operator, so these are never latency figures. FLOPs are counted from each layer's shapes (2 x "
              "multiply-accumulates of conv and fc), not Paddle Lite's own column.", ""]
    for cell, kernels, layers, summary in profiled:
        lines += [f"## {cell}", "", f"{summary}.", ""]
        lines.append(markdown_table(
            [[r["op_type"], r["kernel"], r["kind"], str(r["count"]), f"{r['total_ms']:.3f}",
              f"{100 * r['share']:.1f}%", f"{r['gflops']:.4f}",
              None if r["gflop_per_s"] is None else f"{r['gflop_per_s']:.3f}"] for r in kernels],
            ["Operator", "Kernel", "Kind", "Layers", "Total (ms)", "Share", "GFLOPs", "GFLOP/s"], "lllrrrrr"))
        lines += ["", markdown_table(
            [[str(layer.index), layer.op_type, layer.kernel, layer.remark, "x".join(map(str, layer.in_dim)) or None,
              "x".join(map(str, layer.filter_dim)) or None, f"{layer.avg_ms:.3f}", f"{layer.flops / 1e6:.2f}"]
             for layer in layers],
            ["#", "Operator", "Kernel", "Remark", "In", "Filter", "Avg (ms)", "MFLOPs"], "rlllllrr"), ""]
    return "\n".join(lines)


def write_ops(folder, profiled, documents, emulated):
    """ops/<cell>.json per cell, then ops.csv and ops.md for them all; their paths."""
    folder = Path(folder)
    (folder / "ops").mkdir(parents=True, exist_ok=True)
    paths = []
    for cell, document in documents.items():
        path = folder / "ops" / f"{cell}.json"
        atomic_write_text(path, json.dumps(document, indent=1) + "\n")
        paths.append(path)
    rows = [row for cell, kernels, _layers, _summary in profiled for row in ops_rows(cell, kernels)]
    atomic_write_text(folder / "ops.csv", csv_text(rows, COLUMNS))
    atomic_write_text(folder / "ops.md", to_markdown(profiled, emulated))
    return [*paths, folder / "ops.csv", folder / "ops.md"]
