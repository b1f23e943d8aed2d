"""Graphviz DOT text of an evaluated graph: op, value and adjoint on each node, the g_weight on
each edge.  Made line by line (``dot_lines``) so a command writes it as it goes."""

from __future__ import annotations

from collections.abc import Iterator

from ..primitives import CONST, INPUT
from .nodes import number, operation


def dot_string(text: str) -> str:
    """A DOT double-quoted string; ``\\n`` in ``text`` becomes a centred line break."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def dot(ev, digits: int | None = None) -> str:
    """``dot_lines`` as one string (tests, small graphs)."""
    return "".join(dot_lines(ev, digits))


def dot_lines(ev, digits: int | None = None) -> Iterator[str]:
    """Graphviz DOT text of the whole graph, one line at a time (each ending in a new line):
    op, value and adjoint on each node, the g_weight on each edge (argument → node, so data
    flows up to the output at the top)."""
    tape, output = ev.program.tape, ev.program.output
    yield "digraph adcli {\n"
    yield "  graph [rankdir=BT];\n"
    yield '  node [shape=box, fontname="Helvetica"];\n'
    yield '  edge [fontname="Helvetica", fontsize=10];\n'
    for i in range(len(tape)):
        k = tape.op[i]
        names = ev.names.get(i)
        if k == INPUT:
            head, shape = ", ".join(names), "ellipse"
        elif k == CONST:
            head, shape = ", ".join(names) if names else "constant", "plaintext"
        else:
            op = operation(tape, i)
            head, shape = (f"{', '.join(names)} = {op}" if names else op), "box"
        label = (
            f"{head}\nvalue {number(ev.values[i], digits)}\nadjoint {number(ev.adjoint[i], digits)}"
        )
        extra = ", peripheries=2" if i == output else ""
        yield f"  n{i} [label={dot_string(label)}, shape={shape}{extra}];\n"
        for a, g in ev.inputs_of(i):
            yield f"  n{a} -> n{i} [label={dot_string(number(g, digits))}];\n"
    yield "}\n"
