"""Import PaddleClas 2.6.0's own MobileNetV1 file, unmodified, from the installed package.

`import ppcls.arch...` would run `ppcls/arch/__init__.py`, which imports every model, the
training gears and their dependencies (opencv, faiss, ...). Registering the parent packages as
bare namespaces skips those `__init__` files only; the network module and the modules it imports
itself (theseus_layer, utils.logger, utils.save_load, utils.download) are PaddleClas's real code.
"""
import importlib
import importlib.util
import sys
import types
from pathlib import Path


def _paddleclas_root():
    spec = importlib.util.find_spec("paddleclas")
    assert spec is not None, "paddleclas is not installed: run `make setup` (requirements-nodeps.txt)"
    return Path(spec.submodule_search_locations[0])


def load_reference_module():
    root = _paddleclas_root()
    for package in ("ppcls", "ppcls.arch", "ppcls.arch.backbone", "ppcls.arch.backbone.base",
                    "ppcls.arch.backbone.legendary_models", "ppcls.utils"):
        if package not in sys.modules:
            module = types.ModuleType(package)
            module.__path__ = [str(root.joinpath(*package.split(".")))]
            sys.modules[package] = module
    module = importlib.import_module("ppcls.arch.backbone.legendary_models.mobilenet_v1")
    logger = importlib.import_module("ppcls.utils.logger")
    if logger._logger is None:  # PaddleClas's tools call init_logger() at start-up; so do we
        logger.init_logger(log_level=40)
    return module


def reference_network(name):
    """PaddleClas's factory for `name`; MobileNetV1_ssld is MobileNetV1 with other weights."""
    module = load_reference_module()
    factory = getattr(module, "MobileNetV1" if name == "MobileNetV1_ssld" else name)
    return factory(pretrained=False)
