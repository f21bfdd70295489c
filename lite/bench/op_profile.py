"""Where the time goes: Paddle Lite's operator profiler tables, parsed, with FLOPs counted by us (pure).

A library built with `LITE_WITH_PROFILE=ON` logs, when its predictor is destroyed, a "Detailed Dispatch
Profiler Summary": a row per layer with the operator type, the kernel's place and function, a remark
(`3x3p1s2g16d1BiasRelu`: kernel, padding, stride, groups, dilation, fused ops), InDim, FilterDim, OutDim and
avg/min/max ms. Its own accounting is unreliable at v2.13-rc (OutDim and MFLOPs are the previous layer's,
the first conv says NotImpl), so each layer's FLOPs are computed here from InDim, FilterDim and the remark,
and Paddle Lite's MFLOPs column is kept only "as reported".
"""
import re
from dataclasses import asdict, dataclass

PROFILER_MARK = b"KernelFuncName"  # a column title that only a library built with the profiler holds
TABLE_TITLE = "===== Detailed Dispatch Profiler Summary"
REMARK = re.compile(r"^(\d+)x(\d+)p(\d+)s(\d+)g(\d+)d(\d+)(.*)$")
MAX_LAYERS = 4096  # a log is device output: bounded


@dataclass(frozen=True)
class LayerProfile:
    index: int
    op_type: str
    place: str
    kernel: str
    remark: str
    in_dim: tuple
    filter_dim: tuple
    avg_ms: float
    min_ms: float
    max_ms: float
    reported_mflops: float  # Paddle Lite's own column: the previous layer's at v2.13-rc
    flops: int  # ours: 2 x multiply-accumulates of a conv or fc, else 0

    @property
    def kind(self):
        """standard conv, depthwise conv, pointwise conv, fc, pool or other."""
        if self.op_type == "depthwise_conv2d":
            return "depthwise conv"
        if self.op_type == "conv2d":
            match = REMARK.match(self.remark)
            return "pointwise conv" if match and match.group(1, 2) == ("1", "1") else "standard conv"
        if self.op_type in ("fc", "mul", "matmul", "matmul_v2"):
            return "fc"
        return "pool" if self.op_type == "pool2d" else "other"

    def as_dict(self):
        return {**asdict(self), "kind": self.kind}


def dims(text):
    """'1x16x112x112' -> (1, 16, 112, 112); anything else (N/A, NotImpl) -> ()."""
    parts = text.split("x")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) and len(parts) <= 8 else ()


def layer_flops(op_type, remark, in_dim, filter_dim):
    """2 x multiply-accumulates of a conv (from InDim, FilterDim and the remark's padding, stride, dilation) or
    an fc (InDim x FilterDim); 0 for every other operator."""
    if op_type in ("conv2d", "depthwise_conv2d") and len(in_dim) == 4 and len(filter_dim) == 4:
        match = REMARK.match(remark)
        if not match:
            return 0
        kh, kw, pad, stride, _groups, dilation = (int(v) for v in match.groups()[:6])
        n, _, h, w = in_dim
        out_channels, in_per_group, fh, fw = filter_dim
        out_h = (h + 2 * pad - dilation * (kh - 1) - 1) // stride + 1
        out_w = (w + 2 * pad - dilation * (kw - 1) - 1) // stride + 1
        return 2 * n * out_channels * out_h * out_w * in_per_group * fh * fw
    if op_type in ("fc", "mul", "matmul", "matmul_v2") and len(in_dim) >= 2 and len(filter_dim) == 2:
        rows = 1
        for size in in_dim[:-1]:
            rows *= size
        return 2 * rows * filter_dim[0] * filter_dim[1]
    return 0


def _number(text):
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return 0.0


def parse_profile(log):
    """The LayerProfiles of the "Detailed Dispatch" table in a profiled run's stderr; [] when there is none."""
    lines = log.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(TABLE_TITLE)), None)
    if start is None:
        return []
    layers = []
    for line in lines[start + 2:]:
        fields = line.split()
        if len(fields) < 14 or line.startswith("["):
            break
        op_type, place, kernel, remark, in_dim, filter_dim = fields[:6]
        avg_ms, min_ms, max_ms = (_number(v) for v in fields[7:10])
        in_dims, filter_dims = dims(in_dim), dims(filter_dim)
        layers.append(LayerProfile(len(layers), op_type, place, kernel, remark, in_dims, filter_dims, avg_ms, min_ms,
                                   max_ms, _number(fields[12]), layer_flops(op_type, remark, in_dims, filter_dims)))
        if len(layers) >= MAX_LAYERS:
            break
    return layers


def by_kernel(layers):
    """One row per operator type and kernel: count, total ms, share of the run, GFLOPs, achieved GFLOP/s."""
    total_ms = sum(layer.avg_ms for layer in layers) or 1.0
    rows = {}
    for layer in layers:
        row = rows.setdefault((layer.op_type, layer.kernel), {"op_type": layer.op_type, "kernel": layer.kernel,
                                                              "kind": layer.kind, "count": 0, "total_ms": 0.0,
                                                              "flops": 0})
        row["count"] += 1
        row["total_ms"] += layer.avg_ms
        row["flops"] += layer.flops
    for row in rows.values():
        row["share"] = row["total_ms"] / total_ms
        row["gflops"] = row["flops"] / 1e9
        row["gflop_per_s"] = row["flops"] / 1e9 / (row["total_ms"] / 1e3) if row["total_ms"] > 0 else None
    return sorted(rows.values(), key=lambda r: -r["total_ms"])


def summary_line(layers):
    """'pointwise conv 71% of time / 95% of FLOPs; depthwise conv 24% / 3%; ...' by kind, largest time first."""
    total_ms = sum(layer.avg_ms for layer in layers) or 1.0
    total_flops = sum(layer.flops for layer in layers) or 1
    kinds = {}
    for layer in layers:
        ms, flops = kinds.get(layer.kind, (0.0, 0))
        kinds[layer.kind] = (ms + layer.avg_ms, flops + layer.flops)
    ordered = sorted(kinds.items(), key=lambda item: -item[1][0])
    parts = [f"{kind} {100 * ms / total_ms:.0f}% of time / {100 * flops / total_flops:.0f}% of FLOPs"
             if index == 0 else f"{kind} {100 * ms / total_ms:.0f}% / {100 * flops / total_flops:.0f}%"
             for index, (kind, (ms, flops)) in enumerate(ordered)]
    return "; ".join(parts)


def has_profiler(library_bytes):
    """Whether a Paddle Lite library (or a program linking it statically) was built with the profiler."""
    return PROFILER_MARK in library_bytes


PROFILER_BUILD = ("build it from Paddle Lite's source with lite/tools/build_linux.sh --arch=armv8 --with_profile=ON "
                  "full_publish (a phone: lite/tools/build_android.sh --with_profile=ON ... full_publish), then "
                  "cxx_demo/build.sh --lite-dir builds mnv1_bench against it; docs/paddle-lite.md says why not a "
                  "tiny publish")
