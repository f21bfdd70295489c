#!/usr/bin/env python3
"""Weight-only quantization figures: `.nb` size against FP32 and logits' fidelity, per model.

Sizes are those of the arm `.nb` files opt_models.py writes (converting int8/int16 if missing).
Fidelity (cosine similarity and max |difference| against Paddle's FP32 logits on the export's
reference input) comes from lite/convert/quant_fidelity.py, because paddlelite 2.13rc0's x86 runtime returns
all-zero logits for quantized models. Goal for MobileNetV1 int8: at most 30% of FP32, cosine >= 0.99.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

try:
    from lite.cli.args import comma_list
    from lite.models.registry import model_names
    from lite.models.store import ModelStore
except ImportError as exc:  # not the project's Python: one line, no traceback
    sys.exit(f"error: {exc}; use `make bench`, or `. .venv/bin/activate` after `make setup`")

REPO = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=comma_list(model_names(), "model"), default=["MobileNetV1"],
                        help="comma-separated (default: MobileNetV1)")
    parser.add_argument("--models-dir", default="models", help="default: models")
    args = parser.parse_args(argv)
    names = args.models
    subprocess.run([sys.executable, str(REPO / "lite/opt_models.py"), "--models", ",".join(names), "--targets", "arm",
                    "--variants", "fp32,int16,int8", "--models-dir", args.models_dir], check=True,
                    stdout=subprocess.DEVNULL)
    print(f"{'model':<20}{'variant':<9}{'size MiB':>10}{'of fp32':>9}{'cosine':>12}{'max |diff|':>12}")
    store = ModelStore(args.models_dir)
    for name in names:
        fp32_bytes = store.nb_file("arm", name, "fp32").stat().st_size
        for variant in ("int16", "int8"):
            size = store.nb_file("arm", name, variant).stat().st_size
            done = subprocess.run([sys.executable, "-m", "lite.convert.quant_fidelity", args.models_dir, name, variant],
                                  capture_output=True, text=True, cwd=REPO, check=True)
            check = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{name:<20}{variant:<9}{size / 2**20:>10.2f}{size / fp32_bytes:>9.1%}{check['cosine']:>12.6f}"
                  f"{check['max_abs_diff']:>12.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
