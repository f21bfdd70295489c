"""The MobileNetV1 on-device toolkit. Subpackages, one per stage, lowest layer first:

errors    every typed error (imports nothing from the project)
util      files, text, units, and the edge where typed errors become one line and an exit status
models    the registry (models, variants, architectures), network, weights, preprocessing, model store
convert   Paddle export, paddle_lite_opt, checks of the .nb files, quantization fidelity
runtime   Paddle Lite in this process: the host predictor and the child-process entry points
devices   transports (adb program, adb-shell, local), device facts, pushing files
bench     cells, the sweep engine, runners, result files, statistics, program-output parsers
report    tables and plots built from result files;  app: installing the Android demo
cli       the commands' thin edges (argument parsing, one-line errors)
A module imports only from its own layer or lower ones (tests/test_layout.py checks it).
"""
import sys

if sys.version_info[:2] != (3, 10):  # paddlelite 2.13rc0 has wheels for CPython 3.10 only
    _WRONG_PYTHON = (f"the toolkit needs Python 3.10 with this project's .venv (paddlelite 2.13rc0 has no wheel for "
                     f"{sys.version_info[0]}.{sys.version_info[1]}); this is {sys.version_info[0]}."
                     f"{sys.version_info[1]} at {sys.executable}: run `make run`, or `. .venv/bin/activate` after "
                     f"`make setup`")
    if sys.argv[:1] == ["-m"]:  # `python -m lite ...` run by this Python: one line, no traceback
        raise SystemExit(f"error: {_WRONG_PYTHON}")
    raise ImportError(_WRONG_PYTHON)
