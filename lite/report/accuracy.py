"""`accuracy.csv` and `accuracy.md` of an evaluation, and the measured Top-1 the other tables show.

Rows are merged with an earlier accuracy.csv of the same folder (a run of int8 alone keeps the FP32 rows),
keyed by model, variant and runtime. Synthetic weights have no accuracy: their rows are kept (agreement
and cosine between variants mean something) and every table says the weights are synthetic.
"""
from pathlib import Path

from lite.report.tables import csv_text, markdown_table, read_csv_rows
from lite.util.files import atomic_write_text
from lite.util.text import md_text

COLUMNS = ("model", "variant", "runtime", "weights_origin", "images", "top1", "top1_ci95_low", "top1_ci95_high",
           "top5", "top5_ci95_low", "top5_ci95_high", "top1_agreement_with_fp32", "cosine_with_fp32",
           "unreadable_images", "data", "runtime_about", "nb_sha256", "seconds", "images_per_s", "measured_at",
           "error", "calibration")
NUMBERS = {"images": int, "top1": float, "top1_ci95_low": float, "top1_ci95_high": float, "top5": float,
           "top5_ci95_low": float, "top5_ci95_high": float, "top1_agreement_with_fp32": float,
           "cosine_with_fp32": float, "unreadable_images": int, "seconds": float, "images_per_s": float}


def is_synthetic(weights_origin):
    return str(weights_origin or "").startswith("synthetic")


def csv_row(row, data, unreadable):
    """A flat CSV row from an evaluation row (pure)."""
    flat = {key: row.get(key) for key in COLUMNS}
    for name in ("top1", "top5"):
        low, high = row.get(f"{name}_ci95") or (None, None)
        flat[f"{name}_ci95_low"], flat[f"{name}_ci95_high"] = low, high
    flat.update(data=data, unreadable_images=unreadable)
    for key in ("top1", "top5", "top1_ci95_low", "top1_ci95_high", "top5_ci95_low", "top5_ci95_high",
                "top1_agreement_with_fp32"):
        flat[key] = None if flat[key] is None else round(flat[key], 5)
    if flat["cosine_with_fp32"] is not None:
        flat["cosine_with_fp32"] = round(flat["cosine_with_fp32"], 6)
    return flat


def from_csv(text):
    return read_csv_rows(text, COLUMNS, NUMBERS)


def merge(kept, fresh):
    measured = {(r["model"], r["variant"], r["runtime"]) for r in fresh}
    return [r for r in kept if (r["model"], r["variant"], r["runtime"]) not in measured] + list(fresh)


def to_csv(rows):
    return csv_text(rows, COLUMNS)


def _percent(value, low=None, high=None):
    if value is None:
        return None
    text = f"{100 * value:.2f}%"
    return text + (f" ({100 * low:.1f}-{100 * high:.1f})" if low is not None and high is not None else "")


def _number(value, fmt):
    return None if value is None else fmt.format(value)


def to_markdown(rows, unreadable=(), note=None, examples=()):
    synthetic = any(is_synthetic(r["weights_origin"]) for r in rows)
    lines = ["# Accuracy", "",
             "Top-1 and Top-5 on the labelled set below, with 95% Wilson intervals; agreement: the share of images "
             "whose top-1 class is the FP32 model's; cosine: mean cosine similarity of the logits with FP32's "
             "(where the runtime gives logits). Made by `python bench_scripts/eval_accuracy.py`.", ""]
    if synthetic:
        lines += ["**Synthetic weights: these Top-1 / Top-5 figures measure nothing about the published models** "
                  "(their labels are whatever the set says); agreement and cosine between variants still show what "
                  "quantization changes. Convert with pretrained weights for accuracy.", ""]
    cells = []
    for r in rows:
        weights = r["weights_origin"][:23]
        if r.get("error"):
            cells.append([r["model"], r["variant"], r["runtime"], weights, None,
                          f"failed: {md_text(r['error'], 80)}", "", "", "", ""])
            continue
        cells.append([r["model"], r["variant"], r["runtime"],
                      weights + (" (synthetic)" if is_synthetic(r["weights_origin"]) else ""), str(r["images"]),
                      _percent(r["top1"], r["top1_ci95_low"], r["top1_ci95_high"]),
                      _percent(r["top5"], r["top5_ci95_low"], r["top5_ci95_high"]),
                      _percent(r["top1_agreement_with_fp32"]), _number(r["cosine_with_fp32"], "{:.5f}"),
                      _number(r["images_per_s"], "{:g}")])
    lines.append(markdown_table(cells, ["Model", "Variant", "Runtime", "Weights", "Images", "Top-1 (95% CI)",
                                        "Top-5 (95% CI)", "Top-1 agrees with FP32", "Cosine with FP32", "Images/s"],
                                "llllrllrrr"))
    runtimes = sorted({(r["runtime"], r["runtime_about"]) for r in rows if r.get("runtime_about")})
    lines += ["", "Runtimes: " + "; ".join(f"`{name}`: {about}" for name, about in runtimes) + "."]
    calibrated = sorted({(r["model"], r["variant"], r["calibration"]) for r in rows if r.get("calibration")})
    if calibrated:
        lines.append("Calibrated (post-training quantization): " + "; ".join(
            f"{model} {variant} on {md_text(text)}" for model, variant, text in calibrated) + ".")
    datas = sorted({r["data"] for r in rows if r.get("data")})
    if datas:
        lines.append("Data: " + "; ".join(md_text(d) for d in datas) + ".")
    if note:
        lines += ["", f"Note: {md_text(note)}."]
    if unreadable:
        lines += ["", f"{len(unreadable)} file(s) could not be read as images and were left out:"]
        lines += [f"- `{md_text(path)}`: {md_text(why)}" for path, why in list(unreadable)[:20]]
        if len(unreadable) > 20:
            lines.append(f"- ... and {len(unreadable) - 20} more")
    if examples:
        lines += ["", "Some images the first model got wrong (true class -> its top-1):"]
        lines += [f"- `{md_text(path)}`: {md_text(truth)} -> {md_text(guess)}" for path, truth, guess in examples]
    return "\n".join(lines) + "\n"


def write_accuracy(result_dir, fresh_rows, unreadable=(), note=None, examples=()):
    """Write RESULT_DIR/accuracy.csv and .md, keeping earlier rows this run did not measure."""
    result_dir = Path(result_dir)
    result_dir.mkdir(parents=True, exist_ok=True)
    existing = result_dir / "accuracy.csv"
    rows = list(fresh_rows)
    if existing.is_file():
        try:
            rows = merge(from_csv(existing.read_text()), rows)
        except (ValueError, KeyError):
            pass  # an unreadable old report is replaced by what was measured now
    atomic_write_text(existing, to_csv(rows))
    atomic_write_text(result_dir / "accuracy.md", to_markdown(rows, unreadable, note, examples))
    return existing, result_dir / "accuracy.md"


def measured_top1(result_dir):
    """{(model, variant, weights origin): accuracy row} from RESULT_DIR/accuracy.csv and those of the folders
    beside it (a device's folder, holding raw/: a phone's latency table finds the host's figures) or under
    it (the results root, for models.md); of several rows for the same weights, the one over the most images."""
    result_dir = Path(result_dir)
    around = result_dir.parent if (result_dir / "raw").is_dir() else result_dir
    files = {result_dir / "accuracy.csv", *around.glob("*/accuracy.csv")}
    found = {}
    for path in sorted(files):
        if not path.is_file():
            continue
        try:
            rows = from_csv(path.read_text())
        except (ValueError, KeyError, OSError):
            continue
        for row in rows:
            if row.get("error") or row["top1"] is None:
                continue
            key = (row["model"], row["variant"], row["weights_origin"])
            if key not in found or row["images"] > found[key]["images"]:
                found[key] = row
    return found


def int8_cost(model, weights_origin, measured):
    """(Top-1 loss in points, top-1 agreement with FP32, images) of int8_full against FP32 for this model and
    weights, from the evaluation's rows (pure); None when either was not measured."""
    int8 = (measured or {}).get((model, "int8_full", weights_origin))
    fp32 = (measured or {}).get((model, "fp32", weights_origin))
    if not int8 or not fp32 or int8.get("top1_agreement_with_fp32") is None:
        return None
    return 100 * (fp32["top1"] - int8["top1"]), int8["top1_agreement_with_fp32"], int8["images"]


def int8_cost_text(variant, model, weights_origin, measured):
    """'-1.6 points, 92.4% agreement (n=500)' for an int8_full row, 'not measured' without an evaluation,
    '' for other variants."""
    if variant != "int8_full":
        return ""
    cost = int8_cost(model, weights_origin, measured)
    if cost is None:
        return "not measured"
    loss, agreement, images = cost
    return f"{-loss:+.1f} points, {100 * agreement:.1f}% agreement (n={images})"


def top1_text(row):
    """'71.18% (n=50000)' or '12.00% (synthetic, n=20)' for the other tables."""
    return f"{100 * row['top1']:.2f}% ({'synthetic, ' if is_synthetic(row['weights_origin']) else ''}n={row['images']})"
