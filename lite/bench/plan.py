"""The plan of a sweep: which cells to run, after checking that every model file is there."""
from dataclasses import replace

from lite.bench.cells import DEFAULT_INPUT_SHAPE, Cell
from lite.convert.nb_format import check_nb_file
from lite.errors import ToolkitError
from lite.models.engines import DEFAULT_ENGINE, MODEL_KIND
from lite.models.model_file import read_model_file
from lite.models.registry import get_variant, select_models
from lite.models.store import manifest_of
from lite.util.files import read_json


def check_against_manifest(store, model_file, name, target, variant):
    """The file must be the one opt_models.py wrote (its manifest's sha256), when a manifest is beside it:
    a bit flipped on disk loads and times as if nothing were wrong."""
    manifest, path = model_file.manifest, model_file.path
    if manifest and manifest.get("nb_sha256") and manifest["nb_sha256"] != model_file.sha256:
        raise ToolkitError(f"{path} of {name} is not the file opt_models.py wrote (its sha256 differs from "
                           f"{manifest_of(path).name}); make it again with: "
                           f"{store.remake_command(name, target, variant, force=True)}")


def plan_cells(store, models, variants, threads, target, *, power_mode, warmup, repeats, with_reference,
               input_shape=DEFAULT_INPUT_SHAPE, engines=(DEFAULT_ENGINE,)):
    """Cells in registry order (model, variant, engine, threads); ToolkitError naming the command that makes
    a missing model. `with_reference` adds the export's reference logits to check before timing. Each model
    file is read and hashed here, once, and its ModelFile goes on every cell of it. `engines` other than
    Paddle Lite run this host's FP32 model in their own format (lite.models.engines)."""
    if repeats < 1:
        raise ToolkitError("--repeats must be at least 1")
    cells = []
    for spec in select_models(models):
        for variant in variants:
            for engine in engines:
                model_file = (_paddle_lite_file(store, spec.name, target, variant) if engine == DEFAULT_ENGINE
                              else _engine_file(store, spec.name, engine, variant))
                reference = store.reference_io(spec.name) if with_reference else None
                if reference is not None and not reference.is_file():
                    raise ToolkitError(f"{reference} (Paddle's logits, to check {spec.name} before timing) is "
                                       f"missing; make it with: {store.remake_command(spec.name, force=True)}")
                for count in threads:
                    cells.append(Cell(spec.name, variant, target, count, power_mode, warmup, repeats, model_file,
                                      reference, input_shape=input_shape, engine=engine))
    return cells


def _paddle_lite_file(store, name, target, variant):
    path = store.nb_file(target, name, variant)
    why_not = get_variant(variant).unsupported_targets.get(target)
    if why_not:  # no command can make it: say so rather than advise one that skips it
        where = (f"; benchmark it on a phone: python bench_scripts/run_sd855.py --variants {variant}"
                 if target == "x86" else "")
        raise ToolkitError(f"{variant} cannot run on {target}: {why_not}{where}")
    if not path.is_file():
        raise ToolkitError(f"no converted model {path}; make it with: {store.remake_command(name, target, variant)}")
    check_nb_file(path, name)
    model_file = read_model_file(path)
    check_against_manifest(store, model_file, name, target, variant)
    return model_file


def _engine_file(store, name, engine, variant):
    """The ModelFile another engine runs: the ONNX file with its manifest, or the export's parameters with
    the export's manifest (weights origin, and the sha256 they were written with)."""
    if variant != "fp32":
        raise ToolkitError(f"the {engine} engine runs FP32 here; {variant} is a Paddle Lite variant")
    kind = MODEL_KIND[engine]
    path = store.engine_file(engine, name)
    if not path.is_file():
        remake = store.remake_command(name, "onnx") if kind == "onnx" else store.remake_command(name, "x86")
        raise ToolkitError(f"no {engine} model {path}; make it with: {remake}")
    model_file = read_model_file(path)
    if kind == "paddle":
        export = read_json(store.export_manifest(name)) or {}
        model_file = replace(model_file, manifest={"model": name, "weights_origin": export.get("weights_origin"),
                                                   "nb_sha256": (export.get("file_sha256") or {}).get(path.name)})
    check_against_manifest(store, model_file, name, kind if kind == "onnx" else "x86", variant)
    return model_file
