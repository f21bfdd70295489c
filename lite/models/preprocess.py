"""PaddleClas's preprocessing in numpy, the reference the C++ and Java demos are checked against.

Resize the short side (256) with bilinear filtering (OpenCV INTER_LINEAR arithmetic: half-pixel
centres, no antialiasing, as PaddleClas's cv2.resize), centre-crop (224), RGB, scale to [0, 1],
subtract mean, divide by std, NCHW; the numbers come from the registry. Also writes the binary PPM
the C++ demo reads.
"""
import numpy as np

from lite.models.registry import family


def registry_preprocess():
    """The family's preprocessing settings (one set for every model)."""
    return family().models[0].preprocess


# Bounds on what an image file may make preprocessing allocate, checked from its header before its
# pixels are decoded (cxx_demo/src/image.cc holds the same two). The largest aspect ratio among the 1000
# ImageNet images in ../shared/real/sample1000 is 3.43:1 (99th percentile 2.14); at 10:1 the resized image
# is at most 2560 x 256. The pixel limit is Pillow's own decompression-bomb limit.
MAX_ASPECT_RATIO = 10.0
MAX_IMAGE_PIXELS = 89_478_485
MAX_RESIZED_PIXELS = 4096 * 4096


class ImageRefused(ValueError):
    """An image whose header asks for more work than preprocessing may do."""


def size_problem(width, height):
    """Why an image of width x height is refused before decoding, or None (pure)."""
    if width <= 0 or height <= 0:
        return f"its header gives a size of {width}x{height}"
    if width * height > MAX_IMAGE_PIXELS:
        return f"{width}x{height} is {width * height:,} pixels, more than the limit of {MAX_IMAGE_PIXELS:,}"
    if max(width, height) / min(width, height) > MAX_ASPECT_RATIO:
        return f"{width}x{height} has an aspect ratio beyond {MAX_ASPECT_RATIO:.0f}:1"
    return None


def load_rgb(path):
    """An image file (JPEG, PNG, PPM, PGM, ...) as an HxWx3 uint8 RGB array; ImageRefused beyond the bounds."""
    import warnings
    from PIL import Image
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                problem = size_problem(*image.size)
                if problem:
                    raise ImageRefused(f"refused: {problem}")
                return np.asarray(image.convert("RGB"), dtype=np.uint8)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ImageRefused(f"refused: {exc}") from None


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
    new_width, new_height = int(round(width * scale)), int(round(height * scale))
    if new_width * new_height > MAX_RESIZED_PIXELS:
        raise ImageRefused(f"refused: resizing its short side to {short_side} gives {new_width}x{new_height} pixels, "
                           f"more than {MAX_RESIZED_PIXELS:,}")
    return resize_bilinear(rgb, new_width, new_height)


def center_crop(image, size):
    height, width = image.shape[:2]
    top, left = (height - size) // 2, (width - size) // 2
    return image[top:top + size, left:left + size]


def normalize_nchw(image, mean=None, std=None):
    settings = registry_preprocess()
    mean = settings.mean if mean is None else mean
    std = settings.std if std is None else std
    scaled = image / np.float32(255.0)
    normalized = (scaled - np.array(mean, np.float32)) / np.array(std, np.float32)
    return np.ascontiguousarray(normalized.transpose(2, 0, 1)[None], dtype=np.float32)


def paddleclas_preprocess(rgb, resize_short=None, crop=None):
    settings = registry_preprocess()
    resize_short = settings.resize_short if resize_short is None else resize_short
    crop = settings.crop_size if crop is None else crop
    return normalize_nchw(center_crop(resize_short_side(rgb, resize_short), crop))


def write_ppm(rgb, path):
    height, width = rgb.shape[:2]
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (width, height))
        f.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())

