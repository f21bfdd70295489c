"""PaddleClas's preprocessing in numpy, the reference the C++ and Java demos are checked against.

Resize the short side to 256 with bilinear filtering (OpenCV INTER_LINEAR arithmetic: half-pixel
centres, no antialiasing, as PaddleClas's cv2.resize), centre-crop 224, RGB, scale to [0, 1],
subtract mean, divide by std, NCHW. Also converts JPEG/PNG to the binary PPM the C++ demo reads.
"""
import argparse
import sys

import numpy as np

from lite.family import FAMILY

PREPROCESS = FAMILY[0].preprocess


def load_rgb(path):
    """An image file (JPEG, PNG, PPM, PGM, ...) as an HxWx3 uint8 RGB array."""
    from PIL import Image
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def resize_bilinear(rgb, width, height):
    src_h, src_w = rgb.shape[:2]

    def axis(size, src_size):
        source = np.maximum(0.0, (np.arange(size) + 0.5) * (src_size / size) - 0.5)
        low = np.minimum(source.astype(np.int64), src_size - 1)
        high = np.minimum(low + 1, src_size - 1)
        return low, high, source - low

    y0, y1, fy = axis(height, src_h)
    x0, x1, fx = axis(width, src_w)
    image = rgb.astype(np.float64)
    fx = fx[None, :, None]
    top = image[y0][:, x0] * (1 - fx) + image[y0][:, x1] * fx
    bottom = image[y1][:, x0] * (1 - fx) + image[y1][:, x1] * fx
    return (top * (1 - fy[:, None, None]) + bottom * fy[:, None, None]).astype(np.float32)


def resize_short_side(rgb, short_side):
    height, width = rgb.shape[:2]
    scale = short_side / min(height, width)
    return resize_bilinear(rgb, int(round(width * scale)), int(round(height * scale)))


def center_crop(image, size):
    height, width = image.shape[:2]
    top, left = (height - size) // 2, (width - size) // 2
    return image[top:top + size, left:left + size]


def normalize_nchw(image, mean=PREPROCESS.mean, std=PREPROCESS.std):
    scaled = image / np.float32(255.0)
    normalized = (scaled - np.array(mean, np.float32)) / np.array(std, np.float32)
    return np.ascontiguousarray(normalized.transpose(2, 0, 1)[None], dtype=np.float32)


def paddleclas_preprocess(rgb, resize_short=PREPROCESS.resize_short, crop=PREPROCESS.crop_size):
    return normalize_nchw(center_crop(resize_short_side(rgb, resize_short), crop))


def write_ppm(rgb, path):
    height, width = rgb.shape[:2]
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (width, height))
        f.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lite.preprocess", description=__doc__)
    parser.add_argument("--to-ppm", nargs=2, metavar=("IMAGE", "OUT_PPM"), required=True,
                        help="convert IMAGE (JPEG, PNG, ...) to a binary PPM for mnv1_classify")
    args = parser.parse_args(argv)
    source, target = args.to_ppm
    try:
        write_ppm(load_rgb(source), target)
    except OSError as exc:
        print(f"error: cannot convert {source}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
