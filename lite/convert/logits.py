"""Pure comparisons of a runtime's logits with Paddle's own (no I/O)."""
import numpy as np

FP32_RELATIVE_TOLERANCE = 1e-4  # of the largest |logit|
QUANTIZED_MIN_COSINE = 0.99
MIN_LOGITS_STD = 0.1  # below this the outputs are degenerate and a comparison proves nothing
MAX_LOGITS_STD = 100.0


def compare_logits(reference, got):
    reference = np.asarray(reference, dtype="float64").ravel()
    got = np.asarray(got, dtype="float64").ravel()
    if reference.shape != got.shape:
        return {"shape_match": False, "finite": bool(np.isfinite(got).all())}
    norms = np.linalg.norm(reference) * np.linalg.norm(got)
    return {
        "shape_match": True,
        "finite": bool(np.isfinite(got).all()),
        "max_abs_diff": float(np.max(np.abs(reference - got))),
        "max_abs_logit": float(np.max(np.abs(reference))),
        "reference_std": float(reference.std()),
        "cosine": float(reference @ got / norms) if norms > 0 else 0.0,
    }


def verdict(comparison, variant):
    """None when the logits pass for this variant, else the reason they do not."""
    if not comparison["shape_match"]:
        return "output shape differs from Paddle's"
    if not comparison["finite"]:
        return "output holds NaN or infinity"
    if not MIN_LOGITS_STD <= comparison["reference_std"] <= MAX_LOGITS_STD:
        return f"reference logits are degenerate (std {comparison['reference_std']:.3g})"
    if variant in ("int8", "int16"):
        if comparison["cosine"] < QUANTIZED_MIN_COSINE:
            return f"cosine similarity {comparison['cosine']:.4f} with FP32 is below {QUANTIZED_MIN_COSINE}"
        return None
    limit = FP32_RELATIVE_TOLERANCE * comparison["max_abs_logit"]
    if comparison["max_abs_diff"] > limit:
        return f"max |difference| {comparison['max_abs_diff']:.3g} exceeds {limit:.3g}"
    return None
