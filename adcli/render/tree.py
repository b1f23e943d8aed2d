"""The graph drawn as a tree rooted at the output: each node's operation, value and adjoint,
each edge's g_weight; a node reached twice is drawn once and referred to afterwards.

The tree is produced line by line (``tree_lines``), each line a tuple of ``(text, style)``
segments, so a command writes it as it goes and stops when the reader leaves.  Its cost is
linear in what it prints:

- one line per edge: a node already drawn is referred to (``x ↑ (shown above)``);
- indentation is bounded: below ``PART_DEPTH`` levels a node's inputs continue as a new part
  after the current one (``v57 ↓ (inputs continued below)``, then a part rooted at
  ``v57 ↑ (continued from above, depth 24)``), so a 3,000-level chain is drawn in lines of
  bounded width instead of lines as long as the chain is deep (the output itself would grow
  with depth²);
- every walk is a loop over the tape or an explicit stack: no recursion on depth.

With ``--depth``/``--max-nodes`` cuts, the lines under a cut say how many nodes they hide and
whether a referred node is drawn above or below; that needs the whole walk's outcome, so a
first walk without text plans it (cheap, and bounded by the cuts themselves).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator

from .. import text
from ..primitives import CONST, FIRST_PRIMITIVE, INPUT
from .nodes import Glyphs, handle, number, operation, reachable

# Default cuts: pictures a person reads; --all lifts them.
DEPTH = 20
MAX_NODES = 200
# Guide levels drawn before a deep subtree continues as a part of its own (above the default
# --depth, so a default drawing is one part).
PART_DEPTH = 24

# (space, bar, tee, last tee): ASCII as the issue spells them; Unicode as Rich draws trees.
ASCII_GUIDES = ("    ", "|   ", "|-- ", "`-- ")
UNICODE_GUIDES = ("    ", "│   ", "├── ", "└── ")
GUIDE = "dim"

Line = tuple[tuple[str, str], ...]


def node_segments(ev, i: int, tag: bool, digits: int | None) -> list[tuple[str, str]]:
    """``name: op = value  adjoint A`` (``tag`` names an unnamed node ``v<id>``)."""
    tape = ev.program.tape
    k = tape.op[i]
    names = ev.names.get(i, ())
    label: list[tuple[str, str]] = []
    if k == INPUT:
        label.append((", ".join(names), "bold green"))
    elif k == CONST and not names:
        label.append((text.number(tape.const[i], short=True), "bold"))
    elif k == CONST:
        label.append((", ".join(names), "bold"))
    else:
        shown = ", ".join(names) or (f"v{i}" if tag else "")
        if shown:
            label.append((shown + ": ", "bold magenta"))
        label.append((operation(tape, i), "bold"))
    if k != CONST or names:
        label.append((" = " + number(ev.values[i], digits), ""))
    adjoint = ev.adjoint[i]
    label.append(("  adjoint " + number(adjoint, digits), "cyan"))
    if not ev.active[i]:
        # The engine never needs a constant's adjoint; say so where it cannot be had.
        if not math.isfinite(adjoint):
            label.append((" (not needed: a constant)", "dim"))
        label = [(text, f"{style} dim".strip()) for text, style in label]
    return label


class _Walk:
    """The tree's depth-first walk as events, one per output line (and one per part).

    Events: ``("node", guide, i, g, note)`` (``note``: "cut", "part" or None), ``("ref", guide,
    i, g)``, ``("under", guide, i)`` (a cut node: its lines follow), ``("part", i, level)``.
    After the walk, ``drawn`` maps each node drawn in full to its line number, ``cuts`` lists the
    cut nodes in order and ``stopped`` says whether --max-nodes ended it.
    """

    def __init__(self, ev, depth: int | None, max_nodes: int | None, guides) -> None:
        self.ev, self.depth, self.max_nodes = ev, depth, max_nodes
        self.space, self.bar, self.tee, self.last = guides
        self.drawn: dict[int, int] = {}
        self.cuts: list[int] = []
        self.stopped = False

    def events(self) -> Iterator[tuple]:
        max_nodes, output = self.max_nodes, self.ev.program.output
        drawn = self.drawn
        parts: deque[tuple[int, int]] = deque()
        lines = 1
        drawn[output] = lines
        note = self._note(output, 0, 0)
        yield ("node", "", output, None, note)
        # (node, level, level within its part, g_weight, ancestors' guides, last child?)
        stack: list[tuple[int, int, int, float, str, bool]] = []
        self._follow(output, 0, 0, "", note, stack, parts)
        if note == "cut":
            yield ("under", "", output)
        while True:
            while stack:
                if max_nodes is not None and lines >= max_nodes:
                    self.stopped = True
                    return
                i, level, rel, g, prefix, last = stack.pop()
                lines += 1
                guide = prefix + (self.last if last else self.tee)
                if i in drawn:
                    yield ("ref", guide, i, g)
                    continue
                drawn[i] = lines
                note = self._note(i, level, rel)
                yield ("node", guide, i, g, note)
                below = prefix + (self.space if last else self.bar)
                self._follow(i, level, rel, below, note, stack, parts)
                if note == "cut":
                    yield ("under", below, i)
            if not parts:
                return
            if max_nodes is not None and lines >= max_nodes:
                self.stopped = True
                return
            i, level = parts.popleft()
            yield ("part", i, level)
            # The part's root repeats the node (drawn above); its inputs start the part afresh.
            self._follow(i, level, 0, "", None, stack, parts)

    def _note(self, i: int, level: int, rel: int) -> str | None:
        if self.ev.program.tape.op[i] < FIRST_PRIMITIVE:
            return None
        if self.depth is not None and level >= self.depth:
            return "cut"
        return "part" if rel >= PART_DEPTH else None

    def _follow(self, i, level, rel, below, note, stack, parts) -> None:
        tape = self.ev.program.tape
        if note == "cut":
            self.cuts.append(i)
            return
        if note == "part":
            parts.append((i, level))
            return
        if tape.op[i] < FIRST_PRIMITIVE:
            return
        if tape.arg1[i] >= 0:
            stack.append((tape.arg1[i], level + 1, rel + 1, self.ev.g1[i], below, True))
            stack.append((tape.arg0[i], level + 1, rel + 1, self.ev.g0[i], below, False))
        else:
            stack.append((tape.arg0[i], level + 1, rel + 1, self.ev.g0[i], below, True))


def tree_lines(
    ev,
    depth: int | None = DEPTH,
    max_nodes: int | None = MAX_NODES,
    ascii: bool = False,
    digits: int | None = None,
) -> Iterator[Line]:
    """The tree rooted at the output, line by line (with summary lines when cut).

    Each node shows its operation, value and adjoint; each child line starts with the parent's
    g_weight with respect to that child.  Depth-first in argument order; a node already drawn is
    referred to, so there is at most one line per edge.  Nodes deeper than ``depth`` or after
    ``max_nodes`` lines are counted, not drawn.
    """
    glyphs = Glyphs(ascii)
    guides = ASCII_GUIDES if ascii else UNICODE_GUIDES
    tee, last = guides[2:]
    tape, output = ev.program.tape, ev.program.output
    mark = reachable(tape, output)
    shared = _shared(tape, mark)
    order: dict[int, int] = {}
    hidden: dict[int, int] = {}
    if depth is not None or max_nodes is not None:
        plan = _Walk(ev, depth, max_nodes, guides)
        for _ in plan.events():
            pass
        order = plan.drawn
        hidden = dict(zip(plan.cuts, _attribute_hidden(tape, order, plan.cuts)))

    def edge(guide: str, g: float) -> list[tuple[str, str]]:
        return [(guide, GUIDE), ("g=" + number(g, digits), "yellow"), ("  ", "")]

    def reference(i: int, above: bool) -> list[tuple[str, str]]:
        where = f"{glyphs.up} (shown above)" if above else f"{glyphs.down} (shown below)"
        return [(handle(ev, i), "bold"), (where, "dim")]

    walk = _Walk(ev, depth, max_nodes, guides)
    for event in walk.events():
        kind = event[0]
        if kind == "node":
            _, guide, i, g, note = event
            line = [] if g is None else edge(guide, g)
            line += node_segments(ev, i, bool(shared[i]) or note == "part", digits)
            if note == "part":
                line.append((f"{glyphs.down} (inputs continued below)", "dim"))
            yield tuple(line)
        elif kind == "ref":
            _, guide, i, g = event
            yield (*edge(guide, g), *reference(i, True))
        elif kind == "under":
            _, below, i = event
            inputs = ev.inputs_of(i)
            items: list[list[tuple[str, str]]] = [
                reference(a, order[a] < order[i]) for a, _ in inputs if a in order
            ]
            weights = [g for a, g in inputs if a in order]
            n = hidden[i]
            if n or any(a not in order for a, _ in inputs):
                more = (
                    f"{n:,} more node{'s' if n != 1 else ''}" if n else "more nodes (counted above)"
                )
                items.append([(f"{glyphs.more} {more}", "dim")])
            for k, item in enumerate(items):
                guide = below + (last if k == len(items) - 1 else tee)
                head = edge(guide, weights[k]) if k < len(weights) else [(guide, GUIDE)]
                yield (*head, *item)
        else:  # a part: the inputs of a node drawn above, too deep to indent further
            _, i, level = event
            yield ()
            yield (
                (handle(ev, i), "bold"),
                (f"{glyphs.up} (continued from above, depth {level})", "dim"),
            )
    if not walk.stopped and not walk.cuts:
        return
    total, drawn = sum(mark), len(walk.drawn)
    if walk.stopped:
        rest = total - drawn - sum(hidden.values())
        what = f" {rest:,} more node{'s' if rest != 1 else ''}" if rest else ""
        yield ((f"{glyphs.more}{what} (stopped at --max-nodes {max_nodes})", "dim"),)
    limits = [f"--depth {depth}"] if walk.cuts else []
    limits += [f"--max-nodes {max_nodes}"] if walk.stopped else []
    yield (
        (
            f"drew {drawn:,} of {total:,} nodes ({', '.join(limits)}); "
            "raise the limits or use --all to draw every node",
            "dim",
        ),
    )


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
