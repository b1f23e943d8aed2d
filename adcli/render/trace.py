"""The evaluation as a Wengert list: the forward sweep in creation order, then the reverse
sweep's chain-rule terms, as Rich tables (a terminal) or plain columns (a pipe)."""

from __future__ import annotations

from ..errors import locator
from ..primitives import FIRST_PRIMITIVE, INPUT
from .nodes import Glyphs, handle, number, operation

MAX_STEPS = 40
GRADIENT_SHOWN = 12  # partials listed under a trace (eval --json lists them all)

# ---- trace -------------------------------------------------------------------------------------
#
# The trace is built as data first — lines of text and tables of cells — and then drawn either
# by Rich (a terminal) or as plain columns (a pipe): Rich lays a table out at a few milliseconds
# a row, minutes for a 100,000-step --all, while plain columns cost one pass.  The plain layout
# is Rich's own (3 spaces between columns, a dashed rule under the header), so both read alike.

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
    """Columns as ``(header, "left"|"right")`` and rows of cells (a cell may hold lines)."""

    __slots__ = ("columns", "rows")

    def __init__(self, columns, rows: list) -> None:
        self.columns, self.rows = columns, rows


def _shown_rows(n: int, max_steps: int | None) -> tuple[range, range]:
    """Head and tail of ``n`` rows within ``max_steps`` (all of them when it is None)."""
    if max_steps is None or n <= max_steps:
        return range(n), range(0)
    head = (max_steps + 1) // 2
    return range(head), range(n - (max_steps - head), n)


def _cut(n: int, max_steps: int | None) -> list[int | None]:
    head, tail = _shown_rows(n, max_steps)
    return [*head, GAP, *tail] if len(tail) else list(head)


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
    rows: list = []
    for i in _cut(len(tape), max_steps):
        if i is GAP:
            rows.append(GAP)
            continue
        inputs = ev.inputs_of(i)
        local = ", ".join(f"{glyphs.d}{handle(ev, a)} = {number(g, digits)}" for a, g in inputs)
        rows.append(
            (
                str(i + 1),
                _node_cell(ev, i),
                operation(tape, i),
                ", ".join(handle(ev, a) for a, _ in inputs),
                number(ev.values[i], digits),
                local,
                where(tape.at[i]) or "",
            )
        )
    return Table(FORWARD_COLUMNS, rows)


def _node_cell(ev, i: int) -> str:
    names = ev.names.get(i)
    if names and ev.program.tape.op[i] >= FIRST_PRIMITIVE:
        return f"v{i} ({', '.join(names)})"
    return handle(ev, i) if names else f"v{i}"


def reverse_steps(ev) -> list[int]:
    """The nodes the engine's reverse loop visits, output first: every node from the output
    down, except constants and constant subexpressions (no input depends on them)."""
    return [i for i in range(ev.program.output, -1, -1) if ev.active[i]]


def reverse_rows(ev, max_steps: int | None, glyphs: Glyphs, digits=None) -> Table:
    """The reverse sweep: each node's adjoint and the chain-rule terms ``adjoint × g_weight`` it
    adds into its inputs' adjoints; an input's row shows the terms it received, summed."""
    tape = ev.program.tape
    steps = reverse_steps(ev)
    received = _received_terms(ev, steps)
    rows: list = []
    for s in _cut(len(steps), max_steps):
        if s is GAP:
            rows.append(GAP)
            continue
        i = steps[s]
        g = ev.adjoint[i]
        if tape.op[i] == INPUT:
            adds = f"{glyphs.df}{handle(ev, i)} = {_sum_text(received.get(i, []), g, digits)}"
        elif g == 0.0:
            adds = "nothing (adjoint is 0)"
        else:
            adds = "\n".join(
                f"{handle(ev, a)} += {number(g, digits)} {glyphs.times} {number(w, digits)}"
                f" = {number(g * w, digits)}"
                for a, w in ev.inputs_of(i)
                if ev.active[a]
            )
        rows.append((str(s + 1), _node_cell(ev, i), number(g, digits), adds))
    return Table(REVERSE_COLUMNS, rows)


def _received_terms(ev, steps: list[int]) -> dict[int, list[float]]:
    """For each input node, the terms added into its adjoint, in the sweep's order."""
    tape = ev.program.tape
    received: dict[int, list[float]] = {}
    for i in steps:
        g = ev.adjoint[i]
        if g == 0.0 or tape.op[i] < FIRST_PRIMITIVE:
            continue
        for a, w in ev.inputs_of(i):
            if tape.op[a] == INPUT:
                received.setdefault(a, []).append(g * w)
    return received


def _sum_text(terms: list[float], total: float, digits: int | None) -> str:
    if len(terms) <= 1:
        return number(total, digits) if terms else "0.0 (the output does not depend on it)"
    if len(terms) > 4:
        return f"{number(total, digits)} (sum of {len(terms):,} terms)"
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


def trace(ev, max_steps: int | None = MAX_STEPS, ascii: bool = False, digits=None):
    """Both sweeps as Rich renderables: one table each, notes, and the result."""
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
        for row in part.rows:
            if row is GAP:
                table.add_row(*[glyphs.more] * len(part.columns), style="dim")
            else:
                table.add_row(*row)
        parts.append(table)
    return Group(*parts)


def trace_text(ev, max_steps: int | None = MAX_STEPS, digits=None) -> str:
    """Both sweeps as plain ASCII text, laid out as Rich lays out ``trace(..., ascii=True)``
    at its natural width — in one pass, whatever the number of steps."""
    out: list[str] = []
    for part in trace_parts(ev, max_steps, True, digits):
        if isinstance(part, Table):
            out.extend(_plain_table(part, Glyphs(True)))
        else:
            out.append(part[0])
    return "\n".join(out) + "\n"


def _plain_table(table: Table, glyphs: Glyphs) -> list[str]:
    rows = [
        [glyphs.more] * len(table.columns) if row is GAP else [c.split("\n") for c in row]
        for row in table.rows
    ]
    rows = [[[c] if isinstance(c, str) else c for c in row] for row in rows]
    header = [[name] for name, _ in table.columns]
    widths = [len(name) for name, _ in table.columns]
    for row in rows:
        for j, cell in enumerate(row):
            widths[j] = max(widths[j], *map(len, cell))
    right = [justify == "right" for _, justify in table.columns]

    def lines(row) -> list[str]:
        height = max(map(len, row))
        return [
            "   ".join(
                (c[k] if k < len(c) else "").rjust(w)
                if r
                else (c[k] if k < len(c) else "").ljust(w)
                for c, w, r in zip(row, widths, right)
            ).rstrip()
            for k in range(height)
        ]

    out = lines(header)
    out.append("-" * (sum(widths) + 3 * (len(widths) - 1)))
    for row in rows:
        out.extend(lines(row))
    return out
