"""The plan of a sweep: which cells to run, after checking that every model file is there."""
from lite.bench.cells import Cell
from lite.convert.nb_format import check_nb_file
from lite.errors import ToolkitError
from lite.models.registry import select_models


def plan_cells(store, models, variants, threads, target, *, power_mode, warmup, repeats, with_reference):
    """Cells in registry order (model, variant, threads); ToolkitError naming the command that makes
    a missing model. `with_reference` adds the export's reference logits to check before timing."""
    if repeats < 1:
        raise ToolkitError("--repeats must be at least 1")
    cells = []
    for spec in select_models(models):
        for variant in variants:
            path = store.nb_file(target, spec.name, variant)
            if not path.is_file():
                raise ToolkitError(f"no converted model {path}; make it with: "
                                   f"{store.remake_command(spec.name, target, variant)}")
            check_nb_file(path, spec.name)
            reference = store.reference_io(spec.name) if with_reference else None
            if reference is not None and not reference.is_file():
                raise ToolkitError(f"{reference} (Paddle's logits, to check {spec.name} before timing) is missing; "
                                   f"make it with: {store.remake_command(spec.name, force=True)}")
            for count in threads:
                cells.append(Cell(spec.name, variant, target, count, power_mode, warmup, repeats, path, reference))
    return cells
