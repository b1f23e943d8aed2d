"""How the pictures name and label a node: numbers as text, operations, handles, glyphs, and
which nodes the output depends on.  Shared by tree, trace, dot and the graph data."""

from __future__ import annotations

from .. import text
from ..primitives import BY_CODE, CONST, FIRST_PRIMITIVE, INPUT


def reachable(tape, output: int) -> bytearray:
    """1 for every node the output depends on (one reverse loop: arguments come first)."""
    mark = bytearray(len(tape))
    mark[output] = 1
    op, arg0, arg1 = tape.op, tape.arg0, tape.arg1
    for i in range(output, -1, -1):
        if mark[i] and op[i] >= FIRST_PRIMITIVE:
            mark[arg0[i]] = 1
            if arg1[i] >= 0:
                mark[arg1[i]] = 1
    return mark


# ---- text pieces shared by the pictures ---------------------------------------------------------


def number(x: float, digits: int | None = None) -> str:
    """A value as the pictures show it: ``adcli.text.number``, with nan read as "undefined" (a
    constant's g_weight such as ∂(u^2)/∂2 at u < 0: log of a negative)."""
    return text.number(x, digits, nan="undefined")


def operation(tape, i: int) -> str:
    """A node's operation as the program writes it: ``*``, ``sin``; ``input``/``constant``."""
    k = tape.op[i]
    if k == INPUT:
        return "input"
    if k == CONST:
        return "constant"
    p = BY_CODE[k]
    return p.symbol or p.call_name


def handle(ev, i: int) -> str:
    """How the pictures refer to a node: its first name, a constant's literal, else ``v<id>``."""
    names = ev.names.get(i)
    if names:
        return names[0]
    if ev.program.tape.op[i] == CONST:
        return text.number(ev.program.tape.const[i], short=True)
    return f"v{i}"


class Glyphs:
    """The few non-ASCII characters of the pictures, with their ASCII stand-ins."""

    def __init__(self, ascii: bool) -> None:
        # No ASCII arrow: "^" is the power operator in the very same tree.
        self.up, self.down = ("", "") if ascii else (" ↑", " ↓")
        self.more = "..." if ascii else "…"
        self.times = "*" if ascii else "×"
        self.d = "d/d" if ascii else "∂/∂"
        self.df = "df/d" if ascii else "∂f/∂"
