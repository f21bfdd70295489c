"""What a post-training quantization costs, and which layers `--skip-quant-layers auto` keeps (pure).

The check compares the quantized program's logits with the FP32 program's on held-back images (the ones
after the calibration images in the same set, never calibrated on), in Paddle's fake-quant simulation on
this host: Top-1 of each against the set's labels, the loss in points, top-1 agreement and mean cosine.
`benchmarks/bench_calibration.py` measured how closely that simulation predicts Paddle Lite's ARM int8
kernels (docs/converting.md).

`keep_layers` is the greedy search behind `auto`: from a sensitivity ranking (most sensitive first), keep
one more layer in FP32 at a time until the loss is at most the limit, or until the next layer would take
the share of the model's FLOPs outside int8 past its cap. Every try is recorded, so the manifest says
which layers it kept and why.
"""
from dataclasses import asdict, dataclass

import numpy as np

from lite.convert.logits import mean_cosine


@dataclass(frozen=True)
class CheckFigures:
    images: int
    fp32_top1: float  # share, 0..1
    int8_top1: float
    agreement: float  # share of images whose int8 top-1 is FP32's
    cosine: float

    @property
    def top1_loss_points(self):
        return 100.0 * (self.fp32_top1 - self.int8_top1)

    def as_dict(self):
        return {**asdict(self), "top1_loss_points": round(self.top1_loss_points, 2)}



def check_line(check):
    """One line from a manifest's check record (CheckFigures.as_dict())."""
    return (f"Top-1 {100 * check['int8_top1']:.1f}% against FP32 {100 * check['fp32_top1']:.1f}% "
            f"({-check['top1_loss_points']:+.1f} points), agreement {100 * check['agreement']:.1f}% "
            f"on {check['images']} held-back images")


def check_figures(fp32_logits, int8_logits, labels):
    fp32_logits, int8_logits = np.asarray(fp32_logits), np.asarray(int8_logits)
    labels = np.asarray(labels)
    fp32_top1, int8_top1 = fp32_logits.argmax(axis=1), int8_logits.argmax(axis=1)
    return CheckFigures(images=int(len(labels)), fp32_top1=float((fp32_top1 == labels).mean()),
                        int8_top1=float((int8_top1 == labels).mean()),
                        agreement=float((fp32_top1 == int8_top1).mean()),
                        cosine=mean_cosine(fp32_logits, int8_logits))


@dataclass(frozen=True)
class Try:
    kept: tuple  # layers in FP32 for this try
    figures: CheckFigures
    fp32_flops_share: float


@dataclass(frozen=True)
class KeepDecision:
    kept: tuple
    reason: str  # why the search stopped
    tries: tuple  # every Try, in order

    def as_dict(self):
        return {"kept": list(self.kept), "reason": self.reason,
                "tries": [{"kept": list(t.kept), "fp32_flops_share": round(t.fp32_flops_share, 4),
                           **t.figures.as_dict()} for t in self.tries]}


def flops_share(kept, layer_flops):
    total = sum(layer_flops.values())
    return sum(layer_flops.get(name, 0) for name in kept) / total if total else 0.0


def keep_layers(ranking, layer_flops, check, max_top1_loss, max_fp32_flops_share, fixed=()):
    """Greedy: `check(kept) -> CheckFigures` for the FP32 set `fixed` + the first k ranked layers, k = 0, 1, ...
    Stops when the loss is at most `max_top1_loss` points, when the ranking is used up, or before a layer
    that would take the FP32 share of FLOPs past `max_fp32_flops_share`."""
    kept, tries = tuple(fixed), []
    figures = check(kept)
    tries.append(Try(kept, figures, flops_share(kept, layer_flops)))
    for name in ranking:
        if figures.top1_loss_points <= max_top1_loss:
            return KeepDecision(kept, f"loss {figures.top1_loss_points:.1f} points <= {max_top1_loss:g}", tuple(tries))
        if name in kept:
            continue
        share = flops_share(kept + (name,), layer_flops)
        if share > max_fp32_flops_share:
            return KeepDecision(kept, f"keeping {name} too would leave {100 * share:.1f}% of the FLOPs outside "
                                      f"int8 (cap {100 * max_fp32_flops_share:g}%); loss still "
                                      f"{figures.top1_loss_points:.1f} points", tuple(tries))
        kept = kept + (name,)
        figures = check(kept)
        tries.append(Try(kept, figures, share))
    if figures.top1_loss_points <= max_top1_loss:
        return KeepDecision(kept, f"loss {figures.top1_loss_points:.1f} points <= {max_top1_loss:g}", tuple(tries))
    return KeepDecision(kept, f"the ranking is used up; loss still {figures.top1_loss_points:.1f} points",
                        tuple(tries))
