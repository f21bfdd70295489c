"""The evaluation's inputs: the registry's preprocessing (lite.models.preprocess, the code the C++ and
Java demos are tested against), done once per image and cached on disk between models of one input
size, and loaded by worker threads while the runtime infers.

The cache holds one float32 .npy per image under CACHE/<settings>/, keyed by the image's path, size and
mtime, written whole (a temporary file renamed): an interrupted run leaves nothing half-written.
"""
import hashlib
import json
import os
import tempfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lite.models.preprocess import ImageRefused, load_rgb, paddleclas_preprocess, registry_preprocess

DEFAULT_CACHE = Path.home() / ".cache" / "mnv1-accuracy"


@dataclass(frozen=True)
class Settings:
    resize_short: int
    crop: int
    mean: tuple
    std: tuple

    @classmethod
    def of_registry(cls):
        p = registry_preprocess()
        return cls(p.resize_short, p.crop_size, tuple(p.mean), tuple(p.std))

    def key(self):
        text = json.dumps([self.resize_short, self.crop, self.mean, self.std, "preprocess-v1"])
        return f"{self.crop}px-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def preprocess_file(path, settings):
    """1 x 3 x crop x crop float32, as the registry's preprocessing makes it."""
    return paddleclas_preprocess(load_rgb(path), settings.resize_short, settings.crop)


def image_error(exc):
    text = str(exc) if isinstance(exc, ImageRefused) else f"{exc.__class__.__name__}: {exc}"
    return text.splitlines()[0][:200] if text.strip() else exc.__class__.__name__


class InputCache:
    def __init__(self, root, settings, cache_dir=None):
        self.root, self.settings = Path(root), settings
        self.folder = Path(cache_dir or DEFAULT_CACHE) / settings.key() if cache_dir is not False else None
        self.hits = self.misses = 0

    def _cache_file(self, relative):
        stat = (self.root / relative).stat()
        identity = f"{(self.root / relative).resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        key = hashlib.sha256(identity.encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.npy"

    def tensor(self, relative):
        """The preprocessed tensor of ROOT/relative; raises OSError/ValueError when it is no image."""
        if self.folder is None:
            self.misses += 1
            return preprocess_file(self.root / relative, self.settings)
        cached = self._cache_file(relative)
        if cached.is_file():
            try:
                tensor = np.load(cached, allow_pickle=False)  # a cache file is data, never code
                if tensor.shape == (1, 3, self.settings.crop, self.settings.crop):
                    self.hits += 1
                    return tensor
            except (OSError, ValueError):
                pass  # a damaged cache file is made again
        tensor = preprocess_file(self.root / relative, self.settings)
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.save(f, tensor)
        os.replace(scratch, cached)
        self.misses += 1
        return tensor


def load_ahead(items, load, workers=2, ahead=16):
    """Yield (item, result, error) in order while `workers` threads load up to `ahead` items in advance:
    the caller's inference runs while the next images are read and preprocessed."""
    def guarded(item):
        try:
            return load(item), None
        except Exception as exc:  # noqa: BLE001 - an unreadable or non-image file is reported, not fatal
            return None, image_error(exc)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="load") as pool:
        pending, items = deque(), iter(items)
        for item in items:
            pending.append((item, pool.submit(guarded, item)))
            if len(pending) >= ahead:
                break
        while pending:
            item, future = pending.popleft()
            result, error = future.result()
            nxt = next(items, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(guarded, nxt)))
            yield item, result, error
