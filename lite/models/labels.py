"""ImageNet-1k labels as PaddleClas ships them, and the top-k the demos print (pure)."""
from importlib import util
from pathlib import Path

import numpy as np


def paddleclas_label_file():
    """PaddleClas's imagenet1k_label_list.txt from the installed paddleclas package, or None."""
    spec = util.find_spec("paddleclas")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "ppcls" / "utils" / "imagenet1k_label_list.txt"
    return path if path.is_file() else None


def parse_labels(text):
    """Names per class from '<index> <name>' lines (or plain lines, class = line number)."""
    names = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        head, _, rest = line.partition(" ")
        names.append(rest.strip() if head.isdigit() and rest else line)
    return names


def softmax(logits):
    logits = np.asarray(logits, dtype=np.float64).ravel()
    exps = np.exp(logits - logits.max())
    return exps / exps.sum()


def top_k(scores, k):
    """Indices of the k largest scores, ties broken by the lower index."""
    scores = np.asarray(scores).ravel()
    return [int(i) for i in np.lexsort((np.arange(scores.size), -scores))[:k]]
