"""Top-1 / Top-5 with 95% intervals, agreement with FP32, cosine of logits (pure)."""
import math

import numpy as np

Z95 = 1.959963984540054


def wilson_interval(hits, total, z=Z95):
    """The 95% Wilson score interval of a proportion (low, high); (0, 1) with no trials."""
    if total == 0:
        return 0.0, 1.0
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def topk_hits(topk, labels):
    """(top-1 hits, top-5 hits) of predictions `topk` (N x >=5 class indices, best first) against `labels`."""
    topk, labels = np.asarray(topk), np.asarray(labels)
    if topk.size == 0:
        return 0, 0
    return int((topk[:, 0] == labels).sum()), int((topk[:, :5] == labels[:, None]).any(axis=1).sum())


def summarize(topk, labels, reference_top1=None, cosine=None):
    """The accuracy row's numbers: images, Top-1/Top-5 with intervals, agreement with FP32's top-1."""
    total = len(labels)
    top1, top5 = topk_hits(topk, labels)
    row = {"images": total, "top1": top1 / total if total else None, "top5": top5 / total if total else None,
           "top1_ci95": wilson_interval(top1, total), "top5_ci95": wilson_interval(top5, total),
           "cosine_with_fp32": cosine}
    if reference_top1 is not None:
        row["top1_agreement_with_fp32"] = float((np.asarray(topk)[:, 0] == np.asarray(reference_top1)).mean()) \
            if total else None
    return row
