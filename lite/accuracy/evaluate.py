"""Evaluate models and variants on a labelled set: each job's answers, then its row (Top-1 / Top-5 with
95% intervals, agreement of top-1 with the same model's FP32, cosine of logits where both have them).

Images are read and preprocessed by worker threads while the runtime infers (lite.accuracy.inputs); the
first job finds the files that are no images, and every later job runs on the same readable ones.
"""
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from lite.accuracy.inputs import load_ahead
from lite.accuracy.metrics import summarize
from lite.convert.logits import mean_cosine, top_indices
from lite.errors import CellFailed, ToolkitError


@dataclass(frozen=True)
class Job:
    model: str
    variant: str
    runtime: object  # lite.accuracy.runtimes.*Runtime
    nb_path: object
    weights_origin: str
    nb_sha256: str
    library: str = "fp32"  # which Paddle Lite build runs the variant (fp16 needs the FP16 one)
    calibration: str = ""  # int8_full: what it was calibrated on


@dataclass
class Evaluation:
    rows: list = field(default_factory=list)
    unreadable: dict = field(default_factory=dict)  # {relative path: why}
    failed: int = 0
    predictions: dict = field(default_factory=dict)  # {(model, variant): (indices, top-5)} for the report


def evaluate(dataset, jobs, cache, say=print, workers=2, clock=time.monotonic, progress_every_s=10.0, on_progress=None):
    """Run every job (FP32 of a model before its other variants) over `dataset`; an Evaluation.
    `on_progress(done, total, what)` after each image a job reads (a terminal's bar)."""
    result, good, references = Evaluation(), None, {}
    jobs = sorted(jobs, key=lambda j: j.variant != "fp32")  # every FP32 reference first, order kept otherwise
    for number, job in enumerate(jobs, 1):
        indices = list(range(len(dataset.items))) if good is None else good
        seen = []

        def inputs():
            stream = load_ahead(indices, lambda i: cache.tensor(dataset.items[i][0]), workers=workers)
            last = clock()
            for position, (index, tensor, error) in enumerate(stream, 1):
                if on_progress:
                    on_progress(position, len(indices), f"{job.model} {job.variant}")
                if clock() - last >= progress_every_s:
                    last = clock()
                    say(f"    {job.model} {job.variant}: {eta_text(position, len(indices), clock() - started)}")
                if error:
                    result.unreadable[dataset.items[index][0]] = error
                    continue
                seen.append(index)
                yield index, tensor

        say(f"[{number}/{len(jobs)}] {job.model} {job.variant} on {job.runtime.about}: {len(indices)} images ...")
        started = clock()
        try:
            answers = job.runtime.run(job.nb_path, inputs(), say, variant_library=job.library)
        except (CellFailed, ToolkitError) as exc:
            say(f"[{number}/{len(jobs)}] {job.model} {job.variant}: FAILED: {exc}")
            result.rows.append(failed_row(job, str(exc)))
            result.failed += 1
            continue
        seconds = clock() - started
        if good is None:
            good = list(seen)
        if len(answers) != len(seen):
            raise ToolkitError(f"{job.runtime.name} gave {len(answers)} answers for {len(seen)} inputs")
        labels = np.array([dataset.items[i][1] for i in seen], dtype=np.int64)
        logits = answers if job.runtime.gives_logits else None
        topk = top_indices(answers, 5) if logits is not None else np.asarray(answers)[:, :5]
        reference = references.get(job.model)
        if job.variant == "fp32" and job.model not in references:  # the first FP32 (Paddle Lite's) is the reference
            references[job.model] = (dict(zip(seen, topk[:, 0])), dict(zip(seen,
                                                                           logits)) if logits is not None else None)
            row = summarize(topk, labels)
        else:
            ref_top1 = np.array([reference[0][i] for i in seen]) if reference else None
            cosine = (mean_cosine(np.stack([reference[1][i] for i in seen]), logits)
                      if reference and reference[1] is not None and logits is not None else None)
            row = summarize(topk, labels, ref_top1, cosine)
        result.predictions[(job.model, job.variant)] = (list(seen), topk)
        row.update(job_fields(job), seconds=round(seconds, 2),
                   images_per_s=round(len(seen) / seconds, 2) if seconds > 0 else None)
        result.rows.append(row)
        say(f"[{number}/{len(jobs)}] {job.model} {job.variant}: top-1 {100 * row['top1']:.2f}%, top-5 "
            f"{100 * row['top5']:.2f}% on {row['images']} images"
            + (f"; top-1 agrees with FP32 on {100 * row['top1_agreement_with_fp32']:.1f}%"
               if row.get("top1_agreement_with_fp32") is not None else "")
            + (f", cosine {row['cosine_with_fp32']:.5f}" if row.get("cosine_with_fp32") is not None else "")
            + f" ({seconds:.1f} s, {row['images_per_s']} images/s)")
    return result


def eta_text(done, total, elapsed_s):
    """'120/1000 images, 35 s, about 256 s left' (pure)."""
    left = elapsed_s / done * (total - done) if done else 0.0
    return f"{done}/{total} images, {elapsed_s:.0f} s, about {left:.0f} s left"


def job_fields(job):
    return {"model": job.model, "variant": job.variant, "runtime": job.runtime.name, "runtime_about": job.runtime.about,
            "weights_origin": job.weights_origin, "nb_sha256": job.nb_sha256, "calibration": job.calibration,
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def failed_row(job, error):
    return {**job_fields(job), "images": 0, "error": error}
