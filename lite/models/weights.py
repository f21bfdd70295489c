"""Weights for a network: a PaddleClas `.pdparams` file, or deterministic synthetic ones.

Synthetic weights are Kaiming-normal from a fixed seed per model, and the BatchNorm statistics
are then calibrated on synthetic images. Without calibration the default statistics (mean 0,
variance 1) let activations shrink layer after layer until the logits are ~1e-16, and any
numeric comparison on them proves nothing.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lite.errors import WeightsError
from lite.models.pdparams import read_pdparams
from lite.util.files import sha256_file

CALIBRATION_IMAGES = 8


@dataclass(frozen=True)
class WeightsSource:
    """Where a model's weights come from: a file (with its sha256) or a synthetic seed."""
    path: Path = None
    seed: int = None

    @property
    def origin(self):
        return f"synthetic:{self.seed}" if self.path is None else f"sha256:{sha256_file(self.path)}"


def weights_source(spec, weights_dir=None):
    if weights_dir is None:
        return WeightsSource(seed=spec.synthetic_seed)
    path = Path(weights_dir) / spec.pretrained_file
    if not path.is_file():
        raise WeightsError(f"weights file {path} for {spec.name} is missing; download it from "
                           f"{spec.pretrained_url} or leave out --weights for synthetic weights")
    return WeightsSource(path=path)


def synthetic_images(seed, count, shape, preprocess):
    """Smooth random images in [0, 1], normalised the way PaddleClas normalises real ones."""
    rng = np.random.default_rng(seed)
    _, channels, height, width = shape
    coarse = rng.random((count, channels, height // 16, width // 16))
    images = np.repeat(np.repeat(coarse, 16, axis=2), 16, axis=3)
    images = 0.7 * images + 0.3 * rng.random((count, channels, height, width))
    mean = np.array(preprocess.mean).reshape(1, 3, 1, 1)
    std = np.array(preprocess.std).reshape(1, 3, 1, 1)
    return ((images - mean) / std).astype("float32")


def check_state_dict(expected_shapes, loaded, path):
    """Raise naming the first missing, unexpected or mis-shaped key of `loaded`."""
    for key, shape in expected_shapes.items():
        if key not in loaded:
            raise WeightsError(f"weights file {path} lacks parameter '{key}'")
        got = tuple(np.shape(loaded[key]))
        if got != tuple(shape):
            raise WeightsError(f"weights file {path}: parameter '{key}' has shape {list(got)}, "
                               f"the network needs {list(shape)}")
    for key in loaded:
        if key not in expected_shapes:
            raise WeightsError(f"weights file {path} has unexpected parameter '{key}'")


def load_pretrained(network, path):
    loaded = read_pdparams(path)
    expected = {key: tuple(value.shape) for key, value in network.state_dict().items()}
    check_state_dict(expected, loaded, path)
    network.set_state_dict({key: np.asarray(value, dtype="float32") for key, value in loaded.items()})


def init_synthetic(network, spec):
    """Kaiming-normal conv and fc weights from the model's seed, then calibrated BatchNorm."""
    rng = np.random.default_rng(spec.synthetic_seed)
    values = {}
    for key, tensor in network.state_dict().items():
        shape = tuple(tensor.shape)
        if key.endswith("conv.weight"):
            fan_in = int(np.prod(shape[1:]))
            values[key] = rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
        elif key == "fc.weight":
            values[key] = rng.normal(0.0, np.sqrt(2.0 / shape[0]), shape)
        elif key.endswith("bn.weight") or key.endswith("_variance"):
            values[key] = np.ones(shape)
        else:  # BatchNorm shift and mean, fc bias
            values[key] = np.zeros(shape)
    network.set_state_dict({k: v.astype("float32") for k, v in values.items()})
    calibrate_batchnorm(network, synthetic_images(spec.synthetic_seed, CALIBRATION_IMAGES,
                                                  spec.input_shape, spec.preprocess))


def calibrate_batchnorm(network, images):
    """One training-mode pass with momentum 0 sets every running statistic to the batch's."""
    import paddle
    batchnorms = [layer for layer in network.sublayers() if isinstance(layer, paddle.nn.BatchNorm)]
    saved = [layer._momentum for layer in batchnorms]
    for layer in batchnorms:
        layer._momentum = 0.0
    network.train()
    with paddle.no_grad():
        network(paddle.to_tensor(images))
    for layer, momentum in zip(batchnorms, saved):
        layer._momentum = momentum
    network.eval()


def build_weighted_network(spec, source):
    from lite.models.network import build_network
    network = build_network(spec)
    if source.path is None:
        init_synthetic(network, spec)
    else:
        load_pretrained(network, source.path)
    network.eval()
    return network
