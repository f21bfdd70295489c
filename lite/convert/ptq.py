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
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from lite.errors import ConversionError, ToolkitError
from lite.util.files import sha256_file
from lite.util.text import last_line

ALGOS = ("KL", "hist", "avg", "abs_max", "mse", "emd")
ROUND_TYPES = ("round", "adaround")
DEPTHWISE = "depthwise"  # --skip-quant-layers' word for every depthwise conv
KEPT_FILE = "layers.json"  # the child's answer: every quantizable layer's op type, and those it left in FP32
WEIGHT_QUANT = ("channel_wise_abs_max", "abs_max")
QUANTIZABLE_OPS = ("conv2d", "depthwise_conv2d", "mul", "matmul", "matmul_v2")
SYNTHETIC_SEED = 2027
PTQ_TIMEOUT_S = 3600


CHECK_FIELDS = ("auto_skip", "check_samples", "max_top1_loss", "max_fp32_flops_share")


@dataclass(frozen=True)
class Calibration:
    """How int8_full models are calibrated: the choices a user makes on opt_models.py's command line.
    The defaults are the measured best of benchmarks/bench_calibration.py (docs/converting.md's table)."""
    data: str = None  # a folder (list file or class folders); None: synthetic images
    list_file: str = None
    samples: int = 32
    algo: str = "mse"
    weight_quant: str = "channel_wise_abs_max"
    skip_layers: tuple = ("depthwise",)  # weight tensor names kept in FP32; "depthwise": every depthwise conv
    round_type: str = "round"
    bias_correction: bool = False
    auto_skip: bool = False  # --skip-quant-layers auto: keep layers in FP32 until the held-back check passes
    check_samples: int = 100  # held-back images after the calibration ones, for the check (real data only)
    max_top1_loss: float = 1.0  # points of Top-1 on the held-back images
    max_fp32_flops_share: float = 0.25  # auto stops before more than this share of the FLOPs leaves int8

    def fingerprint(self):
        """Every choice that decides the result but the data folder (the convert key adds its files)."""
        return {k: v for k, v in asdict(self).items() if k not in ("data", "list_file")}

    def settings(self):
        """What the quantization child needs (and what a manifest records): the fingerprint less the check's."""
        return {k: v for k, v in self.fingerprint().items() if k not in CHECK_FIELDS}


@dataclass(frozen=True)
class HeldBack:
    """Images after the calibration ones in the same set: never calibrated on, used to check the result."""
    inputs: np.ndarray
    labels: np.ndarray
    image_sha256: tuple


@dataclass(frozen=True)
class CalibrationSet:
    inputs: np.ndarray  # N x 3 x H x W float32
    origin: str  # "synthetic: 32 images" or "DIR (class folders): 32 images"
    image_sha256: tuple  # of each calibration image file: the evaluation refuses these images
    held_back: HeldBack = None  # None for synthetic images, or when the set has no image to spare


def calibration_set(calibration, input_shape, preprocess, say=print):
    """The calibration inputs; ToolkitError (one line) for an empty or unreadable set."""
    from lite.models.image_sets import read_image_set
    from lite.models.preprocess import load_rgb, paddleclas_preprocess
    from lite.models.weights import synthetic_images
    if not calibration.data:
        inputs = synthetic_images(SYNTHETIC_SEED, calibration.samples, input_shape, preprocess)
        return CalibrationSet(inputs, f"synthetic: {calibration.samples} images", ())
    dataset = read_image_set(calibration.data, calibration.list_file)
    wanted = calibration.samples + calibration.check_samples
    tensors, labels, hashes, unreadable = [], [], [], []
    for relative, label in dataset.items:
        if len(tensors) >= wanted:
            break
        path = dataset.root / relative
        try:
            tensors.append(paddleclas_preprocess(load_rgb(path), preprocess.resize_short, preprocess.crop_size)[0])
            labels.append(label)
            hashes.append(sha256_file(path))
        except Exception as exc:  # noqa: BLE001 - a file that is no image is counted, not fatal
            unreadable.append(f"{relative} ({exc.__class__.__name__})")
    if not tensors:
        raise ToolkitError(f"--calib-data {calibration.data}: none of its {len(dataset.items)} files could be read as "
                           f"an image (first: {unreadable[0] if unreadable else '?'})")
    if unreadable:
        say(f"note: {len(unreadable)} calibration file(s) are no images and were skipped, first {unreadable[0]}")
    count = min(calibration.samples, len(tensors))
    if count < calibration.samples:
        say(f"note: --calib-data has {len(tensors)} readable images, fewer than --calib-samples {calibration.samples}")
    held_back = None
    if len(tensors) > count:
        held_back = HeldBack(np.stack(tensors[count:]).astype("float32"), np.array(labels[count:]),
                             tuple(hashes[count:]))
    origin = f"{dataset.root} ({dataset.layout}): {count} images"
    return CalibrationSet(np.stack(tensors[:count]).astype("float32"), origin, tuple(hashes[:count]), held_back)


@dataclass(frozen=True)
class Quantized:
    model_file: Path
    params_file: Path
    kept_fp32: tuple  # the layers PTQ left in FP32, `depthwise` expanded to their names
    layer_types: dict  # {weight name: op type} of every quantizable layer, in network order
    check_logits: Path = None  # OUT/check_logits.npz (fp32, int8) when the child ran a check


def quantize(model_file, params_file, calibration, inputs_file, out_dir, check_inputs_file=None, fp32_logits_file=None):
    """Run the child; a Quantized. ConversionError with its last line when it fails.
    With `check_inputs_file` (N x 3 x H x W .npy) the child also runs the quantized program on them (Paddle's
    fake-quant simulation on this host) and, unless `fp32_logits_file` already holds them, the FP32 program,
    into OUT/check_logits.npz (fp32, int8)."""
    command = [sys.executable, "-m", "lite.convert.ptq", "--model-file", str(model_file), "--params-file",
               str(params_file), "--inputs", str(inputs_file), "--out", str(out_dir),
               "--settings", json.dumps(calibration.settings())]
    if check_inputs_file is not None:
        command += ["--check-inputs", str(check_inputs_file)]
        if fp32_logits_file is not None:
            command += ["--fp32-logits", str(fp32_logits_file)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PTQ_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise ConversionError(f"post-training quantization took over {PTQ_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise ConversionError(f"post-training quantization failed: {last_line(done.stderr, 'no output')}")
    out_dir = Path(out_dir)
    layers = json.loads((out_dir / KEPT_FILE).read_text())
    check_logits = out_dir / "check_logits.npz" if check_inputs_file is not None else None
    return Quantized(out_dir / "inference.pdmodel", out_dir / "inference.pdiparams", tuple(layers["kept_fp32"]),
                     dict(layers["layer_types"]), check_logits)


def layer_types(model_file, params_file):
    """{weight tensor name: op type} of the layers PTQ quantizes, in network order (what --skip-quant-layers
    takes), read by a child: Paddle's static mode and its log lines stay out of this process."""
    command = [sys.executable, "-m", "lite.convert.ptq", "--list-layers", str(model_file), str(params_file)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=PTQ_TIMEOUT_S)
    if done.returncode != 0:
        raise ConversionError(f"could not read the layers of {model_file}: {last_line(done.stderr, 'no output')}")
    return dict(json.loads(last_line(done.stdout)))


def quantizable_layers(model_file, params_file):
    return list(layer_types(model_file, params_file))


def expand_skip(skip_layers, types):
    """--skip-quant-layers' names with `depthwise` replaced by every depthwise conv's weight (pure)."""
    names = []
    for name in skip_layers:
        names += [n for n, kind in types.items() if kind == "depthwise_conv2d"] if name == DEPTHWISE else [name]
    return tuple(dict.fromkeys(names))


def _layers_here(model_file, params_file, with_types=False):
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
                names += [(n, op.type) for n in op.input(slot) if n not in dict(names)]
        return names if with_types else [n for n, _ in names]
    finally:
        paddle.disable_static()


def _child(argv=None):
    """The child: load the export, calibrate on the saved inputs, save the quantized model."""
    parser = argparse.ArgumentParser()
    for name in ("--model-file", "--params-file", "--inputs", "--out", "--settings"):
        parser.add_argument(name, required=True)
    parser.add_argument("--check-inputs")
    parser.add_argument("--fp32-logits")
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
    known = dict(_layers_here(args.model_file, args.params_file, with_types=True))
    paddle.enable_static()
    settings["skip_layers"] = expand_skip(settings["skip_layers"], known)  # "depthwise" from any caller
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
        round_type=settings.get("round_type", "round"), bias_correction=settings.get("bias_correction", False),
        skip_tensor_list=list(settings["skip_layers"]) or None)
    ptq.quantize()
    ptq.save_quantized_model(args.out, model_filename="inference.pdmodel", params_filename="inference.pdiparams")
    (Path(args.out) / KEPT_FILE).write_text(json.dumps({"kept_fp32": list(settings["skip_layers"]),
                                                         "layer_types": list(known.items())}))
    if args.check_inputs:
        check = np.load(args.check_inputs, allow_pickle=False)
        fp32 = (np.load(args.fp32_logits, allow_pickle=False) if args.fp32_logits  # the same for every try
                else _infer(executor, model_file.with_suffix(""), check))
        np.savez(Path(args.out) / "check_logits.npz", fp32=fp32, int8=_infer(executor, Path(args.out) / "inference",
                                                                             check))
    return 0


def _infer(executor, prefix, inputs, batch=32):
    """Logits of the inference program at PREFIX on `inputs`, in its own scope (the child's static mode)."""
    import paddle
    scope = paddle.static.Scope()
    with paddle.static.scope_guard(scope):
        program, feeds, fetches = paddle.static.load_inference_model(str(prefix), executor)
        parts = [executor.run(program, feed={feeds[0]: inputs[start:start + batch]}, fetch_list=fetches)[0]
                 for start in range(0, len(inputs), batch)]
    return np.concatenate(parts).astype("float32")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--list-layers"]:
        print(json.dumps(_layers_here(*sys.argv[2:4], with_types=True)))
        sys.exit(0)
    sys.exit(_child())
