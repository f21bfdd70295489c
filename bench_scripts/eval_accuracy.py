#!/usr/bin/env python3
"""`python bench_scripts/eval_accuracy.py --data DIR`: Top-1 / Top-5 of the converted models on a labelled set
(the command is lite.cli.eval_accuracy; `--help` lists its options)."""
import sys

try:
    from lite.cli.eval_accuracy import main
except ImportError as exc:  # not the project's Python: say how to get it, no traceback
    sys.exit(f"error: {exc}: needs Python 3.10 with this project's .venv; this is {sys.version.split()[0]} at "
             f"{sys.executable}: use `make run`, or `. .venv/bin/activate` after `make setup`")

if __name__ == "__main__":
    sys.exit(main())
