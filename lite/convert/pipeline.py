"""Export then convert each requested model: the work behind `lite/opt_models.py`."""
import time
from dataclasses import dataclass

from lite.convert import conversion as convert_stage
from lite.convert import export as export_stage
from lite.convert import onnx_export as onnx_stage
from lite.convert.quant_check import check_line
from lite.models.registry import family, get_variant
from lite.models.store import suffix_of
from lite.models.weights import weights_source
from lite.util.files import ensure_writable_dir, read_json
from lite.util.units import MIB


@dataclass(frozen=True)
class Job:
    spec: object
    target: str
    variant: str


def plan_jobs(specs, targets, variants):
    """(jobs to run, notes on skipped combinations), pure."""
    jobs, notes = [], []
    for spec in specs:
        for target in targets:
            for variant in variants:
                reason = get_variant(variant).unsupported_reason(target)
                if reason:
                    notes.append(f"skipped {spec.name} {target} {variant}: {reason}")
                else:
                    jobs.append(Job(spec, target, variant))
    return jobs, notes


def _exported(spec, store, weights_dir, force, say, prefix):
    source = weights_source(spec, weights_dir)
    current = None if force else export_stage.up_to_date_export(spec, source.origin, store)
    if current is None:
        say(f"{prefix} exporting from Paddle ({source.origin[:23]})")
        current = export_stage.export_model(spec, source, store)
    return current


def convert_all(specs, targets, variants, store, weights_dir=None, force=False, say=print, calibration=None,
                ranking_of=None):
    """Export and convert every spec x target x variant; `calibration` (lite.convert.ptq.Calibration) is
    how the post-training variant (int8_full) is calibrated; `ranking_of(model name)` is a sensitivity
    ranking for --skip-quant-layers auto (None: computed on the held-back images)."""
    ensure_writable_dir(store.root)
    jobs, notes = plan_jobs(specs, targets, variants)
    for note in notes:
        say(note)
    exported = {}
    results = []
    for index, job in enumerate(jobs, 1):
        spec = job.spec
        prefix = f"[{index}/{len(jobs)}] {spec.name} {job.target} {job.variant}:"
        started = time.monotonic()
        if spec.name not in exported:
            exported[spec.name] = _exported(spec, store, weights_dir, force, say, prefix)
        if job.target == "onnx":
            results.append(_onnx(exported[spec.name], store, force, say, prefix, started))
            continue
        current = None if force else convert_stage.up_to_date(exported[spec.name], job.target, job.variant, store,
                                                              calibration)
        if current is not None:
            say(f"{prefix} up to date ({current.nb_path})")
        else:
            ranking = ranking_of(spec.name) if ranking_of and calibration and calibration.auto_skip else None
            current = convert_stage.convert(exported[spec.name], job.target, job.variant, store, calibration, say,
                                            ranking)
            check = current.manifest["host_check"]
            checked = (f", logits match Paddle (max diff {check['max_abs_diff']:.2g}, cosine {check['cosine']:.6f})"
                       if check else ", header checked (ARM kernels cannot run on this host)")
            calibrated = current.manifest.get("calibration")
            if calibrated:
                checked += (f"; calibrated on {calibrated['origin']} ({calibrated['algo']}, "
                            f"{calibrated['weight_quant']} weights, PTQ {calibrated['ptq_seconds']:.1f} s)")
                if calibrated.get("check"):
                    checked += f"; held-back check (simulated): {check_line(calibrated['check'])}"
            say(f"{prefix} wrote {current.nb_path} ({current.manifest['storage_bytes'] / MIB:.2f} MiB) "
                f"in {time.monotonic() - started:.1f} s{checked}")
        results.append(current)
    return results


def _onnx(exported, store, force, say, prefix, started):
    current = None if force else onnx_stage.up_to_date_onnx(exported, store)
    if current is not None:
        say(f"{prefix} up to date ({current.nb_path})")
        return current
    current = onnx_stage.to_onnx(exported, store, say)
    check = current.manifest["host_check"]
    say(f"{prefix} wrote {current.nb_path} ({current.manifest['storage_bytes'] / MIB:.2f} MiB, opset "
        f"{current.manifest['opset']}) in {time.monotonic() - started:.1f} s, ONNX Runtime's logits match Paddle "
        f"(max diff {check['max_abs_diff']:.2g}, cosine {check['cosine']:.6f})")
    return current


def check_warnings(results, max_top1_loss):
    """One line per int8_full model whose held-back check lost more than the limit (pure)."""
    lines = []
    for done in results:
        check = ((getattr(done, "manifest", None) or {}).get("calibration") or {}).get("check")
        if check and check["top1_loss_points"] > max_top1_loss:
            lines.append(f"warning: {done.name} {done.variant} ({done.target}) loses {check['top1_loss_points']:.1f} "
                         f"points of Top-1 on {check['images']} held-back images, more than --max-top1-loss "
                         f"{max_top1_loss:g}: try --skip-quant-layers auto or more --calib-samples")
    return lines


def converted_manifests(store):
    """Manifests of every converted model of the family found in the store."""
    names = set(family().model_names)
    manifests = []
    for target in family().targets:
        folder = store.target_dir(target)
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            manifest = read_json(path)
            if manifest and manifest.get("model") in names and path.with_suffix(suffix_of(target)).is_file():
                manifests.append(manifest)
    return manifests
