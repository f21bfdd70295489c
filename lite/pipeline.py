"""Export then convert each requested model: the work behind `lite/opt_models.py`."""
import time
from dataclasses import dataclass

from lite import convert as convert_stage
from lite import export as export_stage
from lite.family import FAMILY
from lite.files import ensure_writable_dir, read_json
from lite.weights import weights_source


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
                reason = convert_stage.UNSUPPORTED.get((target, variant))
                if reason:
                    notes.append(f"skipped {spec.name} {target} {variant}: {reason}")
                else:
                    jobs.append(Job(spec, target, variant))
    return jobs, notes


def convert_all(specs, targets, variants, models_dir, weights_dir=None, force=False, say=print):
    ensure_writable_dir(models_dir)
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
            source = weights_source(spec, weights_dir)
            current = None if force else export_stage.up_to_date_export(spec, source.origin, models_dir)
            if current is None:
                say(f"{prefix} exporting from Paddle ({source.origin[:23]})")
                current = export_stage.export_model(spec, source, models_dir)
            exported[spec.name] = current
        current = None if force else convert_stage.up_to_date(exported[spec.name], job.target,
                                                               job.variant, models_dir)
        if current is not None:
            say(f"{prefix} up to date ({current.nb_path})")
        else:
            current = convert_stage.convert(exported[spec.name], job.target, job.variant, models_dir)
            check = current.manifest["host_check"]
            checked = (f", logits match Paddle (max diff {check['max_abs_diff']:.2g}, cosine {check['cosine']:.6f})"
                       if check else ", header checked (ARM kernels cannot run on this host)")
            say(f"{prefix} wrote {current.nb_path} ({current.manifest['storage_bytes'] / 2**20:.2f} MiB) "
                f"in {time.monotonic() - started:.1f} s{checked}")
        results.append(current)
    return results


def converted_manifests(models_dir):
    """Manifests of every converted model of the family found under `models_dir`."""
    names = {spec.name for spec in FAMILY}
    manifests = []
    for target in convert_stage.TARGETS:
        for path in sorted((models_dir / target).glob("*.json")) if (models_dir / target).is_dir() else ():
            manifest = read_json(path)
            nb_file = path.with_suffix(".nb")
            if manifest and manifest.get("model") in names and nb_file.is_file():
                manifests.append(manifest)
    return manifests
