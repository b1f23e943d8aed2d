"""The graph drawn as a tree rooted at the output: each node's operation, value and adjoint,
each edge's g_weight; a node reached twice is drawn once and referred to afterwards.

Every walk is a loop over the tape or an explicit stack: a 100,000-level program costs no
recursion.  Rich is imported inside the functions that build Rich objects.
"""

from __future__ import annotations

import math
from functools import cache

from ..primitives import CONST, FIRST_PRIMITIVE, INPUT
from ..printer import format_constant
from .nodes import Glyphs, handle, number, operation, reachable

# Default cuts: pictures a person reads; --all lifts them.
DEPTH = 20
MAX_NODES = 200

# ASCII guides as the issue spells them; Rich's own ASCII set forks with "+--".
ASCII_GUIDES = ("    ", "|   ", "|-- ", "`-- ")


def _node_label(ev, i: int, tag: bool, digits: int | None):
    """``name: op = value  adjoint A`` (``tag`` names an unnamed shared node ``v<id>``)."""
    from rich.text import Text

    tape = ev.program.tape
    k = tape.op[i]
    names = ev.names.get(i, ())
    label = Text()
    if k == INPUT:
        label.append(", ".join(names), "bold green")
    elif k == CONST and not names:
        label.append(format_constant(tape.const[i]), "bold")
    elif k == CONST:
        label.append(", ".join(names), "bold")
    else:
        shown = ", ".join(names) or (f"v{i}" if tag else "")
        if shown:
            label.append(shown + ": ", "bold magenta")
        label.append(operation(tape, i), "bold")
    if k != CONST or names:
        label.append(" = " + number(ev.values[i], digits))
    adjoint = ev.adjoint[i]
    label.append("  adjoint " + number(adjoint, digits), "cyan")
    if not ev.active[i]:
        # The engine never needs a constant's adjoint; say so where it cannot be had.
        label.append("" if math.isfinite(adjoint) else " (not needed: a constant)", "dim")
        label.stylize("dim")
    return label


def _edge_label(g: float, digits: int | None, body):
    from rich.text import Text

    label = Text()
    label.append("g=" + number(g, digits), "yellow")
    label.append("  ")
    label.append_text(body)
    return label


def tree(
    ev,
    depth: int | None = DEPTH,
    max_nodes: int | None = MAX_NODES,
    ascii: bool = False,
    digits: int | None = None,
):
    """A Rich Tree rooted at the output (with a summary line when cut).

    Each node shows its operation, value and adjoint; each child line starts with the parent's
    g_weight with respect to that child.  Depth-first in argument order with an explicit stack;
    a node already drawn is referred to (``x ↑ (shown above)``), so there is at most one line per
    edge.  Nodes deeper than ``depth`` or after ``max_nodes`` lines are counted, not drawn.
    """
    from rich.console import Group
    from rich.text import Text
    from rich.tree import Tree

    glyphs = Glyphs(ascii)
    tape, output = ev.program.tape, ev.program.output
    mark = reachable(tape, output)
    shared = _shared(tape, mark)
    tree_class = _ascii_tree_class() if ascii else Tree
    style = "dim"

    def full(i: int):
        return _node_label(ev, i, shared[i], digits)

    def reference(i: int, order: int, here: int):
        text = Text()
        text.append(handle(ev, i), "bold")
        above = order < here
        arrow = glyphs.up if above else glyphs.down
        text.append(f"{arrow} (shown {'above' if above else 'below'})", style)
        return text

    drawn: dict[int, int] = {output: 0}  # node -> its line number when drawn in full
    root = tree_class(full(output), guide_style=style)
    cuts: list[tuple[object, int]] = []
    lines = 1
    stack: list[tuple[object, int, int, float]] = []

    def expand(parent, i: int, level: int) -> None:
        if depth is not None and level >= depth:
            cuts.append((parent, i))
            return
        for a, g in reversed(ev.inputs_of(i)):
            stack.append((parent, a, level + 1, g))

    expand(root, output, 0)
    while stack:
        if max_nodes is not None and lines >= max_nodes:
            break
        parent, i, level, g = stack.pop()
        lines += 1
        if i in drawn:
            parent.add(_edge_label(g, digits, reference(i, drawn[i], lines)))
            continue
        drawn[i] = lines
        expand(parent.add(_edge_label(g, digits, full(i))), i, level)

    total = sum(mark)
    hidden = _attribute_hidden(tape, drawn, [i for _, i in cuts])
    for (handle_tree, i), n in zip(cuts, hidden):
        for a, g in ev.inputs_of(i):
            if a in drawn:
                handle_tree.add(_edge_label(g, digits, reference(a, drawn[a], drawn[i])))
        if n or any(a not in drawn for a, _ in ev.inputs_of(i)):
            more = f"{n:,} more node{'s' if n != 1 else ''}" if n else "more nodes (counted above)"
            handle_tree.add(Text(f"{glyphs.more} {more}", style))
    not_drawn = total - len(drawn)
    if not stack and not cuts:
        return root
    parts: list[object] = [root]
    rest = not_drawn - sum(hidden)
    if stack:
        what = f" {rest:,} more node{'s' if rest != 1 else ''}" if rest else ""
        parts.append(Text(f"{glyphs.more}{what} (stopped at --max-nodes {max_nodes})", style))
    limits = [f"--depth {depth}"] if cuts else []
    limits += [f"--max-nodes {max_nodes}"] if stack else []
    parts.append(
        Text(
            f"drew {len(drawn):,} of {total:,} nodes ({', '.join(limits)}); "
            "raise the limits or use --all to draw every node",
            style,
        )
    )
    return Group(*parts)


def _shared(tape, mark: bytearray) -> bytearray:
    """1 for nodes used by more than one consumer the output depends on (drawn with a tag)."""
    uses = bytearray(len(tape))
    for k, a, b, m in zip(tape.op, tape.arg0, tape.arg1, mark):
        if m and k >= FIRST_PRIMITIVE:
            uses[a] = min(2, uses[a] + 1)
            if b >= 0:
                uses[b] = min(2, uses[b] + 1)
    return bytearray(1 if u > 1 else 0 for u in uses)


def _attribute_hidden(tape, drawn: dict[int, int], cut_nodes: list[int]) -> list[int]:
    """Per cut node, how many undrawn nodes lie below it and below no earlier cut, so the
    "… N more nodes" lines add up to every node not drawn (each counted once)."""
    seen = bytearray(len(tape))
    for i in drawn:
        seen[i] = 1
    op, arg0, arg1 = tape.op, tape.arg0, tape.arg1
    counts = []
    for node in cut_nodes:
        n = 0
        stack = [node]
        while stack:
            i = stack.pop()
            if op[i] < FIRST_PRIMITIVE:
                continue
            for a in (arg0[i], arg1[i]):
                if a >= 0 and not seen[a]:
                    seen[a] = 1
                    n += 1
                    stack.append(a)
        counts.append(n)
    return counts


@cache
def _ascii_tree_class():
    from rich.tree import Tree

    class AsciiTree(Tree):
        """A Rich Tree drawn with ``|--`` and ```--`` whatever the terminal's encoding."""

        TREE_GUIDES = [ASCII_GUIDES] * 3
        ASCII_GUIDES = ASCII_GUIDES

    return AsciiTree


def natural_width(console, renderable, at_least: int) -> int:
    """The width at which ``renderable`` needs no wrapping (never less than ``at_least``)."""
    from rich.measure import Measurement

    measured = Measurement.get(console, console.options.update(width=10**6), renderable)
    return max(at_least, measured.maximum)
