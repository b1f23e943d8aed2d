"""Graphviz DOT text of an evaluated graph: op, value and adjoint on each node, the g_weight on
each edge."""

from __future__ import annotations

from ..primitives import CONST, INPUT
from .nodes import number, operation


def dot_string(text: str) -> str:
    """A DOT double-quoted string; ``\\n`` in ``text`` becomes a centred line break."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def dot(ev, digits: int | None = None) -> str:
    """Graphviz DOT text of the whole graph: op, value and adjoint on each node, the g_weight on
    each edge (argument → node, so data flows up to the output at the top)."""
    tape, output = ev.program.tape, ev.program.output
    lines = [
        "digraph adcli {",
        "  graph [rankdir=BT];",
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
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
        lines.append(f"  n{i} [label={dot_string(label)}, shape={shape}{extra}];")
        for a, g in ev.inputs_of(i):
            lines.append(f"  n{a} -> n{i} [label={dot_string(number(g, digits))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
