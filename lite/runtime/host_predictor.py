"""The real Paddle Lite x86 runtime on this host: a checked `.nb` loaded with a thread count that
really applies (see lite.runtime.bench_program.set_math_threads for how and why)."""
from lite.convert.nb_format import check_nb_file
from lite.errors import ModelFileError
from lite.runtime.bench_program import Predictor


class HostPredictor(Predictor):
    """bench_program.Predictor after a `.nb` header check, with load failures as ModelFileError."""

    def __init__(self, nb_path, threads=1):
        check_nb_file(nb_path)
        try:
            super().__init__(nb_path, threads)
        except Exception as exc:  # the binding raises RuntimeError and others
            raise ModelFileError(f"Paddle Lite could not load {nb_path}: {exc}") from exc
