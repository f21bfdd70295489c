"""`results/arm_check.csv` and `arm_check.md`: converted ARM models on Paddle Lite's real ARM kernels
(under qemu-aarch64) against Paddle's own logits. Building rows and tables is pure; `write_arm_check`
is the only function that touches files."""
from pathlib import Path

from lite.convert.logits import ARM_CHECK_THRESHOLDS
from lite.models.registry import family
from lite.report.tables import csv_text, markdown_table, read_csv_rows
from lite.util.files import atomic_write_text
from lite.util.units import MIB

COLUMNS = ("model", "variant", "file", "storage_bytes", "size_share_of_fp32", "library", "qemu_cpu", "inputs",
           "max_rel_diff", "cosine_min", "top1_agreement", "top5_agreement", "int8_kernels", "result", "seconds")


def check_row(model, variant, nb_path, fp32_bytes, library, cpu, metrics=None, problem=None, seconds=None,
              kernels=None):
    """One row; `metrics` from logits.agreement (None when the model could not run, `problem` says why);
    `kernels`: (conv/fc layers on int8 kernels, all conv/fc layers) from Paddle Lite's log, when read."""
    size = Path(nb_path).stat().st_size
    metrics = metrics or {}
    return {"model": model, "variant": variant, "file": Path(nb_path).name, "storage_bytes": size,
            "size_share_of_fp32": round(size / fp32_bytes, 4) if fp32_bytes else None,
            "library": library, "qemu_cpu": cpu, "inputs": metrics.get("inputs"),
            "max_rel_diff": metrics.get("max_rel_diff"), "cosine_min": metrics.get("cosine_min"),
            "top1_agreement": metrics.get("top1"), "top5_agreement": metrics.get("top5"),
            "int8_kernels": f"{kernels[0]}/{kernels[1]}" if kernels else "",
            "result": "pass" if problem is None else f"FAIL: {problem}",
            "seconds": round(seconds, 1) if seconds is not None else None}


def to_csv(rows):
    return csv_text(rows, COLUMNS)


def _num(value, digits):
    return None if value is None else f"{value:.{digits}g}"


def to_markdown(rows):
    lines = ["# Converted models on Paddle Lite's ARM kernels", "",
             "Each ARM `.nb` ran on Paddle Lite's real ARM Linux library (armv8) under `qemu-aarch64`, on the "
             "export's reference inputs, and its logits were compared with Paddle's own FP32 logits. qemu emulates "
             "every instruction: the seconds are the check's wall time, never a device's latency.", ""]
    cells = []
    for row in rows:
        share = None if row["size_share_of_fp32"] is None else f"{100 * row['size_share_of_fp32']:.1f}%"
        cells.append([row["model"], row["variant"], f"{row['storage_bytes'] / MIB:.2f}", share,
                      f"{row['library']} ({row['qemu_cpu']})", str(row["inputs"]) if row["inputs"] else None,
                      _num(row["max_rel_diff"], 3), _num(row["cosine_min"], 7), _num(row["top1_agreement"], 3),
                      _num(row["top5_agreement"], 3), row.get("int8_kernels") or None, row["result"]])
    lines.append(markdown_table(cells, ["Model", "Variant", "Size (MiB)", "Share of FP32", "Library", "Inputs",
                                        "Max rel. diff", "Cosine (min)", "Top-1 agr.", "Top-5 agr.", "int8 kernels",
                                        "Result"], "llrrlrrrrrrl"))
    lines += ["", "Lines each variant is held to (max relative difference at most, the others at least):", ""]
    for variant, limits in ARM_CHECK_THRESHOLDS.items():
        lines.append(f"- {variant}: " + ", ".join(f"{key} {value:g}" for key, value in limits.items()))
    lines += ["", "Set from what these kernels gave on the project's synthetic weights (see "
                  "`lite/convert/logits.py`); trained weights, whose top logits stand far apart, agree more.",
              "int8 kernels: of the conv and fc layers, how many Paddle Lite ran on int8 kernels (its GLOG_v=3 log "
              "names each kernel it picked); checked for int8_full, whose point they are."]
    return "\n".join(lines) + "\n"


NUMBERS = {"storage_bytes": int, "inputs": int, "size_share_of_fp32": float, "max_rel_diff": float,
           "cosine_min": float, "top1_agreement": float, "top5_agreement": float, "seconds": float}


def from_csv(text):
    """Rows of an arm_check.csv, numbers as numbers (empty cells None) (pure)."""
    return read_csv_rows(text, COLUMNS, NUMBERS)


def merge_rows(kept, fresh):
    """`kept` rows whose (model, variant) `fresh` does not check again, then `fresh`, in registry order."""
    checked = {(row["model"], row["variant"]) for row in fresh}
    rows = [row for row in kept if (row["model"], row["variant"]) not in checked] + list(fresh)
    return sorted(rows, key=lambda row: family().sort_key(row["model"], row["variant"]))


def write_arm_check(rows, results_dir):
    """Write the reports; rows of models not checked this time are kept from the existing CSV."""
    results_dir = Path(results_dir)
    csv_path, md_path = results_dir / "arm_check.csv", results_dir / "arm_check.md"
    if csv_path.is_file():
        rows = merge_rows(from_csv(csv_path.read_text()), rows)
    atomic_write_text(csv_path, to_csv(rows))
    atomic_write_text(md_path, to_markdown(rows))
    return csv_path, md_path
