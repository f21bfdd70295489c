"""`python -m lite`: the same as the `mnv1` command."""
import sys

from lite.cli.mnv1 import main

sys.exit(main(prog="python -m lite"))
