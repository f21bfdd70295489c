"""A cell is one measurement: a model x variant x thread count with its options (pure data)."""
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class CellOptions:
    """What makes two measurements the same measurement (stored in every result file)."""
    model: str
    variant: str
    target: str
    threads: int
    power_mode: str
    warmup: int
    repeats: int

    def as_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Cell(CellOptions):
    """The options plus the local files the runner needs (not part of a result's identity)."""
    nb_path: Path = None
    reference_npz: Path = None

    @property
    def options(self):
        return CellOptions(**{name: getattr(self, name) for name in CellOptions.__dataclass_fields__})


def cell_id(cell):
    """The file-name stem of a cell's result: `<model>__<variant>__t<threads>` (Cell or CellOptions)."""
    return f"{cell.model}__{cell.variant}__t{cell.threads}"


def thread_label(threads):
    return f"{threads} thread{'' if threads == 1 else 's'}"
