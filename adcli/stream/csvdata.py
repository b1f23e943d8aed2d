"""A CSV data set as vector inputs (``--data FILE.csv``): each column, named by its header, one
``ArrayValue`` of shape ``(rows,)``.

Unlike ``--batch`` (one evaluation per row) the whole file is one point, so it is read column-wise
into ``array('d')``: a 10^6-row file costs 8 bytes a cell, never a Python object per cell kept.
Blocks of lines take a fast path (numpy's C reader) when they hold only finite numbers; any block
that does not (quotes, a bad cell, a ragged row) is re-read cell by cell, which is also what finds
the line and column a message names.
"""

from __future__ import annotations

import csv
import math
import re
import warnings
from array import array

from ..bindings import valid_names
from ..errors import UsageError
from ..primitives import CONSTANTS
from ..text import clip
from ..values import ArrayValue

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)  # not ١٢, not 1_0
BLOCK = 1 << 20  # characters of lines read at a time


def read_columns(path: str, what: str | None = None) -> dict[str, ArrayValue]:
    """Every column of the CSV file at ``path`` as a vector named by its header, in file order.

    Errors are ``UsageError``s starting with ``what`` (default: the path) that name the line,
    the data row and the column."""
    what = clip(path, 200) if what is None else what
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _read(handle, what)
    except OSError as exc:
        raise UsageError(f"{what}: cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what}: not UTF-8 text (byte {exc.start} of a block)") from None
    except csv.Error as exc:
        raise UsageError(f"{what}: not valid CSV ({exc})") from None


def _read(handle, what: str) -> dict[str, ArrayValue]:
    names, line_no = _header(handle, what)
    columns = [array("d") for _ in names]
    rows = 0
    while True:
        lines = handle.readlines(BLOCK)
        if not lines:
            break
        added = _fast_block(lines, columns)
        if added is None:
            added = _careful_block(lines, columns, names, line_no, rows, what)
        rows += added
        line_no += len(lines)
    if not rows:
        raise UsageError(f"{what}: a header but no rows of numbers; each column needs at least one")
    return {name: ArrayValue((rows,), column) for name, column in zip(names, columns)}


def _header(handle, what: str) -> tuple[list[str], int]:
    """The names of the first non-blank line, and its line number."""
    line_no = 0
    for line in iter(handle.readline, ""):
        line_no += 1
        if line.strip():
            break
    else:
        raise UsageError(f"{what}: empty; expected a header row of names, then rows of numbers")
    names = [cell.strip() for cell in next(csv.reader([line]))]
    if len(set(names)) == len(names) and valid_names(names):
        return names, line_no  # a wide header checked in bulk; else column by column, to say which
    seen: set[str] = set()
    for k, name in enumerate(names, 1):
        where = f"{what}, line {line_no}, column {k}"
        if NUMBER.fullmatch(name):
            raise UsageError(
                f"{where}: the first row must be a header of input names, not the number {name}"
            )
        if not NAME.fullmatch(name):
            raise UsageError(f"{where}: {clip(name, 40)!r} is not a valid input name")
        if name in CONSTANTS:
            raise UsageError(f"{where}: '{name}' is a constant and cannot be bound")
        if name in seen:
            raise UsageError(f"{where}: the name '{name}' heads two columns")
        seen.add(name)
    return names, line_no


def _fast_block(lines: list[str], columns: list[array]) -> int | None:
    """The block's rows appended to ``columns``, or None (nothing appended) if any cell is not a
    finite number or any row has another count of cells: the careful path then says what is
    wrong.  numpy's C reader parses the block (2-3x Python's ``float`` per cell); it refuses what
    ``_cell`` refuses (``1_0``, ``0x10``, ``١``, empty cells) except ``nan``/``inf``, checked below."""
    import numpy as np

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": a block of blank lines
            block = np.loadtxt(lines, delimiter=",", comments=None, ndmin=2, dtype=np.float64)
    except (ValueError, TypeError):
        return None
    if not block.size:
        return 0
    if block.shape[1] != len(columns) or not np.isfinite(block).all():
        return None
    for j, column in enumerate(columns):
        column.frombytes(np.ascontiguousarray(block[:, j]).tobytes())
    return block.shape[0]


def _careful_block(
    lines: list[str], columns: list[array], names: list[str], before: int, rows: int, what: str
) -> int:
    """Cell by cell, with the line and column of the first bad one in the error."""
    width = len(names)
    added = 0
    reader = csv.reader(lines)
    for row in reader:
        line_no = before + reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        data_row = rows + added + 1
        where = f"{what}, line {line_no} (data row {data_row})"
        if len(row) != width:
            if len(row) < width:
                missing = f"column {len(row) + 1} '{names[len(row)]}' is missing"
            else:
                missing = f"column {width + 1} has no name in the header"
            raise UsageError(
                f"{where}: a ragged row of {len(row)} cells, the header has {width} ({missing})"
            )
        values = [
            _cell(cell, f"{where}, column {k} '{names[k - 1]}'") for k, cell in enumerate(row, 1)
        ]
        for column, value in zip(columns, values):
            column.append(value)
        added += 1
    return added


def _cell(text: str, where: str) -> float:
    cell = text.strip()
    if not NUMBER.fullmatch(cell):
        shown = "an empty cell" if not cell else repr(clip(cell, 40))
        raise UsageError(f"{where}: {shown} is not a number")
    value = float(cell)
    if not math.isfinite(value):
        raise UsageError(f"{where}: {clip(cell, 40)} is too large for a double")
    return value
