"""Parameter and multiply-accumulate counts from the architecture alone (pure).

Counting convention, written down because published FLOPs columns differ on it:
- params: learnable parameters, i.e. conv weights, BatchNorm scale and shift, fc weight and bias;
  BatchNorm running mean and variance are statistics, not parameters, and are not counted.
- MACs: one multiply-accumulate per weight per output element, for convs and the fc layer;
  BatchNorm (folded into the conv by Paddle Lite), ReLU and pooling are not counted.
- FLOPs = 2 x MACs (a multiply and an add).
"""
from dataclasses import dataclass

from lite.models import architecture


@dataclass(frozen=True)
class ModelCounts:
    params: int
    macs: int

    @property
    def params_m(self):
        return self.params / 1e6

    @property
    def macs_g(self):
        return self.macs / 1e9

    @property
    def flops_g(self):
        return 2 * self.macs / 1e9


def conv_output_size(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


def layer_macs(scale, input_hw=224, class_num=1000):
    """MACs of every conv and of the fc, in forward order (the order of the quantizable weights)."""
    macs, size = [], input_hw
    for conv in architecture.conv_layers(scale):
        size = conv_output_size(size, conv.kernel, conv.stride, conv.padding)
        macs.append(conv.out_channels * (conv.in_channels // conv.groups) * conv.kernel * conv.kernel * size * size)
    return macs + [architecture.head_features(scale) * class_num]


def count_model(scale, input_hw=224, class_num=1000):
    params = 0
    for conv in architecture.conv_layers(scale):
        weights = conv.out_channels * (conv.in_channels // conv.groups) * conv.kernel * conv.kernel
        params += weights + 2 * conv.out_channels  # + BatchNorm scale and shift
    params += architecture.head_features(scale) * class_num + class_num
    return ModelCounts(params=params, macs=sum(layer_macs(scale, input_hw, class_num)))
