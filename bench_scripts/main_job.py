#!/usr/bin/env python3
"""`python bench_scripts/main_job.py`: the main job's benchmark step (phone if attached, else this host)
(the command is lite.cli.main_job; `--help` lists its options)."""
import sys

try:
    from lite.cli.main_job import main
except ImportError as exc:  # not the project's Python: say how to get it, no traceback
    sys.exit(f"error: {exc}: needs Python 3.10 with this project's .venv; this is {sys.version.split()[0]} at "
             f"{sys.executable}: use `make run`, or `. .venv/bin/activate` after `make setup`")

if __name__ == "__main__":
    sys.exit(main())
