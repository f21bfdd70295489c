"""The plan of a sweep: which cells to run, after checking that every model file is there."""
from lite.bench.cells import DEFAULT_INPUT_SHAPE, Cell
from lite.convert.nb_format import check_nb_file
from lite.errors import ToolkitError
from lite.models.model_file import read_model_file
from lite.models.registry import get_variant, select_models
from lite.models.store import manifest_of


def check_against_manifest(store, model_file, name, target, variant):
    """The file must be the one opt_models.py wrote (its manifest's sha256), when a manifest is beside it:
    a bit flipped on disk loads and times as if nothing were wrong."""
    manifest, path = model_file.manifest, model_file.path
    if manifest and manifest.get("nb_sha256") and manifest["nb_sha256"] != model_file.sha256:
        raise ToolkitError(f"{path} of {name} is not the file opt_models.py wrote (its sha256 differs from "
                           f"{manifest_of(path).name}); make it again with: "
                           f"{store.remake_command(name, target, variant, force=True)}")


def plan_cells(store, models, variants, threads, target, *, power_mode, warmup, repeats, with_reference,
               input_shape=DEFAULT_INPUT_SHAPE):
    """Cells in registry order (model, variant, threads); ToolkitError naming the command that makes
    a missing model. `with_reference` adds the export's reference logits to check before timing. Each model
    file is read and hashed here, once, and its ModelFile goes on every cell of it."""
    if repeats < 1:
        raise ToolkitError("--repeats must be at least 1")
    cells = []
    for spec in select_models(models):
        for variant in variants:
            path = store.nb_file(target, spec.name, variant)
            why_not = get_variant(variant).unsupported_targets.get(target)
            if why_not:  # no command can make it: say so rather than advise one that skips it
                where = (f"; benchmark it on a phone: python bench_scripts/run_sd855.py --variants {variant}"
                         if target == "x86" else "")
                raise ToolkitError(f"{variant} cannot run on {target}: {why_not}{where}")
            if not path.is_file():
                raise ToolkitError(f"no converted model {path}; make it with: "
                                   f"{store.remake_command(spec.name, target, variant)}")
            check_nb_file(path, spec.name)
            model_file = read_model_file(path)
            check_against_manifest(store, model_file, spec.name, target, variant)
            reference = store.reference_io(spec.name) if with_reference else None
            if reference is not None and not reference.is_file():
                raise ToolkitError(f"{reference} (Paddle's logits, to check {spec.name} before timing) is missing; "
                                   f"make it with: {store.remake_command(spec.name, force=True)}")
            for count in threads:
                cells.append(Cell(spec.name, variant, target, count, power_mode, warmup, repeats, model_file,
                                  reference, input_shape=input_shape))
    return cells
