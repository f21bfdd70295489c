"""Run an x86 `.nb` on a reference input and compare with Paddle's logits; print one JSON line.

Run as a child process (`python -m lite.runtime.host_check NB REFERENCE_NPZ VARIANT`) so that a model
that crashes the runtime cannot take the caller down with it.
"""
import argparse
import json
import sys

from lite.convert.export import load_reference_io
from lite.convert.logits import compare_logits, verdict
from lite.runtime.host_predictor import HostPredictor
from lite.util.edge import run_edge


def check(nb_path, reference_npz, variant):
    image, reference = load_reference_io(reference_npz)
    logits = HostPredictor(nb_path).infer(image)
    comparison = compare_logits(reference, logits)
    comparison["problem"] = verdict(comparison, variant)
    return comparison


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("nb_path", help="x86 .nb model file")
    parser.add_argument("reference_npz", help="reference_io.npz written by the export stage")
    parser.add_argument("variant", help="fp32, int8 or int16: chooses the tolerance")
    args = parser.parse_args(argv)
    return run_edge(lambda: print(json.dumps(check(args.nb_path, args.reference_npz, args.variant))) or 0)


if __name__ == "__main__":
    sys.exit(main())
