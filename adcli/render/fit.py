"""Fitting a table to the terminal without ever cutting a number.

Rich shrinks a table that is wider than the console by cutting its cells (``-1.00449373…``).
A number a person reads must stay whole, so a table too wide for the console is re-laid out
from its own columns and rows:

1. **wrapped**: the columns are split into groups that fit, each group a table of its own that
   repeats the row labels (a Hessian on 80 columns becomes two narrower tables);
2. **stacked**: where not even one column fits beside the labels, or only one does and there are
   more than two groups (a Hessian on 40 columns), each row becomes a short record: its label,
   then ``header  value`` lines, e.g. ``∂²f/∂w∂x  0.9106254729275957``.

Every column of a re-laid table folds rather than cuts, so even a console narrower than one
number shows every digit (over two lines).  A table that fits is printed as it is.
"""

from __future__ import annotations

# Characters a bordered Rich table spends per column (two of padding, one rule) and once.
PER_COLUMN, EDGE = 3, 1


def fit(out, table) -> list:
    """Renderables showing ``table`` whole within ``out.width``: the table itself when it
    fits, else wrapped column groups, else stacked rows."""
    widths = [_column_width(out, column) for column in table.columns]
    if _width(widths) <= out.width or len(widths) < 2:
        return [table]
    groups = _groups(widths, out.width)
    # One column per group and many groups reads worse than a record per row.
    if groups is not None and (len(groups) <= 2 or any(len(g) > 1 for g in groups)):
        parts = [_subtable(table, [0, *group]) for group in groups]
    else:
        parts = [_stacked(table)]
    # Title and caption span the console, not one narrow part.
    return [*_line(table.title, "table.title"), *parts, *_line(table.caption, "table.caption")]


def _line(text, style: str) -> list:
    from rich.text import Text

    if text is None:
        return []
    return [text if isinstance(text, Text) else Text(str(text), style=style)]


def _width(widths: list[int]) -> int:
    return sum(widths) + PER_COLUMN * len(widths) + EDGE


def _column_width(out, column) -> int:
    from rich.measure import Measurement

    options = out.options.update_width(10**6)
    cells = [column.header, *column.cells]
    return max(Measurement.get(out, options, cell).maximum for cell in cells)


def _groups(widths: list[int], limit: int) -> list[list[int]] | None:
    """Data columns (1…) packed in order into groups that fit beside the label column."""
    groups: list[list[int]] = []
    current: list[int] = []
    for j in range(1, len(widths)):
        if _width([widths[0], widths[j]]) > limit:
            return None
        if _width([widths[0], *(widths[k] for k in current), widths[j]]) > limit:
            groups.append(current)
            current = []
        current.append(j)
    groups.append(current)
    return groups


def _copy_table(table):
    from rich.table import Table

    return Table(
        box=table.box,
        show_header=table.show_header,
        show_edge=table.show_edge,
        pad_edge=table.pad_edge,
    )


def _subtable(table, columns: list[int]):
    """The label column and ``columns`` of ``table``."""
    part = _copy_table(table)
    cells = []
    for j in columns:
        column = table.columns[j]
        part.add_column(
            column.header,
            justify=column.justify,
            style=column.style,
            header_style=column.header_style,
            overflow="fold",
        )
        cells.append(list(column.cells))
    for r, row in enumerate(table.rows):
        part.add_row(*(c[r] for c in cells), style=row.style, end_section=row.end_section)
    return part


def _stacked(table):
    """One record per row: the row's label, then ``header  value`` for each filled cell; a
    ``·`` in a header stands for the row's label (``∂f/∂·`` in row x reads ``∂f/∂x``)."""
    from rich.text import Text

    stacked = _copy_table(table)
    stacked.show_header = False
    first = table.columns[0]
    stacked.add_column(style=first.style, overflow="fold")
    stacked.add_column(justify="right", overflow="fold")
    columns = [(c, list(c.cells)) for c in table.columns]
    label_header = Text.from_markup(first.header) if isinstance(first.header, str) else first.header
    for r, row in enumerate(table.rows):
        label = columns[0][1][r]
        label_text = label.plain if isinstance(label, Text) else str(label)
        if label_header.plain:
            label_text = f"{label_header.plain} {label_text}"
        stacked.add_row(label_text, "", style=row.style)
        entries = []
        for column, cells in columns[1:]:
            cell = cells[r]
            if not (cell.plain if isinstance(cell, Text) else str(cell)).strip():
                continue
            header = column.header.plain if isinstance(column.header, Text) else str(column.header)
            name = label.plain if isinstance(label, Text) else str(label)
            entries.append(("  " + header.replace("·", name), cell, column.style))
        for e, (header, cell, style) in enumerate(entries):
            value = cell if isinstance(cell, Text) else Text(str(cell), style=style or "")
            stacked.add_row(header, value, style=row.style, end_section=e == len(entries) - 1)
        if not entries:
            stacked.rows[-1].end_section = True
    return stacked
