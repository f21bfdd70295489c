"""Post-training static quantization of an export (the int8_full variant), before paddle_lite_opt.

Paddle 2.6's own `paddle.static.quantization.PostTrainingQuantization` does it, not PaddleSlim: it ships
inside the pinned paddlepaddle (no new package, nothing to re-pin), and PaddleSlim 2.6.0's `quant_post_static`
is a wrapper around this same class. Weights and activations of conv2d, depthwise_conv2d and the fc
(matmul_v2) get int8 scales; Paddle Lite's opt turns the fake-quant ops into int8 kernels for ARM.

Calibration images come from --calib-data (PaddleClas list file or class folders, as the accuracy evaluation
reads them) preprocessed the registry's way, or, without data, from synthetic images (and every table says
so). The quantization runs in a child process (`python -m lite.convert.ptq`): Paddle's static mode is a
process-wide switch, and its progress bars belong to no one's terminal.
"""
import argparse
import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from lite.errors import ConversionError, ToolkitError
from lite.util.files import sha256_file
from lite.util.text import last_line

ALGOS = ("KL", "hist", "avg", "abs_max", "mse")
WEIGHT_QUANT = ("channel_wise_abs_max", "abs_max")
QUANTIZABLE_OPS = ("conv2d", "depthwise_conv2d", "mul", "matmul", "matmul_v2")
SYNTHETIC_SEED = 2027
PTQ_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Calibration:
    """How int8_full models are calibrated: the choices a user makes on opt_models.py's command line."""
    data: str = None  # a folder (list file or class folders); None: synthetic images
    list_file: str = None
    samples: int = 32
    algo: str = "abs_max"
    weight_quant: str = "channel_wise_abs_max"
    skip_layers: tuple = field(default_factory=tuple)  # weight tensor names kept in FP32

    def settings(self):
        return {k: v for k, v in asdict(self).items() if k not in ("data", "list_file")}


@dataclass(frozen=True)
class CalibrationSet:
    inputs: np.ndarray  # N x 3 x H x W float32
    origin: str  # "synthetic: 32 images" or "DIR (class folders): 32 images"
    image_sha256: tuple  # of each calibration image file: the evaluation refuses these images


def calibration_set(calibration, input_shape, preprocess, say=print):
    """The calibration inputs; ToolkitError (one line) for an empty or unreadable set."""
    from lite.models.image_sets import read_image_set
    from lite.models.preprocess import load_rgb, paddleclas_preprocess
    from lite.models.weights import synthetic_images
    if not calibration.data:
        inputs = synthetic_images(SYNTHETIC_SEED, calibration.samples, input_shape, preprocess)
        return CalibrationSet(inputs, f"synthetic: {calibration.samples} images", ())
    dataset = read_image_set(calibration.data, calibration.list_file)
    tensors, hashes, unreadable = [], [], []
    for relative, _label in dataset.items:
        if len(tensors) >= calibration.samples:
            break
        path = dataset.root / relative
        try:
            tensors.append(paddleclas_preprocess(load_rgb(path), preprocess.resize_short, preprocess.crop_size)[0])
            hashes.append(sha256_file(path))
        except Exception as exc:  # noqa: BLE001 - a file that is no image is counted, not fatal
            unreadable.append(f"{relative} ({exc.__class__.__name__})")
    if not tensors:
        raise ToolkitError(f"--calib-data {calibration.data}: none of its {len(dataset.items)} files could be read as "
                           f"an image (first: {unreadable[0] if unreadable else '?'})")
    if unreadable:
        say(f"note: {len(unreadable)} calibration file(s) are no images and were skipped, first {unreadable[0]}")
    if len(tensors) < calibration.samples:
        say(f"note: --calib-data has {len(tensors)} readable images, fewer than --calib-samples {calibration.samples}")
    origin = f"{dataset.root} ({dataset.layout}): {len(tensors)} images"
    return CalibrationSet(np.stack(tensors).astype("float32"), origin, tuple(hashes))


def quantize(model_file, params_file, calibration, inputs_file, out_dir):
    """Run the child; (quantized .pdmodel, .pdiparams). ConversionError with its last line when it fails."""
    command = [sys.executable, "-m", "lite.convert.ptq", "--model-file", str(model_file), "--params-file",
               str(params_file), "--inputs", str(inputs_file), "--out", str(out_dir),
               "--settings", json.dumps(calibration.settings())]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PTQ_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise ConversionError(f"post-training quantization took over {PTQ_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise ConversionError(f"post-training quantization failed: {last_line(done.stderr, 'no output')}")
    out_dir = Path(out_dir)
    return out_dir / "inference.pdmodel", out_dir / "inference.pdiparams"


def quantizable_layers(model_file, params_file):
    """The weight tensor names PTQ quantizes, in network order (what --skip-quant-layers takes)."""
    import paddle
    paddle.enable_static()
    try:
        executor = paddle.static.Executor(paddle.CPUPlace())
        # the path prefix: PREFIX.pdmodel and PREFIX.pdiparams (with file-name arguments it reads a folder)
        program, _, _ = paddle.static.load_inference_model(str(Path(model_file).with_suffix("")), executor)
        names = []
        for op in program.global_block().ops:
            if op.type in QUANTIZABLE_OPS:
                slot = "Filter" if "conv" in op.type else "Y"
                names += [n for n in op.input(slot) if n not in names]
        return names
    finally:
        paddle.disable_static()


def _child(argv=None):
    """The child: load the export, calibrate on the saved inputs, save the quantized model."""
    parser = argparse.ArgumentParser()
    for name in ("--model-file", "--params-file", "--inputs", "--out", "--settings"):
        parser.add_argument(name, required=True)
    args = parser.parse_args(argv)
    settings = json.loads(args.settings)
    import logging

    import paddle
    from paddle.static.quantization import PostTrainingQuantization
    logging.disable(logging.WARNING)
    paddle.enable_static()
    place = paddle.CPUPlace()
    executor = paddle.static.Executor(place)
    model_file = Path(args.model_file)
    program, feed_names, _ = paddle.static.load_inference_model(str(model_file.with_suffix("")), executor)
    inputs = np.load(args.inputs, allow_pickle=False)

    class Images(paddle.io.Dataset):
        def __len__(self):
            return len(inputs)

        def __getitem__(self, index):
            return inputs[index]

    # Paddle 2.6 takes only a paddle.io.DataLoader; fed by name, so the feed variables of this load serve.
    loader = paddle.io.DataLoader(Images(), feed_list=[program.global_block().var(n) for n in feed_names],
                                  places=place, batch_size=1, return_list=False, shuffle=False, num_workers=0)
    known = set(quantizable_layers(args.model_file, args.params_file)) if settings["skip_layers"] else set()
    paddle.enable_static()
    unknown = [name for name in settings["skip_layers"] if name not in known]
    if unknown:
        print(f"error: --skip-quant-layers names {unknown[0]}, which is no quantizable layer of this model "
              f"(they are: {', '.join(sorted(known))})", file=sys.stderr)
        return 2
    ptq = PostTrainingQuantization(
        executor=executor, model_dir=str(model_file.parent), model_filename=model_file.name,
        params_filename=Path(args.params_file).name, data_loader=loader, batch_nums=len(inputs),
        algo=settings["algo"], quantizable_op_type=list(QUANTIZABLE_OPS),
        weight_quantize_type=settings["weight_quant"], onnx_format=False,
        skip_tensor_list=list(settings["skip_layers"]) or None)
    ptq.quantize()
    ptq.save_quantized_model(args.out, model_filename="inference.pdmodel", params_filename="inference.pdiparams")
    return 0


if __name__ == "__main__":
    sys.exit(_child())
