"""Stage 2: Paddle inference files -> Paddle Lite `.nb` for one target and variant.

`paddle_lite_opt`'s exit status is never trusted: the `.nb` must exist, carry a `.nb` header and,
on x86, load and reproduce Paddle's logits in the real runtime (in a child process). opt writes into
a staging folder; only a checked file is renamed into place.
"""
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from lite.convert.nb_format import check_nb_file, normalize_nb_header
from lite.convert.opt import opt_command, run_opt, tool_versions
from lite.convert.ptq import Calibration, calibration_set, quantize
from lite.convert.quant_check import check_figures, keep_layers
from lite.errors import ConversionError, ModelFileError, ToolkitError
from lite.models.counts import layer_macs
from lite.models.registry import get_variant
from lite.models.store import manifest_of
from lite.util.files import (
    atomic_write_json,
    disk_full_error,
    folder_nearly_full,
    read_json,
    sha256_file,
    sha256_text,
    staging_dir,
)
from lite.util.text import last_line

CHECK_TIMEOUT_S = 300
HOST_CHECK_MODULE = "lite.runtime.host_check"  # run as a child: Paddle Lite must not share our process


@dataclass(frozen=True)
class ConvertedModel:
    name: str
    target: str
    variant: str
    nb_path: Path
    manifest: dict


def calibration_fingerprint(calibration):
    """What decides a post-training quantization's result, short of the images' bytes: the settings and
    which files the calibration set names (pure but for listing the folder)."""
    if calibration.data is None:
        return {"settings": calibration.fingerprint(), "data": "synthetic"}
    from lite.models.image_sets import read_image_set
    dataset = read_image_set(calibration.data, calibration.list_file)
    return {"settings": calibration.fingerprint(), "data": str(dataset.root.resolve()),
            "files": sha256_text(json.dumps(dataset.items[:4 * (calibration.samples + calibration.check_samples)]))}


def convert_key(exported, target, variant, calibration=None):
    spec = get_variant(variant)
    parts = {"export": exported.key, "target": target, "variant": variant, "flags": spec.opt_flags,
             "tools": tool_versions(), "convert": sha256_file(__file__)}
    if spec.post_training:
        parts.update(calibration=calibration_fingerprint(calibration or Calibration()),
                     ptq=sha256_file(Path(__file__).with_name("ptq.py")))
    return sha256_text(json.dumps(parts, sort_keys=True))


def up_to_date(exported, target, variant, store, calibration=None):
    nb_file = store.nb_file(target, exported.name, variant)
    manifest = read_json(manifest_of(nb_file))
    if (manifest and manifest.get("key") == convert_key(exported, target, variant, calibration)
            and nb_file.is_file() and manifest.get("nb_sha256") == sha256_file(nb_file)):
        return ConvertedModel(exported.name, target, variant, nb_file, manifest)
    return None


def host_check(nb_file, reference_npz, variant, model_name):
    """Run the x86 `.nb` in a child process and compare with Paddle; raise on any problem."""
    command = [sys.executable, "-m", HOST_CHECK_MODULE, str(nb_file), str(reference_npz), variant]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise ConversionError(f"{model_name}: the x86 runtime did not finish within "
                              f"{CHECK_TIMEOUT_S} s on the converted model") from exc
    if done.returncode != 0:
        reason = last_line(done.stderr, f"exit status {done.returncode}")
        raise ConversionError(f"{model_name}: the converted x86 model does not run in Paddle Lite: {reason}")
    result = json.loads(last_line(done.stdout))
    if result["problem"]:
        raise ConversionError(f"{model_name} ({variant}, x86): Paddle Lite's logits do not match "
                              f"Paddle's: {result['problem']}")
    return result


def post_train(exported, calibration, staging, say, ranking=None):
    """Quantize the export (int8_full) into STAGING/ptq; (model file, params file, manifest facts).

    With real calibration data, the images after the calibration ones (--calib-check-samples) check the
    result in Paddle's fake-quant simulation (lite.convert.quant_check). `auto_skip` keeps layers in FP32,
    most sensitive first (`ranking`, or one computed here on the held-back images), until that check passes."""
    import time

    import numpy as np

    from lite.models.registry import get_model
    spec = get_model(exported.name)
    started = time.monotonic()
    calibration_images = calibration_set(calibration, spec.input_shape, spec.preprocess, say=say)
    np.save(staging / "calibration.npy", calibration_images.inputs)
    held_back = calibration_images.held_back
    check_file = None
    if held_back is not None:
        check_file = staging / "check.npy"
        np.save(check_file, held_back.inputs)
    elif calibration.auto_skip:
        raise ToolkitError("--skip-quant-layers auto needs images to check on: --calib-data with more images than "
                           f"--calib-samples {calibration.samples}")
    tries = {}

    def attempt(kept):
        """Quantize with `kept` in FP32 (into its own folder, once per set); its CheckFigures, or None."""
        if tuple(kept) in tries:  # the ranking's baseline is the search's first try
            return tries[tuple(kept)][1]
        fp32_file = staging / "check_fp32.npy"
        done = quantize(exported.model_file, exported.params_file, replace(calibration, skip_layers=tuple(kept)),
                        staging / "calibration.npy", staging / f"ptq-{len(tries)}", check_file,
                        fp32_file if fp32_file.is_file() else None)
        figures = None
        if done.check_logits is not None:
            with np.load(done.check_logits, allow_pickle=False) as logits:
                if not fp32_file.is_file():
                    np.save(fp32_file, logits["fp32"])  # the FP32 program's logits, once for every try
                figures = check_figures(logits["fp32"], logits["int8"], held_back.labels)
        tries[tuple(kept)] = tries[done.kept_fp32] = (done, figures)  # asked as "depthwise", known by its names
        return figures

    attempt(calibration.skip_layers)  # every layer in int8 but those asked for: the result, or auto's baseline
    done, figures = tries[tuple(calibration.skip_layers)]
    decision = None
    if calibration.auto_skip:
        layers, fixed = list(done.layer_types), done.kept_fp32
        macs = layer_macs(spec.scale, spec.input_shape[-1], spec.class_num)
        if len(macs) != len(layers):
            raise ConversionError(f"{exported.name}: {len(layers)} quantizable layers, but the architecture counts "
                                  f"{len(macs)} convs and fc")
        flops = dict(zip(layers, macs))
        ranking = [name for name in ranking or () if name in flops]  # a report is a file: trust no name in it
        if not ranking:
            ranking = host_ranking(layers, fixed, attempt, say)
        say(f"auto: keeping layers in FP32 until the held-back loss is <= {calibration.max_top1_loss:g} points")
        decision = keep_layers(ranking, flops, attempt, calibration.max_top1_loss, calibration.max_fp32_flops_share,
                               fixed=fixed)
        say(f"auto: kept {', '.join(decision.kept) or 'no layer'} in FP32 ({decision.reason})")
        done, figures = tries[decision.kept]
    facts = {"origin": calibration_images.origin, **calibration.settings(),
             "skip_layers": list(done.kept_fp32),
             "ptq_seconds": round(time.monotonic() - started, 2),
             "image_sha256": list(calibration_images.image_sha256),
             "check": None if figures is None else {**figures.as_dict(), "simulated": "Paddle fake-quant, this host",
                                                    "image_sha256": list(held_back.image_sha256)},
             "auto": decision.as_dict() if decision else None}
    return done.model_file, done.params_file, facts


def host_ranking(layers, fixed, attempt, say):
    """Layers by how much keeping each alone in FP32 (besides `fixed`) raises the held-back cosine (most
    first): one quantization per layer, in the fake-quant simulation."""
    base = attempt(fixed)
    gains = {}
    for index, name in enumerate(layers, 1):
        if name in fixed:
            continue
        gains[name] = attempt(fixed + (name,)).cosine - base.cosine
        say(f"auto: sensitivity [{index}/{len(layers)}] {name}: cosine {gains[name]:+.4f}")
    return sorted(gains, key=lambda name: -gains[name])


def convert(exported, target, variant, store, calibration=None, say=print, ranking=None):
    """Convert, check and move into place; return the ConvertedModel with its manifest. A post-training
    variant (int8_full) is quantized first, with `calibration` (default: synthetic images)."""
    final = store.nb_file(target, exported.name, variant)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(final.parent, final.stem)
    calibration = calibration or Calibration()
    try:
        staged = staging / final.name
        model_file, params_file, calibrated = exported.model_file, exported.params_file, None
        if get_variant(variant).post_training:
            model_file, params_file, calibrated = post_train(exported, calibration, staging, say, ranking)
        done = run_opt(opt_command(model_file, params_file, target, variant, staged.with_suffix("")), exported.name)
        written = staged.is_file() and staged.stat().st_size > 0
        try:
            opt_version = check_nb_file(staged, exported.name) if written else None
        except ModelFileError as exc:
            if folder_nearly_full(final.parent):  # opt reports no write error: it leaves a short file
                raise disk_full_error(final.parent, final) from None
            # name the destination, not the staging file that is removed next
            raise ConversionError(str(exc).replace(str(staged), str(final))) from exc
        if not written:
            if folder_nearly_full(final.parent):
                raise disk_full_error(final.parent, final)
            raise ConversionError(f"paddle_lite_opt wrote no .nb for {exported.name} ({target}, {variant}); "
                                  f"exit status {done.returncode}, last line: "
                                  f"{last_line(done.stdout + done.stderr, 'no output')}")
        normalize_nb_header(staged)  # reproducible bytes, so the same inputs give the same sha256
        check = None
        if target == "x86":
            check = host_check(staged, exported.reference_io_file, variant, exported.name)
        manifest = {
            "key": convert_key(exported, target, variant, calibration), "model": exported.name, "target": target,
            "variant": variant, "nb_file": final.name, "nb_sha256": sha256_file(staged),
            "storage_bytes": staged.stat().st_size, "opt_version": opt_version,
            "weights_origin": exported.weights_origin, "tool_versions": tool_versions(),
            "host_check": check,
        }
        if calibrated:
            manifest["calibration"] = calibrated
        os.replace(staged, final)
        atomic_write_json(manifest_of(final), manifest)
        return ConvertedModel(exported.name, target, variant, final, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
