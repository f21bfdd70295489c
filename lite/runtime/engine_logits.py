"""Logits of an engine on a batch of prepared inputs: `python -m lite.runtime.engine_logits ENGINE MODEL THREADS
INPUTS.npy OUT.npy`. A child process, as Paddle (Paddle Inference) and Paddle Lite abort in one process; the
evaluation runs one per batch of inputs, each input at batch 1 as the exports take it."""
import argparse
import sys

import numpy as np

from lite.models.engines import ENGINES
from lite.runtime.engines import open_predictor
from lite.util.edge import run_edge


def logits(engine, model, threads, inputs_npy, out_npy):
    predictor = open_predictor(engine, model, threads)
    inputs = np.load(inputs_npy, allow_pickle=False)
    batch_1 = (tensor.reshape(1, *tensor.shape[-3:]) for tensor in inputs)  # each input as the exports take it
    np.save(out_npy, np.stack([predictor.infer(tensor).reshape(-1) for tensor in batch_1]), allow_pickle=False)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("model", help="the engine's model file (.nb, inference.pdiparams or .onnx)")
    parser.add_argument("threads", type=int)
    parser.add_argument("inputs_npy")
    parser.add_argument("out_npy")
    args = parser.parse_args(argv)
    return run_edge(lambda: logits(args.engine, args.model, args.threads, args.inputs_npy, args.out_npy))


if __name__ == "__main__":
    sys.exit(main())
