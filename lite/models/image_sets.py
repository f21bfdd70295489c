"""Labelled image sets in the two layouts users have (pure but for reading the folder):

- PaddleClas's list format: DIR/val_list.txt (or --list FILE), lines `relative/path.JPEG label`;
- one subfolder per class: the sorted subfolder names (ImageNet synsets, n01440764 ...) give the indices.

Every problem with the labels is one DatasetError line (a label outside the model's classes, a list line
without a label, no image at all); a file that turns out not to be an image is the loader's business:
it is counted and listed there, never fatal.
"""
from dataclasses import dataclass
from pathlib import Path

from lite.errors import ToolkitError

LIST_FILE = "val_list.txt"


class DatasetError(ToolkitError):
    """The labelled set cannot be read as asked."""


@dataclass(frozen=True)
class Dataset:
    root: Path
    layout: str  # "list FILE" or "class folders"
    items: tuple  # ((path relative to root, label), ...) in the set's own order
    note: str = None  # something the user should know (e.g. fewer class folders than classes)

    def limited(self, limit):
        return Dataset(self.root, self.layout, self.items[:limit], self.note) if limit else self


def parse_list(text, source, classes):
    """((relative path, label), ...) from PaddleClas list lines; DatasetError naming the first bad line.
    The label is the last field, so a path may hold spaces."""
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        path, _, label = line.rpartition(" ")
        where = f"{source} line {number}"
        if not path.strip() or not label.lstrip("-").isdigit():
            raise DatasetError(f"{where} has no label: '{line[:120]}' (lines are 'relative/path.JPEG label')")
        if not 0 <= int(label) < classes:
            raise DatasetError(f"{where}: label {label} is outside the model's {classes} classes (0 to {classes - 1})")
        items.append((path.strip(), int(label)))
    return tuple(items)


def first_outside(root, items):
    """(index, path) of the first item whose path resolves outside `root` (links and `..` followed), or None."""
    base = Path(root).resolve()
    for index, (relative, _label) in enumerate(items):
        if not (base / relative).resolve().is_relative_to(base):
            return index, relative
    return None


def read_list_layout(root, list_file, classes, allow_outside=False):
    list_file = Path(list_file)
    try:
        text = list_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read the list file {list_file}: {exc}") from exc
    items = parse_list(text, list_file.name, classes)
    if not items:
        raise DatasetError(f"{list_file} lists no image")
    outside = None if allow_outside else first_outside(root, items)
    if outside:
        raise DatasetError(f"{list_file.name} names {outside[1][:120]!r}, which lies outside --data {root}; "
                           f"list paths relative to the data folder, or pass --allow-outside to read it")
    return Dataset(Path(root), f"list {list_file}", items)


def read_folder_layout(root, classes):
    folders = sorted(p for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(folders) > classes:
        raise DatasetError(f"{root} has {len(folders)} class folders, more than the model's {classes} classes: "
                           f"the sorted folder names give the labels, so {folders[classes].name} would be label "
                           f"{classes}")
    items = tuple((str(path.relative_to(root)), label) for label, folder in enumerate(folders)
                  for path in sorted(folder.rglob("*")) if path.is_file() and not path.name.startswith("."))
    if not items:
        raise DatasetError(f"{root} holds no image: give a folder with {LIST_FILE} (PaddleClas's list format) "
                           f"or one subfolder of images per class")
    note = None
    if len(folders) < classes:
        note = (f"{len(folders)} class folders for a model of {classes} classes: their sorted names give labels "
                f"0 to {len(folders) - 1}, right only if they are the model's first {len(folders)} classes "
                f"(use a {LIST_FILE} for a subset)")
    return Dataset(Path(root), "class folders", items, note)


def read_dataset(root, list_file=None, classes=1000, allow_outside=False):
    """The labelled set under `root`: --list FILE, else ROOT/val_list.txt, else class folders. A list's
    paths must stay inside `root` unless `allow_outside`."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"--data {root} is not a folder")
    if list_file:
        return read_list_layout(root, list_file, classes, allow_outside)
    if (root / LIST_FILE).is_file():
        return read_list_layout(root, root / LIST_FILE, classes, allow_outside)
    return read_folder_layout(root, classes)


def read_image_set(root, list_file=None):
    """Images whose labels are not needed (calibration): what read_dataset reads, or a flat folder of
    images, sorted by name (every label 0)."""
    root = Path(root)
    if list_file or not root.is_dir() or (root / LIST_FILE).is_file() or any(
            p.is_dir() and not p.name.startswith(".") for p in root.iterdir()):
        return read_dataset(root, list_file)
    files = sorted(p.name for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise DatasetError(f"{root} holds no image: give a folder of images, class folders or a {LIST_FILE}")
    return Dataset(root, "flat folder", tuple((name, 0) for name in files))
