"""`quant_sensitivity_<model>.csv` and `.md`: which layers, kept in FP32, bring int8_full closest to FP32.
Building the tables is pure; `write_sensitivity` is the only function that touches files."""
from pathlib import Path

from lite.report.tables import csv_text, markdown_table, read_csv_rows
from lite.util.files import atomic_write_text

RUNTIME_TEXT = {"arm": "run on Paddle Lite's ARM kernels under qemu on the export's reference inputs",
                "host": "in Paddle's fake-quant simulation on this host, on the held-back images after the "
                        "calibration ones"}
COLUMNS = ("model", "kept_fp32", "cosine_mean", "cosine_gain", "top1_agreement", "int8_kernels", "seconds")


def to_markdown(model, rows, calibration, runtime="arm"):
    cells = [[r["kept_fp32"], f"{r['cosine_mean']:.5f}", f"{r['cosine_gain']:+.5f}", f"{r['top1_agreement']:.2f}",
              r["int8_kernels"]] for r in rows]
    lines = [f"# int8 sensitivity of {model}", "",
             f"Post-training quantization ({calibration.algo}, {calibration.weight_quant} weights, "
             f"{'synthetic images' if not calibration.data else calibration.data}, {calibration.samples} samples) with "
             "one layer at a time kept in FP32, " + RUNTIME_TEXT[runtime] + "; cosine: mean cosine of the logits with "
             "Paddle's FP32 logits; gain: against every layer in int8. "
             "Most useful first; pass the top ones to `opt_models.py --variants int8_full --skip-quant-layers`.", "",
             markdown_table(cells, ["Kept in FP32", "Cosine", "Gain", "Top-1 agreement", "int8 kernels"], "lrrrr")]
    return "\n".join(lines) + "\n"


def write_sensitivity(results, model, rows, calibration, runtime="arm"):
    """Write the CSV and Markdown ranking into `results`; their paths."""
    results = Path(results)
    results.mkdir(parents=True, exist_ok=True)
    paths = [results / f"quant_sensitivity_{model}.csv", results / f"quant_sensitivity_{model}.md"]
    atomic_write_text(paths[0], csv_text(rows, COLUMNS))
    atomic_write_text(paths[1], to_markdown(model, rows, calibration, runtime))
    return paths


def read_ranking(results, model):
    """The layers of `model`'s sensitivity report, most useful first (the baseline row left out), or None
    when there is no report; names the model does not have are dropped by the caller."""
    path = Path(results) / f"quant_sensitivity_{model}.csv"
    if not path.is_file():
        return None
    rows = [r for r in read_csv_rows(path.read_text(), ("model", "kept_fp32"), {})
            if r["model"] == model and not r["kept_fp32"].startswith("(")]
    return [r["kept_fp32"] for r in rows] or None
