"""`python -m lite`: the same as the `mnv1` command."""
import sys

if __name__ == "__main__":
    try:
        from lite.cli.mnv1 import main
    except ImportError as exc:  # a Python without the project's packages: say how to get them, no traceback
        sys.exit(f"error: {exc}; use `make run`, or `. .venv/bin/activate` after `make setup`")
    sys.exit(main(prog="python -m lite"))
