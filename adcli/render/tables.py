"""The tables people read: eval's gradient, hessian's matrix, jvp's direction, check's
comparison and its finite-difference sweep.  Pure: numbers in, Rich tables out (Rich imported
inside the functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..text import clip, number
from ..values import ArrayValue, element_name
from . import show

ELEMENTS_SHOWN = 8  # rows kept at each end of a long array; the middle becomes one Clipped row


def titled_table(title: str, caption: str | None = None):
    """A table titled by the program (clipped to one line), with an optional caption."""
    from rich.table import Table
    from rich.text import Text

    return Table(
        title=Text(clip(" ".join(title.split()), 60)),
        title_justify="left",
        caption=caption,
        caption_justify="left",
    )


class Clipped:
    """The middle of a long array, left out of a table: ``first`` … ``last``, ``count`` rows;
    ``hidden()`` gives their items (e.g. check's rows, to count the failures among them)."""

    __slots__ = ("_items", "_start", "count", "first", "last")

    def __init__(self, first: str, last: str, count: int, items=(), start: int = 0) -> None:
        self.first, self.last, self.count = first, last, count
        self._items, self._start = items, start

    def hidden(self) -> Sequence:
        return self._items[self._start : self._start + self.count]


def clip_rows(size: int, row, label, items=(), keep: int = ELEMENTS_SHOWN) -> list:
    """``row(k)`` for k in ``range(size)``; past ``2 * keep + 1`` only ``keep`` at each end,
    around one ``Clipped`` (``label(k)`` names row k) for the middle.  Every table that lists
    elements clips through here: eval's, jvp's and check's rows, the Hessian's rows and columns."""
    if size <= 2 * keep + 1:
        return [row(k) for k in range(size)]
    middle = Clipped(label(keep), label(size - keep - 1), size - 2 * keep, items, keep)
    return [*map(row, range(keep)), middle, *map(row, range(size - keep, size))]


def element_rows(
    name: str,
    bound: float | ArrayValue | None,
    partial: float | Sequence,
    keep: int = ELEMENTS_SHOWN,
) -> list:
    """Table rows ``(name, bound value, item)`` for one input: one row for a scalar, one per
    element (``x[0]``, ``W[1,0]``, row-major) for an array, whose ``partial`` is then a flat
    sequence of items (partials, direction components, check rows); an array longer than
    ``2 * keep + 1`` keeps ``keep`` rows at each end around a ``Clipped``."""
    if not isinstance(bound, ArrayValue) and not isinstance(partial, Sequence):
        return [(name, bound, partial)]
    shape = bound.shape if isinstance(bound, ArrayValue) else (len(partial),)
    values = bound.data if isinstance(bound, ArrayValue) else None

    def label(k: int) -> str:
        return element_name(name, shape, k)

    def row(k: int) -> tuple:
        return (label(k), None if values is None else values[k], partial[k])

    return clip_rows(len(partial), row, label, partial, keep)


def add_element_rows(table, rows: list, cell, digits: int | None) -> bool:
    """Add ``rows`` (from ``element_rows``) to ``table``: ``(name, bound, item)`` as the name,
    the bound value (blank if None) and ``cell(item)`` (a cell or a tuple of cells); a
    ``Clipped`` as one dim row saying what was left out, ⋮ below the other columns (or
    ``cell(clipped)``'s cells where ``cell`` summarizes the hidden items).  True if clipped."""
    clipped = False
    for entry in rows:
        if isinstance(entry, Clipped):
            clipped = True
            summary = cell(entry)
            cells = [f"{entry.first} … {entry.last}", f"{entry.count:,} rows not shown"]
            cells += ["⋮"] * (len(table.columns) - 2 - len(summary)) + list(summary)
            table.add_row(*cells, style="dim")
            continue
        name, bound, item = entry
        shown = cell(item)
        bound_shown = "" if bound is None else number(bound, digits)
        table.add_row(name, bound_shown, *(shown if isinstance(shown, tuple) else (shown,)))
    return clipped


def clipped_note(what: str, wrt: bool = True) -> str:
    """The caption of a clipped table: what --json prints in full (and --wrt, where taken)."""
    return f"Long arrays are clipped: --json prints {what}" + (
        "; --wrt picks inputs." if wrt else "."
    )


def gradient_table(
    program_text: str,
    value: float,
    rows: list,
    digits: int | None = None,
    output_name: str = "f",
):
    """The value, then one row per input (name, bound value, ∂f/∂name), or per element of an
    array input (see ``element_rows``); a ``Clipped`` row says what was left out and how to see it."""
    table = titled_table(program_text)
    table.add_column("", style="bold")
    table.add_column("value", justify="right")
    table.add_column(f"∂{output_name}/∂·", justify="right", style="cyan")
    table.add_row(output_name, number(value, digits), "", style="bold")
    if add_element_rows(table, rows, partial_cell(digits), digits):
        table.caption = clipped_note("every partial")
        table.caption_justify = "left"
    return table


def partial_cell(digits: int | None):
    """A number cell for ``add_element_rows``; nothing to summarize for a ``Clipped``."""
    return lambda item: () if isinstance(item, Clipped) else number(item, digits)


def hessian_table(
    source: str,
    value: float,
    gradient: dict,
    matrix: dict,
    digits: int | None,
    keep: int = ELEMENTS_SHOWN,
):
    """One row per input (per element of an array input: ``x[0]``, ``W[1,0]``): its partial,
    then its row of the Hessian; the value in the caption.  Past ``2 * keep + 1`` inputs the
    middle rows and columns are left out, and a row and a column say so."""
    names = list(gradient)
    lines = clip_rows(len(names), names.__getitem__, names.__getitem__, keep=keep)
    middle = next((entry for entry in lines if isinstance(entry, Clipped)), None)
    caption = f"f = {number(value, digits)}"
    if middle:
        caption += (
            f"; {middle.first} … {middle.last} ({middle.count:,} rows and columns) not shown:"
            " --json prints them all, --wrt picks inputs"
        )
    table = titled_table(source, caption)
    table.add_column("", style="bold")
    table.add_column("∂f/∂·", justify="right", style="cyan")
    for col in lines:
        if col is middle:
            table.add_column("⋯", justify="center", style="dim")
        else:
            table.add_column(f"∂²f/∂·∂{col}", justify="right")
    for row in lines:
        if row is middle:
            label = f"{middle.first} … {middle.last}"
            table.add_row(label, "⋮", *("⋱" if c is middle else "⋮" for c in lines), style="dim")
            continue
        cells = ("⋯" if col is middle else number(matrix[row][col], digits) for col in lines)
        table.add_row(row, number(gradient[row], digits), *cells)
    return table


def jvp_table(source: str, value: float, rows: list, derivative: float, digits: int | None):
    """The value, one row per input (bound value, direction component) or per element of an
    array input, clipped as eval's (``element_rows``), then ∇f·v."""
    table = titled_table(source)
    table.add_column("", style="bold")
    table.add_column("value", justify="right")
    table.add_column("direction v", justify="right", style="cyan")
    table.add_row("f", number(value, digits), "", style="bold")
    clipped = add_element_rows(table, rows, partial_cell(digits), digits)
    table.add_row("∇f·v", number(derivative, digits), "", style="bold cyan")
    if clipped:
        table.caption = clipped_note("the whole direction", wrt=False)
        table.caption_justify = "left"
    return table


def check_table(source: str, rows: list, tol: float, digits: int | None):
    """AD against FD per input or array element (``element_rows`` of the comparisons): bound
    value, both partials, the errors, ok or FAIL; a ``Clipped`` row counts its failures."""
    from rich.text import Text

    def cells(row) -> tuple:
        if isinstance(row, Clipped):
            failed = sum(not r["rel_error"] <= tol for r in row.hidden())
            return (Text(f"{failed:,} FAIL", style="bold red") if failed else Text("ok"),)
        return (
            number(row["ad"], digits),
            number(row["fd"], digits)
            + ("" if row["method"] in ("central", "unused") else f" ({row['method']})"),
            f"{row['abs_error']:.2e}",
            f"{row['rel_error']:.2e}",
            Text("ok", style="green")
            if row["rel_error"] <= tol
            else Text("FAIL", style="bold red"),
        )

    caption = f"FD: central differences, h = cbrt(eps)·max(1, |x|); tol {tol:g}"
    table = titled_table(source, caption)
    table.add_column("", style="bold")
    for head in ("value", "AD (reverse)", "FD", "abs error", "rel error", ""):
        table.add_column(head, justify="right")
    if add_element_rows(table, rows, cells, digits):
        table.caption = f"{caption}\n{clipped_note('every comparison')}"
    return table


def sweep_table(name: str, ad: float, points: list[dict]):
    """The FD error against h, with a bar of -log10(error): longest where FD is best."""
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(f"∂f/∂{name}: FD against h (AD = {ad!r})"),
        title_justify="left",
        caption="* default h. Big h: truncation error; tiny h: round-off.",
        caption_justify="left",
    )
    table.add_column("h", justify="right")
    table.add_column("FD", justify="right")
    table.add_column("|FD − AD|", justify="right")
    table.add_column("digits right")
    for p in points:
        if p["fd"] is None:
            table.add_row(f"{p['h']:.1e}", "not evaluable", "", "")
            continue
        err = p["abs_error"]
        right = 17.0 if err == 0 else max(0.0, -math.log10(err / max(1.0, abs(ad))))
        bar = "█" * round(right) + f" {right:.1f}"
        label = f"{p['h']:.1e}" + (" *" if p["default"] else "")
        table.add_row(label, repr(p["fd"]), f"{err:.1e}", bar)
    return table


def print_tables(out, *tables) -> None:
    """Print Rich tables on ``out`` without ever cutting a number: a pipe or a file gets the
    width the widest table needs; a terminal keeps its width and a table too wide for it is
    wrapped or stacked (``render.fit``)."""
    if not out.is_terminal:
        wide = out.options.update_width(1000)
        out.width = max([out.width] + [out.measure(t, options=wide).maximum for t in tables])
        show(out, *tables)
        return
    from .fit import fit

    show(out, *(part for table in tables for part in fit(out, table)))
