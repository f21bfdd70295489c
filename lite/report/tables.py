"""The one writer and reader of the toolkit's tables: rows become a pandas DataFrame, written with
`to_csv` and `to_markdown` (tabulate), and CSV files are read back with `read_csv` (pure)."""
import io

import pandas as pd

MISSING = "–"  # a Markdown cell with nothing to show


def _frame(rows, columns):
    """Rows (dicts or sequences) as a DataFrame of Python objects: no column is re-typed (an int column with
    a gap stays ints), and missing cells are None."""
    frame = pd.DataFrame(list(rows), columns=list(columns), dtype=object)
    return frame.astype(object).where(frame.notna(), None)


def csv_text(rows, columns):
    """CSV text of dict rows in `columns` order; None and absent keys are empty cells."""
    frame = _frame(rows, columns)
    return frame.where(frame.notna(), "").to_csv(index=False, lineterminator="\n")


def markdown_table(rows, headers, align):
    """A pipe table of rows of already formatted cells; `align` is 'l' or 'r' per column. A None cell is '–'.
    Cells are taken as text (no number parsing), so '16.0' stays '16.0'."""
    frame = _frame(rows, headers)
    frame = frame.where(frame.notna(), MISSING)
    colalign = ["right" if a == "r" else "left" for a in align]
    return frame.to_markdown(index=False, tablefmt="pipe", colalign=colalign, disable_numparse=True)


def read_csv_rows(text, columns, numbers):
    """Dict rows of a CSV we wrote: `numbers` ({column: int or float}) as numbers, their empty cells None;
    other columns as text ('' when empty or absent). A malformed number raises ValueError."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for key in columns:
            value = record.get(key, "")
            if key in numbers:
                row[key] = numbers[key](value) if value not in ("", None) else None
            else:
                row[key] = value
        rows.append(row)
    return rows
