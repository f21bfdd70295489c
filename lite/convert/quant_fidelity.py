"""FALLBACK: what weight-only quantization does to the logits, estimated without an ARM runtime.

The judgement is made on Paddle Lite's real ARM kernels (`lite/opt_models.py --verify-arm`, which runs
the int8/int16 `.nb` itself under qemu-aarch64); this estimate is for when no ARM library is at hand.

paddlelite 2.13rc0's x86 runtime returns all-zero logits for weight-quantized `.nb` files, so their
quality cannot be read from it. Instead: opt writes the same optimized, quantized program in
protobuf form; its int8/int16 tensors and per-channel scales are dequantized exactly as the ARM
runtime does at load time (w = q * scale), and the folded network they describe (conv with
BatchNorm folded in, fused ReLU, average pool, fc) is run in Paddle on the export's reference input.
Run as a child process (it imports Paddle): python -m lite.convert.quant_fidelity MODEL_DIR NAME VARIANT.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from lite.convert.export import load_reference_io
from lite.convert.logits import compare_logits
from lite.convert.opt import opt_command
from lite.models import architecture
from lite.models.registry import get_model, variant_names
from lite.models.store import ModelStore

FOLDED_OPS = {"conv2d": ("Filter", "Bias"), "depthwise_conv2d": ("Filter", "Bias"), "fc": ("W", "Bias")}


def dequantize(values, scales):
    """int tensor x per-channel scales; the channel axis is the one whose length matches (pure)."""
    scales = np.asarray(scales, np.float32)
    axis = 1 if values.ndim == 2 and values.shape[1] == scales.size else 0
    shape = [1] * values.ndim
    shape[axis] = scales.size
    return values.astype(np.float32) * scales.reshape(shape)


def read_optimized_program(folder):
    """[(op type, weight, bias)] of the conv/fc ops of opt's protobuf output, dequantized."""
    import paddle
    paddle.enable_static()
    try:
        exe = paddle.static.Executor(paddle.CPUPlace())
        program, _, _ = paddle.static.load_inference_model(str(folder / "model"), exe,
                                                           model_filename=str(folder / "model"),
                                                           params_filename=str(folder / "params"))
        scope = paddle.static.global_scope()
        layers = []
        for op in program.global_block().ops:
            if op.type not in FOLDED_OPS:
                continue
            tensors = []
            for slot in FOLDED_OPS[op.type]:
                name = op.input(slot)[0]
                value = np.array(scope.find_var(name).get_tensor())
                if f"{name}_quant_scale" in op.attr_names:
                    value = dequantize(value, op.attr(f"{name}_quant_scale"))
                tensors.append(value.astype(np.float32))
            layers.append((op.type, *tensors))
        return layers
    finally:
        paddle.disable_static()


def run_folded(layers, scale, image):
    import paddle
    import paddle.nn.functional as F
    convs = architecture.conv_layers(scale)
    if len(layers) != len(convs) + 1 or layers[-1][0] != "fc":
        raise ValueError(f"expected {len(convs)} convs and an fc in the optimized program, found {len(layers)} ops")
    x = paddle.to_tensor(image)
    for spec, (_, weight, bias) in zip(convs, layers):
        x = F.relu(F.conv2d(x, paddle.to_tensor(weight), paddle.to_tensor(bias.reshape(-1)), stride=spec.stride,
                            padding=spec.padding, groups=spec.groups))
    x = paddle.reshape(F.adaptive_avg_pool2d(x, 1), [0, -1])
    _, weight, bias = layers[-1]
    return (paddle.matmul(x, paddle.to_tensor(weight)) + paddle.to_tensor(bias.reshape(-1))).numpy()


def evaluate(models_dir, name, variant):
    spec = get_model(name)
    store = ModelStore(models_dir)
    image, reference = load_reference_io(store.reference_io(name))
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "optimized"
        command = opt_command(*store.paddle_files(name), "arm", variant, out, out_type="protobuf")
        subprocess.run(command, capture_output=True, check=True)
        if not (out / "params").is_file():
            raise RuntimeError(f"paddle_lite_opt wrote no protobuf model for {name} ({variant})")
        logits = run_folded(read_optimized_program(out), spec.scale, image)
    return compare_logits(reference, logits)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models_dir", help="where opt_models.py wrote the models (it reads models_dir/paddle/NAME)")
    parser.add_argument("name", help="model name")
    parser.add_argument("variant", choices=variant_names(), help="fp32 (checks the evaluator), int16, int8")
    args = parser.parse_args(argv)
    print(json.dumps(evaluate(Path(args.models_dir), args.name, args.variant)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
