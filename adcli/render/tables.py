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
    """The middle of a long array, left out of a table: ``first`` … ``last``, ``count`` rows."""

    __slots__ = ("count", "first", "last")

    def __init__(self, first: str, last: str, count: int) -> None:
        self.first, self.last, self.count = first, last, count


def element_rows(
    name: str,
    bound: float | ArrayValue | None,
    partial: float | Sequence[float],
    keep: int = ELEMENTS_SHOWN,
) -> list:
    """Table rows ``(name, bound value, partial)`` for one input: one row for a scalar, one per
    element (``x[0]``, ``W[1,0]``, row-major) for an array, whose ``partial`` is then flat; an
    array longer than ``2 * keep + 1`` keeps ``keep`` rows at each end around a ``Clipped``."""
    if not isinstance(bound, ArrayValue) and isinstance(partial, float | int):
        return [(name, bound, partial)]
    shape = bound.shape if isinstance(bound, ArrayValue) else (len(partial),)
    values = bound.data if isinstance(bound, ArrayValue) else None
    size = len(partial)

    def row(k: int) -> tuple[str, float | None, float]:
        return (element_name(name, shape, k), None if values is None else values[k], partial[k])

    if size <= 2 * keep + 1:
        return [row(k) for k in range(size)]
    middle = Clipped(
        element_name(name, shape, keep), element_name(name, shape, size - keep - 1), size - 2 * keep
    )
    return [*map(row, range(keep)), middle, *map(row, range(size - keep, size))]


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
    clipped = False
    for entry in rows:
        if isinstance(entry, Clipped):
            clipped = True
            table.add_row(
                f"{entry.first} … {entry.last}", f"{entry.count:,} rows not shown", "⋮", style="dim"
            )
            continue
        name, bound, partial = entry
        shown = "" if bound is None else number(bound, digits)
        table.add_row(name, shown, number(partial, digits))
    if clipped:
        table.caption = "Long arrays are clipped: --json prints every partial; --wrt picks inputs."
        table.caption_justify = "left"
    return table


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
    hidden = len(names) - 2 * keep if len(names) > 2 * keep + 1 else 0
    shown = names[:keep] + names[-keep:] if hidden else names
    caption = f"f = {number(value, digits)}"
    if hidden:
        caption += (
            f"; {names[keep]} … {names[-keep - 1]} ({hidden:,} rows and columns) not shown:"
            " --json prints them all, --wrt picks inputs"
        )
    table = titled_table(source, caption)
    table.add_column("", style="bold")
    table.add_column("∂f/∂·", justify="right", style="cyan")
    for k, col in enumerate(shown):
        if hidden and k == keep:
            table.add_column("⋯", justify="center", style="dim")
        table.add_column(f"∂²f/∂·∂{col}", justify="right")
    for k, row in enumerate(shown):
        cells = [number(matrix[row][col], digits) for col in shown]
        if hidden:
            if k == keep:
                label = f"{names[keep]} … {names[-keep - 1]}"
                table.add_row(label, "⋮", *["⋮"] * keep, "⋱", *["⋮"] * keep, style="dim")
            cells.insert(keep, "⋯")
        table.add_row(row, number(gradient[row], digits), *cells)
    return table


def jvp_table(
    source: str,
    value: float,
    bindings: dict[str, float],
    direction: dict[str, float],
    derivative: float,
    digits: int | None,
):
    """The value, one row per input (bound value, direction component), then ∇f·v."""
    table = titled_table(source)
    table.add_column("", style="bold")
    table.add_column("value", justify="right")
    table.add_column("direction v", justify="right", style="cyan")
    table.add_row("f", number(value, digits), "", style="bold")
    for name, component in direction.items():
        table.add_row(name, number(bindings[name], digits), number(component, digits))
    table.add_row("∇f·v", number(derivative, digits), "", style="bold cyan")
    return table


def check_table(source: str, at: dict[str, float], rows: dict, tol: float, digits: int | None):
    """AD against FD per input: bound value, both partials, the errors, ok or FAIL."""
    from rich.text import Text

    table = titled_table(source, f"FD: central differences, h = cbrt(eps)·max(1, |x|); tol {tol:g}")
    table.add_column("", style="bold")
    for head in ("value", "AD (reverse)", "FD", "abs error", "rel error", ""):
        table.add_column(head, justify="right")
    for name, row in rows.items():
        ok = row["rel_error"] <= tol
        bound = at.get(name)
        table.add_row(
            name,
            "" if bound is None else number(bound, digits),
            number(row["ad"], digits),
            number(row["fd"], digits)
            + ("" if row["method"] in ("central", "unused") else f" ({row['method']})"),
            f"{row['abs_error']:.2e}",
            f"{row['rel_error']:.2e}",
            Text("ok", style="green") if ok else Text("FAIL", style="bold red"),
        )
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
