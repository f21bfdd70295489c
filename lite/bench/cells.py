"""A cell is one measurement: a model x variant x thread count with its options (pure data)."""
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lite.models.engines import DEFAULT_ENGINE, engine_tag
from lite.models.model_file import ModelFile, read_model_file

DEFAULT_INPUT_SHAPE = (1, 3, 224, 224)  # what every published figure was measured at


def shape_text(shape):
    """'1x3x224x224'."""
    return "x".join(str(n) for n in shape)


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
    input_shape: tuple = field(default=DEFAULT_INPUT_SHAPE, kw_only=True)  # NCHW, batch 1
    engine: str = field(default=DEFAULT_ENGINE, kw_only=True)  # lite.models.engines; phones: paddle-lite

    def __post_init__(self):
        object.__setattr__(self, "input_shape", tuple(int(n) for n in self.input_shape))

    def as_dict(self):
        return {**asdict(self), "input_shape": list(self.input_shape)}


@dataclass(frozen=True)
class Cell(CellOptions):
    """The options plus the local files the runner needs (not part of a result's identity). `model_file`
    is the plan's ModelFile; a path given by hand (a test's, say) is read into one here, once (a file not
    there yet has no sha256 or size: the plan refuses those, so only hand-made cells hold one)."""
    model_file: ModelFile = None
    reference_npz: Path = None

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.model_file, (str, Path)):
            path = Path(self.model_file)
            object.__setattr__(self, "model_file", read_model_file(path) if path.is_file() else ModelFile(path, None,
                                                                                                          None))

    @property
    def nb_path(self):
        return self.model_file.path if self.model_file else None

    @property
    def options(self):
        return CellOptions(**{name: getattr(self, name) for name in CellOptions.__dataclass_fields__})


def cell_id(cell):
    """The file-name stem of a cell's result: `<model>__<variant>__t<threads>`, then `__<engine>` for an engine
    other than Paddle Lite (Cell or CellOptions)."""
    return f"{cell.model}__{cell.variant}__t{cell.threads}{engine_tag(cell.engine)}"


def thread_label(threads):
    return f"{threads} thread{'' if threads == 1 else 's'}"
