"""MobileNetV1's layer list as plain data (no Paddle), shared by the network and the counters."""
from dataclasses import dataclass

# (in_channels, depthwise_channels, pointwise_channels, groups, stride) before scaling, as PaddleClas.
BLOCKS_CFG = (
    (32, 32, 64, 32, 1),
    (64, 64, 128, 64, 2),
    (128, 128, 128, 128, 1),
    (128, 128, 256, 128, 2),
    (256, 256, 256, 256, 1),
    (256, 256, 512, 256, 2),
    (512, 512, 512, 512, 1),
    (512, 512, 512, 512, 1),
    (512, 512, 512, 512, 1),
    (512, 512, 512, 512, 1),
    (512, 512, 512, 512, 1),
    (512, 512, 1024, 512, 2),
    (1024, 1024, 1024, 1024, 1),
)
STEM_CHANNELS = 32
HEAD_CHANNELS = 1024


@dataclass(frozen=True)
class ConvSpec:
    in_channels: int
    out_channels: int
    kernel: int
    stride: int
    padding: int
    groups: int


def scaled_blocks(scale):
    """Per block: (depthwise ConvSpec, pointwise ConvSpec), with PaddleClas's int() truncation."""
    blocks = []
    for cin, dw, pw, groups, stride in BLOCKS_CFG:
        depthwise = ConvSpec(int(cin * scale), int(dw * scale), 3, stride, 1, int(groups * scale))
        pointwise = ConvSpec(int(dw * scale), int(pw * scale), 1, 1, 0, 1)
        blocks.append((depthwise, pointwise))
    return blocks


def stem(scale):
    return ConvSpec(3, int(STEM_CHANNELS * scale), 3, 2, 1, 1)


def head_features(scale):
    return int(HEAD_CHANNELS * scale)


def conv_layers(scale):
    """Every conv in forward order."""
    layers = [stem(scale)]
    for depthwise, pointwise in scaled_blocks(scale):
        layers += [depthwise, pointwise]
    return layers
