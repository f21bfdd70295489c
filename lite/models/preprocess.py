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

