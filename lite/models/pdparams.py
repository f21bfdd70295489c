"""Read a `.pdparams` weights file as data: a restricted unpickler, never `paddle.load`.

PaddleClas's files (and `paddle.save` of a state_dict) are pickles of a dict of parameter name ->
numpy array, or Paddle's tensor tuple `(name, array)`. A pickle may name any importable callable,
so an unrestricted load runs whatever a downloaded file asks for. Only the classes such a file
needs are allowed; anything else is refused before it is called.
"""
import pickle
from pathlib import Path

import numpy as np

from lite.errors import WeightsError

# (module, name) pairs a weights pickle may reference: numpy's array reconstruction, containers.
ALLOWED_GLOBALS = frozenset({
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("collections", "OrderedDict"),
    ("_codecs", "encode"),  # protocol-2 pickles of numpy arrays carry their bytes through it
    *((module, name) for module in ("builtins", "__builtin__")  # protocol 2 names them as Python 2 did
      for name in ("dict", "list", "tuple", "set", "frozenset", "int", "float", "complex", "bool", "str", "bytes")),
})
# Paddle's state_dict pickles may carry this name table beside the parameters; it is not a weight.
NAME_TABLE_KEY = "StructuredToParameterName@@"


class RefusedGlobal(Exception):
    def __init__(self, module, name):
        super().__init__(f"{module}.{name}")
        self.qualified_name = f"{module}.{name}"


class _WeightsUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise RefusedGlobal(module, name)


def _as_array(value):
    """A parameter value: an ndarray, or Paddle's tensor tuple (name, ndarray) / (ndarray,)."""
    if isinstance(value, tuple) and value and isinstance(value[-1], np.ndarray):
        value = value[-1]
    if not isinstance(value, np.ndarray):
        return None
    return value


def read_pdparams(path):
    """Return {parameter name: ndarray} from `path`; raise WeightsError for code, non-dicts, junk."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            loaded = _WeightsUnpickler(handle).load()
    except RefusedGlobal as refused:
        raise WeightsError(f"weights file {path} asks to run {refused.qualified_name}; refused: weights "
                           f"are data, never code (only numpy arrays in a dict are read)") from None
    except OSError as exc:
        raise WeightsError(f"weights file {path} cannot be read: {exc.strerror or exc}") from None
    except Exception as exc:  # a damaged pickle raises many types
        raise WeightsError(f"weights file {path} is not a readable .pdparams file "
                           f"({type(exc).__name__}: {str(exc)[:120]})") from None
    if not isinstance(loaded, dict):
        raise WeightsError(f"weights file {path} does not hold a parameter dictionary")
    arrays = {}
    for key, value in loaded.items():
        if key == NAME_TABLE_KEY:
            continue
        array = _as_array(value)
        if not isinstance(key, str) or array is None:
            raise WeightsError(f"weights file {path}: entry {str(key)[:80]!r} is not a named array")
        arrays[key] = array
    return arrays
