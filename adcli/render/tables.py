"""The tables people read: eval's gradient, hessian's matrix, jvp's direction, check's
comparison and its finite-difference sweep.  Pure: numbers in, Rich tables out (Rich imported
inside the functions)."""

from __future__ import annotations

import math

from ..output import format_number


def clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def titled_table(title: str, caption: str | None = None):
    """A table titled by the program (clipped to one line), with an optional caption."""
    from rich.table import Table
    from rich.text import Text

    return Table(
        title=Text(clip(title)), title_justify="left", caption=caption, caption_justify="left"
    )


def gradient_table(
    program_text: str,
    value: float,
    rows: list[tuple[str, float | None, float]],
    digits: int | None = None,
    output_name: str = "f",
):
    """The value, then one row per input: name, bound value, ∂f/∂name."""
    table = titled_table(program_text)
    table.add_column("", style="bold")
    table.add_column("value", justify="right")
    table.add_column(f"∂{output_name}/∂·", justify="right", style="cyan")
    table.add_row(output_name, format_number(value, digits), "", style="bold")
    for name, bound, partial in rows:
        shown = "" if bound is None else format_number(bound, digits)
        table.add_row(name, shown, format_number(partial, digits))
    return table


def hessian_table(source: str, value: float, gradient: dict, matrix: dict, digits: int | None):
    """One row per input: its partial, then its row of the Hessian; the value in the caption."""
    table = titled_table(source, f"f = {format_number(value, digits)}")
    table.add_column("", style="bold")
    table.add_column("∂f/∂·", justify="right", style="cyan")
    for col in gradient:
        table.add_column(f"∂²f/∂·∂{col}", justify="right")
    for row, partial in gradient.items():
        cells = [format_number(matrix[row][col], digits) for col in gradient]
        table.add_row(row, format_number(partial, digits), *cells)
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
    table.add_row("f", format_number(value, digits), "", style="bold")
    for name, component in direction.items():
        table.add_row(name, format_number(bindings[name], digits), format_number(component, digits))
    table.add_row("∇f·v", format_number(derivative, digits), "", style="bold cyan")
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
            "" if bound is None else format_number(bound, digits),
            format_number(row["ad"], digits),
            format_number(row["fd"], digits)
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
    """Print Rich tables on ``out`` without cutting digits: a pipe or a file gets the width the
    widest table needs (a terminal keeps its own width)."""
    if not out.is_terminal:
        wide = out.options.update_width(1000)
        out.width = max([out.width] + [out.measure(t, options=wide).maximum for t in tables])
    for table in tables:
        out.print(table)
