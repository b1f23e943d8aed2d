"""Rendering results for people: pure functions that return Rich renderables.

Rich is imported only here, so paths that print JSON never pay for it.  The console decides
colour from the stream and the environment (NO_COLOR, FORCE_COLOR, TERM=dumb): a pipe gets
plain text.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .output import format_number


def console(stream=None) -> Console:
    """A console on stdout (or ``stream``); plain, colourless text unless it is a terminal."""
    return Console(file=stream or sys.stdout, highlight=False, soft_wrap=False)


def clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def titled_table(title: str, caption: str | None = None) -> Table:
    """A table titled by the program (clipped to one line), with an optional caption."""
    return Table(
        title=Text(clip(title)), title_justify="left", caption=caption, caption_justify="left"
    )


def gradient_table(
    program_text: str,
    value: float,
    rows: list[tuple[str, float | None, float]],
    digits: int | None = None,
    output_name: str = "f",
) -> Table:
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
