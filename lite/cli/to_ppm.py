"""Convert an image (JPEG, PNG, ...) to the binary PPM that mnv1_classify reads.

Example: mnv1 to-ppm cat.jpg cat.ppm   (or: python -m lite to-ppm cat.jpg cat.ppm)
"""
import argparse
import sys

from lite.cli.args import OneLineParser
from lite.models.preprocess import load_rgb, write_ppm


def main(argv=None, prog=None):
    parser = OneLineParser(prog=prog or "mnv1 to-ppm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("image", help="the image to convert (anything Pillow reads)")
    parser.add_argument("out_ppm", help="where the binary PPM (P6) goes")
    args = parser.parse_args(argv)
    try:
        write_ppm(load_rgb(args.image), args.out_ppm)
    except OSError as exc:
        print(f"error: cannot convert {args.image}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out_ppm}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
