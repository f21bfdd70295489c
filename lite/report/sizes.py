"""`results/models.csv` and `models.md`: storage, params and FLOPs beside the published columns.

Building rows and tables is pure; `write_size_report` is the only function that touches files.
"""
from pathlib import Path

from lite.models.counts import count_model
from lite.models.model_file import calibration_text
from lite.models.registry import family, get_model
from lite.report.accuracy import int8_cost_text, measured_top1, top1_text
from lite.report.tables import csv_text, markdown_table, read_csv_rows
from lite.util.files import atomic_write_text
from lite.util.units import MB, MIB

COLUMNS = ("model", "variant", "target", "scale", "params", "params_m", "published_params_m",
           "params_ratio", "macs_g", "flops_g", "published_flops_g", "flops_ratio", "storage_bytes",
           "storage_mib", "storage_mb", "published_storage_m", "storage_ratio_mib", "weights_origin",
           "paddlepaddle_version", "paddlelite_version", "opt_version", "nb_sha256", "calibration")


def _ratio(measured, published):
    return round(measured / published, 4) if published else None


def size_row(spec, manifest):
    counts = count_model(spec.scale, spec.input_shape[-1], spec.class_num)
    published = spec.published
    storage_bytes = manifest["storage_bytes"]
    return {
        "model": spec.name, "variant": manifest["variant"], "target": manifest["target"],
        "scale": spec.scale, "params": counts.params, "params_m": round(counts.params_m, 4),
        "published_params_m": published.get("params_m"),
        "params_ratio": _ratio(counts.params_m, published.get("params_m")),
        "macs_g": round(counts.macs_g, 4), "flops_g": round(counts.flops_g, 4),
        "published_flops_g": published.get("flops_g"),
        "flops_ratio": _ratio(counts.flops_g, published.get("flops_g")),
        "storage_bytes": storage_bytes, "storage_mib": round(storage_bytes / MIB, 3),
        "storage_mb": round(storage_bytes / MB, 3),
        "published_storage_m": published.get("storage_size_m"),
        "storage_ratio_mib": _ratio(storage_bytes / MIB, published.get("storage_size_m")),
        "weights_origin": manifest["weights_origin"],
        "paddlepaddle_version": manifest["tool_versions"]["paddlepaddle"],
        "paddlelite_version": manifest["tool_versions"]["paddlelite"],
        "opt_version": manifest["opt_version"], "nb_sha256": manifest["nb_sha256"],
        "calibration": calibration_text(manifest["calibration"]) if manifest.get("calibration") else "",
    }


def size_rows_of(cells):
    """The size rows of the model files a plan's cells carry (each once, in table order), from the
    manifests read when the plan was made; files without a manifest have no row."""
    files = {cell.model_file.path: cell for cell in cells if cell.model_file.manifest}
    return sort_rows([size_row(get_model(cell.model), cell.model_file.manifest) for cell in files.values()])


def sort_rows(rows):
    """Target, then the registry's variant and model order."""
    return sorted(rows, key=lambda r: (r["target"], *family().sort_key(r["model"], r["variant"])))


def to_csv(rows):
    return csv_text(rows, COLUMNS)


def _cell(value, fmt="{:.2f}"):
    return None if value is None else fmt.format(value)


def to_markdown(rows, measured=None):
    """`measured`: {(model, variant, weights origin): accuracy row}; when any row has one, the published and
    measured Top-1 stand at the end of each row."""
    def accuracy(r):
        return (measured or {}).get((r["model"], r["variant"], r["weights_origin"]))
    with_accuracy = any(accuracy(r) for r in rows)
    headers = ["Model", "Target", "Variant", "Storage (MiB)", "Storage (MB)", "Published storage (M)",
               "MiB / published", "Params (M)", "Published params (M)", "FLOPs (G)", "Published FLOPs (G)",
               "FLOPs / published", "Weights"]
    align = "lll" + "r" * 9 + "l"
    if with_accuracy:
        headers, align = headers + ["Published Top-1", "Measured Top-1"], align + "rr"
    with_int8 = any(r["variant"] == "int8_full" for r in rows)
    if with_int8:
        headers, align = headers + ["int8 cost (Top-1 vs FP32)"], align + "l"
    published_top1 = {spec.name: spec.published.get("top1") for spec in family().models}
    cells = []
    for r in rows:
        line = [r["model"], r["target"], r["variant"], f"{r['storage_mib']:.2f}", f"{r['storage_mb']:.2f}",
                _cell(r["published_storage_m"], "{:g}"), _cell(r["storage_ratio_mib"], "{:.3f}"),
                f"{r['params_m']:.3f}", _cell(r["published_params_m"]), f"{r['flops_g']:.3f}",
                _cell(r["published_flops_g"]), _cell(r["flops_ratio"], "{:.3f}"),
                r["weights_origin"][:23] + ("; calibrated on " + r["calibration"] if r.get("calibration") else "")]
        if with_accuracy:
            published = published_top1.get(r["model"])
            line += [_cell(published and 100 * published, "{:.1f}%"), top1_text(accuracy(r)) if accuracy(r) else None]
        if with_int8:
            line.append(int8_cost_text(r["variant"], r["model"], r["weights_origin"], measured))
        cells.append(line)
    lines = [
        "# Model storage, parameters and FLOPs",
        "",
        "Made by `python lite/opt_models.py`; every measured number comes from the `.nb` files it wrote.",
        "Published columns: PaddleClas MobileNetV1 tables (storage printed as M; compared here in MiB).",
        "Params: conv weights, BatchNorm scale and shift, fc weight and bias (running statistics not counted).",
        "FLOPs = 2 x multiply-accumulates of convs and fc.",
        "",
        markdown_table(cells, headers, align),
    ]
    if with_accuracy:
        lines += ["", "Measured Top-1: from accuracy.csv (python bench_scripts/eval_accuracy.py) for the same model, "
                      "variant and weights; n = images evaluated; synthetic weights have no accuracy."]
    if with_int8:
        lines += ["", "int8 cost: Top-1 of int8_full minus FP32's and the share of images with FP32's top-1, both from "
                      "accuracy.csv on the same images and weights (python bench_scripts/eval_accuracy.py --variants "
                      "fp32,int8_full); not measured until that runs. The held-back check of the conversion (Paddle's "
                      "fake-quant simulation) is in the model's manifest."]
    if rows:
        r = rows[0]
        lines += ["", f"Tools: paddlepaddle {r['paddlepaddle_version']}, paddlelite {r['paddlelite_version']} "
                      f"(opt {r['opt_version']})."]
    return "\n".join(lines) + "\n"


NUMBER_COLUMNS = {"scale": float, "params": int, "params_m": float, "published_params_m": float,
                  "params_ratio": float, "macs_g": float, "flops_g": float, "published_flops_g": float,
                  "flops_ratio": float, "storage_bytes": int, "storage_mib": float, "storage_mb": float,
                  "published_storage_m": float, "storage_ratio_mib": float}


def from_csv(text):
    """Rows of a models.csv, numbers as numbers and empty cells None (pure)."""
    return read_csv_rows(text, COLUMNS, NUMBER_COLUMNS)


def merge_rows(kept, fresh):
    """The rows measured now, plus the earlier rows of models, variants and targets not measured now."""
    measured = {(r["model"], r["variant"], r["target"]) for r in fresh}
    return sort_rows([r for r in kept if (r["model"], r["variant"], r["target"]) not in measured] + list(fresh))


def write_size_report(rows, results_dir):
    """Write models.csv/.md; rows of an existing models.csv that this run did not measure are kept, so a
    run converting FP32 only does not drop the committed int8/int16 rows."""
    results_dir = Path(results_dir)
    existing = results_dir / "models.csv"
    if existing.is_file():
        try:
            rows = merge_rows(from_csv(existing.read_text()), rows)
        except (ValueError, KeyError):
            pass  # an unreadable old report is replaced by what was measured now
    atomic_write_text(results_dir / "models.csv", to_csv(rows))
    atomic_write_text(results_dir / "models.md", to_markdown(rows, measured_top1(results_dir)))
    return results_dir / "models.csv", results_dir / "models.md"


def rewrite_size_markdown(results_dir):
    """models.md again from models.csv, with the Top-1 measured since; its path."""
    results_dir = Path(results_dir)
    rows = from_csv((results_dir / "models.csv").read_text())
    atomic_write_text(results_dir / "models.md", to_markdown(rows, measured_top1(results_dir)))
    return results_dir / "models.md"
