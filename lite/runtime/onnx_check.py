"""Check an `.onnx`: `onnx.checker`, then ONNX Runtime's logits on a reference input against Paddle's; print
one JSON line. Run as a child (`python -m lite.runtime.onnx_check ONNX REFERENCE_NPZ`), so that neither
ONNX Runtime's threads nor a crash share the converting process."""
import argparse
import json
import sys

import numpy as np

from lite.convert.export import load_reference_io
from lite.convert.logits import compare_logits, verdict
from lite.runtime.engines import open_predictor
from lite.util.edge import run_edge


def check(onnx_path, reference_npz):
    import onnx
    model = onnx.load(str(onnx_path))
    onnx.checker.check_model(model)
    inputs = [{"name": i.name, "shape": [d.dim_value or d.dim_param for d in i.type.tensor_type.shape.dim]}
              for i in model.graph.input]
    image, reference = load_reference_io(reference_npz)
    predictor = open_predictor("onnxruntime", onnx_path)  # the export's batch is 1: one image at a time
    comparison = compare_logits(reference, np.concatenate([predictor.infer(image[i:i + 1]) for i in range(len(image))]))
    comparison["problem"] = verdict(comparison, "fp32")
    return {**comparison, "inputs": inputs, "opset": model.opset_import[0].version}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("onnx_path", help="the .onnx file")
    parser.add_argument("reference_npz", help="reference_io.npz written by the export stage")
    args = parser.parse_args(argv)
    return run_edge(lambda: print(json.dumps(check(args.onnx_path, args.reference_npz))) or 0)


if __name__ == "__main__":
    sys.exit(main())
