"""The evaluation as a Wengert list: the forward sweep in creation order, then the reverse
sweep's chain-rule terms, as Rich tables (a short trace on a terminal) or as columns written
line by line (``trace_lines``: a pipe, or any long trace)."""

from __future__ import annotations

from array import array
from itertools import chain

from ..primitives import FIRST_PRIMITIVE, INPUT
from ..text import locator
from .nodes import Glyphs, handle, number, operation

MAX_STEPS = 40
GRADIENT_SHOWN = 12  # partials listed under a trace (eval --json lists them all)

# ---- trace -------------------------------------------------------------------------------------
#
# The trace is described as data first — lines of text and tables whose rows are made on
# demand — and then drawn either by Rich (a short trace on a terminal) or as columns written as
# they are made: Rich lays a table out at a few milliseconds a row and holds it all, minutes for
# a 100,000-step --all, while the columns cost two passes over the rows (one to measure the
# widths, one to write) and memory for one row.  The column layout is Rich's own (3 spaces
# between columns, a rule under the header), so both read alike.

FORWARD_COLUMNS = (
    ("step", "right"),
    ("node", "left"),
    ("op", "left"),
    ("inputs", "left"),
    ("value", "right"),
    ("local derivatives", "left"),
    ("at", "left"),
)
REVERSE_COLUMNS = (("step", "right"), ("node", "left"), ("adjoint", "right"), ("adds", "left"))
GAP = None  # a row of the table standing for the steps not shown


class Table:
    """Columns as ``(header, "left"|"right")`` and ``rows()``, a fresh iterator over the rows
    each call (a row is a tuple of cells, a cell may hold lines; ``GAP`` marks a cut)."""

    __slots__ = ("columns", "rows")

    def __init__(self, columns, rows) -> None:
        self.columns, self.rows = columns, rows


def _shown_rows(n: int, max_steps: int | None) -> tuple[range, range]:
    """Head and tail of ``n`` rows within ``max_steps`` (all of them when it is None)."""
    if max_steps is None or n <= max_steps:
        return range(n), range(0)
    head = (max_steps + 1) // 2
    return range(head), range(n - (max_steps - head), n)


def _cut(n: int, max_steps: int | None):
    head, tail = _shown_rows(n, max_steps)
    return chain(head, (GAP,), tail) if len(tail) else head


def _gap_note(steps: int, max_steps: int | None, glyphs: Glyphs) -> list[str]:
    """The line under a cut table saying what the gap hides (a cell would widen its column)."""
    head, tail = _shown_rows(steps, max_steps)
    if not len(tail):
        return []
    hidden = steps - len(head) - len(tail)
    return [
        f"({glyphs.more} {hidden:,} steps not shown, {len(head) + 1} to {tail[0]}; "
        "--all shows every step)"
    ]


def forward_rows(ev, max_steps: int | None, glyphs: Glyphs, digits=None) -> Table:
    """The forward sweep in creation order: step, node, op, inputs, value, g_weights, place."""
    tape = ev.program.tape
    where = locator(ev.program.source)

    def rows():
        for i in _cut(len(tape), max_steps):
            if i is GAP:
                yield GAP
                continue
            inputs = ev.inputs_of(i)
            local = ", ".join(f"{glyphs.d}{handle(ev, a)} = {number(g, digits)}" for a, g in inputs)
            yield (
                str(i + 1),
                _node_cell(ev, i),
                operation(tape, i),
                ", ".join(handle(ev, a) for a, _ in inputs),
                number(ev.values[i], digits),
                local,
                where(tape.at[i]) or "",
            )

    return Table(FORWARD_COLUMNS, rows)


def _node_cell(ev, i: int) -> str:
    names = ev.names.get(i)
    if names and ev.program.tape.op[i] >= FIRST_PRIMITIVE:
        return f"v{i} ({', '.join(names)})"
    return handle(ev, i) if names else f"v{i}"


def reverse_steps(ev) -> array:
    """The nodes the engine's reverse loop visits, output first: every node from the output
    down, except constants and constant subexpressions (no input depends on them)."""
    active = ev.active
    return array("q", (i for i in range(ev.program.output, -1, -1) if active[i]))


def reverse_rows(ev, max_steps: int | None, glyphs: Glyphs, digits=None) -> Table:
    """The reverse sweep: each node's adjoint and the chain-rule terms ``adjoint × g_weight`` it
    adds into its inputs' adjoints; an input's row shows the terms it received, summed."""
    tape = ev.program.tape
    steps = reverse_steps(ev)
    received = _received_terms(ev, steps)

    def rows():
        for s in _cut(len(steps), max_steps):
            if s is GAP:
                yield GAP
                continue
            i = steps[s]
            g = ev.adjoint[i]
            if tape.op[i] == INPUT:
                terms, count = received.get(i, ((), 0))
                adds = f"{glyphs.df}{handle(ev, i)} = {_sum_text(terms, count, g, digits)}"
            elif g == 0.0:
                adds = "nothing (adjoint is 0)"
            else:
                adds = "\n".join(
                    f"{handle(ev, a)} += {number(g, digits)} {glyphs.times} {number(w, digits)}"
                    f" = {number(g * w, digits)}"
                    for a, w in ev.inputs_of(i)
                    if ev.active[a]
                )
            yield (str(s + 1), _node_cell(ev, i), number(g, digits), adds)

    return Table(REVERSE_COLUMNS, rows)


TERMS_SHOWN = 4  # an input's row lists the terms it received up to this many, else their count


def _received_terms(ev, steps) -> dict[int, tuple[list[float], int]]:
    """For each input node, the first terms added into its adjoint (in the sweep's order) and
    how many there were: a row shows them only when there are few."""
    tape = ev.program.tape
    received: dict[int, tuple[list[float], int]] = {}
    for i in steps:
        g = ev.adjoint[i]
        if g == 0.0 or tape.op[i] < FIRST_PRIMITIVE:
            continue
        for a, w in ev.inputs_of(i):
            if tape.op[a] == INPUT:
                terms, count = received.get(a, ([], 0))
                if count < TERMS_SHOWN:
                    terms.append(g * w)
                received[a] = (terms, count + 1)
    return received


def _sum_text(terms, count: int, total: float, digits: int | None) -> str:
    if count <= 1:
        return number(total, digits) if count else "0.0 (the output does not depend on it)"
    if count > TERMS_SHOWN:
        return f"{number(total, digits)} (sum of {count:,} terms)"
    return " + ".join(number(t, digits) for t in terms) + " = " + number(total, digits)


def trace_parts(ev, max_steps: int | None = MAX_STEPS, ascii: bool = False, digits=None) -> list:
    """The trace as data: ``(text, style)`` lines and ``Table`` objects, in order."""
    glyphs = Glyphs(ascii)
    program = ev.program
    shown = list(program.inputs.items())[:GRADIENT_SHOWN]
    gradient = ", ".join(f"{name} = {number(ev.adjoint[node], digits)}" for name, node in shown)
    if len(program.inputs) > len(shown):
        gradient += f", {glyphs.more} ({len(program.inputs) - len(shown):,} more inputs)"
    result = f"value {number(ev.values[program.output], digits)}"
    if gradient:
        result += f"; gradient {gradient}"
    reverse = (
        f"reverse sweep: adjoint = {glyphs.df}node; "
        f"each node adds adjoint {glyphs.times} g_weight into its inputs' adjoints"
    )
    dim = "dim"
    return [
        ("forward sweep: each node's value and local derivatives (g_weights), in creation order",
         "bold"),
        forward_rows(ev, max_steps, glyphs, digits),
        *((note, dim) for note in _gap_note(len(program.tape), max_steps, glyphs)),
        ("", ""),
        (reverse, "bold"),
        reverse_rows(ev, max_steps, glyphs, digits),
        *((note, dim) for note in _gap_note(len(reverse_steps(ev)), max_steps, glyphs)),
        *((note, dim) for note in _skipped_note(ev)),
        ("", ""),
        (result, "bold"),
    ]  # fmt: skip


def _skipped_note(ev) -> list[str]:
    skipped = ev.program.output + 1 - len(reverse_steps(ev))
    if not skipped:
        return []
    nodes = f"{skipped:,} constant node{'s' if skipped != 1 else ''}"
    them = "them" if skipped != 1 else "it"
    return [f"({nodes} skipped: no input depends on {them})"]


def trace(ev, max_steps: int | None = MAX_STEPS, ascii: bool = False, digits=None, fit_to=None):
    """Both sweeps as Rich renderables: one table each, notes, and the result; with a console
    ``fit_to``, a table wider than it is wrapped or stacked (``render.fit``), never cut."""
    from rich import box
    from rich.console import Group
    from rich.table import Table as RichTable
    from rich.text import Text

    glyphs = Glyphs(ascii)
    style = (
        box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
        if ascii
        else box.SIMPLE_HEAD
    )
    parts = []
    for part in trace_parts(ev, max_steps, ascii, digits):
        if not isinstance(part, Table):
            parts.append(Text(*part))
            continue
        table = RichTable(box=style, show_edge=False, pad_edge=False)
        for name, justify in part.columns:
            table.add_column(name, justify=justify, overflow="fold")
        for row in part.rows():
            if row is GAP:
                table.add_row(*[glyphs.more] * len(part.columns), style="dim")
            else:
                table.add_row(*row)
        if fit_to is None:
            parts.append(table)
        else:
            from .fit import fit

            parts.extend(fit(fit_to, table))
    return Group(*parts)


def trace_lines(ev, max_steps: int | None = MAX_STEPS, ascii: bool = True, digits=None):
    """Both sweeps line by line, as ``(text, style)`` segments, laid out as Rich lays out
    ``trace(...)`` at its natural width — whatever the number of steps, memory for one row."""
    glyphs = Glyphs(ascii)
    for part in trace_parts(ev, max_steps, ascii, digits):
        if isinstance(part, Table):
            yield from _table_lines(part, glyphs, "-" if ascii else "─")
        else:
            yield ((part[0], part[1]),) if part[0] else ()


def trace_text(ev, max_steps: int | None = MAX_STEPS, digits=None, ascii: bool = True) -> str:
    """``trace_lines`` as one plain string (tests, small traces)."""
    return "".join(
        "".join(text for text, _ in line) + "\n"
        for line in trace_lines(ev, max_steps, ascii, digits)
    )


def _table_lines(table: Table, glyphs: Glyphs, rule: str):
    columns = len(table.columns)
    gap = (glyphs.more,) * columns
    widths = [len(name) for name, _ in table.columns]
    for row in table.rows():  # first pass: the widths, nothing kept
        for j, cell in enumerate(gap if row is GAP else row):
            width = max(map(len, cell.split("\n"))) if "\n" in cell else len(cell)
            if width > widths[j]:
                widths[j] = width
    right = [justify == "right" for _, justify in table.columns]

    def lines(row, style: str):
        if not any("\n" in c for c in row):  # one line: no splitting
            text = "   ".join(
                c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)
            ).rstrip()
            yield ((text, style),)
            return
        cells = [c.split("\n") for c in row]
        for k in range(max(map(len, cells))):
            text = "   ".join(
                (c[k] if k < len(c) else "").rjust(w)
                if r
                else (c[k] if k < len(c) else "").ljust(w)
                for c, w, r in zip(cells, widths, right)
            ).rstrip()
            yield ((text, style),)

    yield from lines([name for name, _ in table.columns], "bold")
    yield ((rule * (sum(widths) + 3 * (len(widths) - 1)), ""),)
    for row in table.rows():
        yield from lines(gap, "dim") if row is GAP else lines(row, "")
