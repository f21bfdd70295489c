"""MobileNetV1 in Paddle with PaddleClas's layer structure and parameter names.

A PaddleClas `<Name>_pretrained.pdparams` file loads into it key for key. The head differs in
one op only: `reshape(x, [0, -1])` instead of `Flatten`, because Paddle 2.6 exports
`flatten_contiguous_range` without `XShape`, which crashes Paddle Lite 2.13rc0's x86 optimizer.
"""
import paddle
from paddle import nn

from lite.models import architecture


class ConvBNLayer(nn.Layer):
    def __init__(self, spec):
        super().__init__()
        self.conv = nn.Conv2D(spec.in_channels, spec.out_channels, spec.kernel, stride=spec.stride,
                              padding=spec.padding, groups=spec.groups, bias_attr=False)
        self.bn = nn.BatchNorm(spec.out_channels)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class DepthwiseSeparable(nn.Layer):
    def __init__(self, depthwise, pointwise):
        super().__init__()
        self.depthwise_conv = ConvBNLayer(depthwise)
        self.pointwise_conv = ConvBNLayer(pointwise)

    def forward(self, x):
        return self.pointwise_conv(self.depthwise_conv(x))


class MobileNet(nn.Layer):
    def __init__(self, scale, class_num=1000):
        super().__init__()
        self.conv = ConvBNLayer(architecture.stem(scale))
        self.blocks = nn.Sequential(*[DepthwiseSeparable(dw, pw)
                                      for dw, pw in architecture.scaled_blocks(scale)])
        self.avg_pool = nn.AdaptiveAvgPool2D(1)
        self.fc = nn.Linear(architecture.head_features(scale), class_num)

    def forward(self, x):
        x = self.avg_pool(self.blocks(self.conv(x)))
        return self.fc(paddle.reshape(x, [0, -1]))


def build_network(spec):
    return MobileNet(spec.scale, spec.class_num)
