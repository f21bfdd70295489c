#!/usr/bin/env python3
"""`python android_demo/install.py`: build or take the demo APK, install it and start it
(the command is lite.cli.install_app; `--help` lists its options)."""
import sys

try:
    from lite.cli.install_app import main
except ImportError as exc:  # not the project's Python: say how to get it, no traceback
    sys.exit(f"error: {exc}: needs Python 3.10 with this project's .venv; this is {sys.version.split()[0]} at "
             f"{sys.executable}: use `make run`, or `. .venv/bin/activate` after `make setup`")

if __name__ == "__main__":
    sys.exit(main())
