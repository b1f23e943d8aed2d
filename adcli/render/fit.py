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


def fit(out, table) -> list:
    """Renderables showing ``table`` whole within ``out.width``: the table itself when it
    fits, else wrapped column groups, else stacked rows."""
    if _width(out, table) <= out.width or len(table.columns) < 2:
        return [table]
    groups = _groups(out, table)
    # One column per group and many groups reads worse than a record per row.
    if groups is not None and (len(groups) <= 2 or any(len(g) > 1 for g in groups)):
        parts = [_subtable(table, [0, *group]) for group in groups]
    else:
        parts = [_stacked(table, out.width)]
    # Title and caption span the console, not one narrow part.
    return [*_line(table.title, "table.title"), *parts, *_line(table.caption, "table.caption")]


def _line(text, style: str) -> list:
    from rich.text import Text

    if text is None:
        return []
    return [text if isinstance(text, Text) else Text(str(text), style=style)]


def _width(out, renderable) -> int:
    """The width ``renderable`` needs to show every cell unwrapped (its box and padding too)."""
    from rich.measure import Measurement

    return Measurement.get(out, out.options.update_width(10**6), renderable).maximum


def _groups(out, table) -> list[list[int]] | None:
    """Data columns (1…) packed in order into groups that fit beside the label column."""
    groups: list[list[int]] = []
    current: list[int] = []
    for j in range(1, len(table.columns)):
        if _width(out, _subtable(table, [0, j])) > out.width:
            return None
        if current and _width(out, _subtable(table, [0, *current, j])) > out.width:
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


def _stacked(table, width: int):
    """One record per row: the row's label, then ``header  value`` for each filled cell; a
    ``·`` in a header stands for the row's label (``∂f/∂·`` in row x reads ``∂f/∂x``)."""
    from rich.text import Text

    def plain(cell) -> str:
        return cell.plain if isinstance(cell, Text) else str(cell)

    columns = [(c, list(c.cells)) for c in table.columns]
    first = table.columns[0]
    label_header = plain(
        Text.from_markup(first.header) if isinstance(first.header, str) else first.header
    )
    records = []
    for r, row in enumerate(table.rows):
        label = plain(columns[0][1][r])
        entries = []
        for column, cells in columns[1:]:
            if plain(cells[r]).strip():
                header = "  " + plain(column.header).replace("·", label)
                entries.append((header, cells[r], column))
        records.append((f"{label_header} {label}" if label_header else label, row, entries))
    # The names give way (they wrap) so that the longest number fits whole beside them.
    longest_key = max((len(h) for _, _, e in records for h, _, _ in e), default=1)
    longest_word = max(
        (len(w) for _, _, e in records for _, c, _ in e for w in plain(c).split()), default=1
    )
    stacked = _copy_table(table)
    stacked.show_header = False
    key_width = max(6, min(longest_key, width - longest_word - 7))
    stacked.add_column(style=first.style, overflow="fold", width=key_width)
    stacked.add_column(overflow="fold")
    for title, row, entries in records:
        stacked.add_row(title, "", style=row.style, end_section=not entries)
        for e, (header, cell, column) in enumerate(entries):
            # Each cell keeps its column's alignment: numbers right, text left.
            value = (
                cell.copy() if isinstance(cell, Text) else Text(str(cell), style=column.style or "")
            )
            value.justify = column.justify
            stacked.add_row(header, value, style=row.style, end_section=e == len(entries) - 1)
    return stacked
