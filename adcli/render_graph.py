"""Pictures of one evaluation: the graph with its values, g_weights and adjoints, as a tree, a
trace (the Wengert list of the forward and reverse sweeps), Graphviz DOT text or JSON-able data.

Pure functions: a program and its numbers at a point go in; Rich renderables, strings or dicts
come out, and nothing prints.  Every walk over the graph is a loop over the tape or an explicit
stack, so a 100,000-level program costs no recursion, and every picture is linear in the graph's
size: a node reached twice is drawn once and referred to afterwards.

The engine records a g_weight only for an argument that depends on an input (activity analysis),
so it never computes a constant's local derivative or adjoint.  ``evaluate`` completes both from
the same rules, for display only: a constant shows its true ∂f/∂node, never a misleading 0.  The
inputs' adjoints are untouched by this (a constant feeds nothing but other constants' sums).
Rich is imported inside the functions that build Rich objects, so ``--json`` and ``dot`` skip it.
"""

from __future__ import annotations

import gc
import math
from array import array
from functools import cache
from itertools import count

from .engine import Sweep, backward, ieee_partials, needed_partials
from .errors import locator
from .graph import Program
from .output import format_number
from .primitives import BY_CODE, CONST, FIRST_PRIMITIVE, FLOAT, INPUT
from .printer import format_constant

# Default cuts: pictures a person reads; --all lifts them.
DEPTH = 20
MAX_NODES = 200
MAX_STEPS = 40
GRADIENT_SHOWN = 12  # partials listed under a trace (eval --json lists them all)

# ASCII guides as the issue spells them; Rich's own ASCII set forks with "+--".
ASCII_GUIDES = ("    ", "|   ", "|-- ", "`-- ")


class Evaluation:
    """A program's numbers at one point, complete for display.

    ``g0``/``g1`` hold every local derivative, constants' included; ``adjoint`` every ∂f/∂node;
    ``names`` maps a node to its names (an input, a named constant, every ``name = ...`` binding).
    """

    __slots__ = ("active", "adjoint", "g0", "g1", "names", "program", "values")

    def __init__(self, program: Program, values, g0, g1, adjoint, active: bytes) -> None:
        self.program = program
        self.values, self.g0, self.g1, self.adjoint = values, g0, g1, adjoint
        self.active = active  # 1 where the node depends on an input (the engine's view)
        self.names = node_names(program)

    def inputs_of(self, i: int) -> tuple[tuple[int, float], ...]:
        """``(argument node, g_weight)`` per argument of node ``i``, in argument order."""
        tape = self.program.tape
        if tape.op[i] < FIRST_PRIMITIVE:
            return ()
        if tape.arg1[i] < 0:
            return ((tape.arg0[i], self.g0[i]),)
        return ((tape.arg0[i], self.g0[i]), (tape.arg1[i], self.g1[i]))


def evaluate(program: Program, point: dict[str, float]) -> Evaluation:
    """One forward and reverse sweep (errors as ``eval`` reports them), then the constants'
    local derivatives and adjoints filled in for display."""
    tape = program.tape
    result = program.gradient(point)
    values = result.sweep.values
    g0, g1 = complete_g_weights(tape, result.sweep)
    adjoint = backward(tape, Sweep(values, g0, g1), program.output)
    need = needed_partials(tape)
    active = bytes(1 if k == INPUT or m else 0 for k, m in zip(tape.op, need))
    return Evaluation(program, values, g0, g1, adjoint, active)


def complete_g_weights(tape, sweep: Sweep) -> tuple[array, array]:
    """The sweep's g_weights plus those the engine skipped (arguments that are constants)."""
    values = sweep.values
    g0, g1 = array("d", sweep.g0), array("d", sweep.g1)
    nodes = zip(count(), tape.op, tape.arg0, tape.arg1, needed_partials(tape))
    for i, k, a, b, m in nodes:
        if k < FIRST_PRIMITIVE or m == (1 if b < 0 else 3):
            continue
        p = BY_CODE[k]
        args = (values[a],) if b < 0 else (values[a], values[b])
        if not m & 1:
            g0[i] = local_derivative(p, 0, args, values[i])
        if b >= 0 and not m & 2:
            g1[i] = local_derivative(p, 1, args, values[i])
    return g0, g1


def local_derivative(p, slot: int, args: tuple[float, ...], value: float) -> float:
    """A primitive's g_weight for one argument by its own rule; where floats refuse (a division
    by zero), IEEE arithmetic says ±inf or nan, as the engine does for active arguments."""
    try:
        return float(p.partials[slot](FLOAT, *args, value))
    except (ArithmeticError, ValueError):
        return ieee_partials(p, args, value)[slot]


def node_names(program: Program) -> dict[int, tuple[str, ...]]:
    """Node → its names: the tape's (inputs, named constants), then every binding, in order."""
    names: dict[int, tuple[str, ...]] = {i: (n,) for i, n in program.tape.names.items()}
    for name, node in program.bindings.items():
        known = names.get(node, ())
        if name not in known:
            names[node] = (*known, name)
    return names


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
    """A value as text: round-trip exact (or ``digits`` significant); inf as it is, and nan as
    "undefined" (a constant's g_weight such as ∂(u^2)/∂2 at u < 0: log of a negative)."""
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return format_number(x, digits)


def operation(tape, i: int) -> str:
    """A node's operation as the program writes it: ``*``, ``sin``; ``input``/``constant``."""
    k = tape.op[i]
    if k == INPUT:
        return "input"
    if k == CONST:
        return "constant"
    p = BY_CODE[k]
    return p.symbol or p.call_name


def handle(ev: Evaluation, i: int) -> str:
    """How the pictures refer to a node: its first name, a constant's literal, else ``v<id>``."""
    names = ev.names.get(i)
    if names:
        return names[0]
    if ev.program.tape.op[i] == CONST:
        return format_constant(ev.program.tape.const[i])
    return f"v{i}"


# ---- JSON --------------------------------------------------------------------------------------


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def graph_data(ev: Evaluation) -> dict:
    """The graph as strict-JSON-able data, nodes in creation order; a g_weight or adjoint that is
    not finite (a derivative undefined or infinite where nothing flows through it) is None."""
    # Millions of small containers and no cycles: the cyclic collector would rescan them all
    # again and again (most of the time on a big graph), so it waits until the data is built.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _graph_data(ev)
    finally:
        if paused:
            gc.enable()


def _graph_data(ev: Evaluation) -> dict:
    program, tape = ev.program, ev.program.tape
    where = locator(program.source)
    nodes = []
    for i in range(len(tape)):
        k = tape.op[i]
        record: dict[str, object] = {"id": i}
        record["op"] = "input" if k == INPUT else "const" if k == CONST else BY_CODE[k].name
        names = ev.names.get(i)
        if names:
            record["name"] = names[0]
            if len(names) > 1:
                record["names"] = list(names)
        record["value"] = ev.values[i]
        record["adjoint"] = _finite(ev.adjoint[i])
        record["inputs"] = [[a, _finite(g)] for a, g in ev.inputs_of(i)]
        record["at"] = where(tape.at[i])
        nodes.append(record)
    return {"nodes": nodes, "output": program.output}


# ---- Graphviz DOT ------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A DOT double-quoted string; ``\\n`` in ``text`` becomes a centred line break."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def dot(ev: Evaluation, digits: int | None = None) -> str:
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


# ---- tree --------------------------------------------------------------------------------------


class Glyphs:
    """The few non-ASCII characters of the pictures, with their ASCII stand-ins."""

    def __init__(self, ascii: bool) -> None:
        # No ASCII arrow: "^" is the power operator in the very same tree.
        self.up, self.down = ("", "") if ascii else (" ↑", " ↓")
        self.more = "..." if ascii else "…"
        self.times = "*" if ascii else "×"
        self.d = "d/d" if ascii else "∂/∂"
        self.df = "df/d" if ascii else "∂f/∂"


def _node_label(ev: Evaluation, i: int, tag: bool, digits: int | None):
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
    ev: Evaluation,
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


def forward_rows(ev: Evaluation, max_steps: int | None, glyphs: Glyphs, digits=None) -> Table:
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


def _node_cell(ev: Evaluation, i: int) -> str:
    names = ev.names.get(i)
    if names and ev.program.tape.op[i] >= FIRST_PRIMITIVE:
        return f"v{i} ({', '.join(names)})"
    return handle(ev, i) if names else f"v{i}"


def reverse_steps(ev: Evaluation) -> list[int]:
    """The nodes the engine's reverse loop visits, output first: every node from the output
    down, except constants and constant subexpressions (no input depends on them)."""
    return [i for i in range(ev.program.output, -1, -1) if ev.active[i]]


def reverse_rows(ev: Evaluation, max_steps: int | None, glyphs: Glyphs, digits=None) -> Table:
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


def _received_terms(ev: Evaluation, steps: list[int]) -> dict[int, list[float]]:
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


def trace_parts(
    ev: Evaluation, max_steps: int | None = MAX_STEPS, ascii: bool = False, digits=None
) -> list:
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


def _skipped_note(ev: Evaluation) -> list[str]:
    skipped = ev.program.output + 1 - len(reverse_steps(ev))
    if not skipped:
        return []
    nodes = f"{skipped:,} constant node{'s' if skipped != 1 else ''}"
    them = "them" if skipped != 1 else "it"
    return [f"({nodes} skipped: no input depends on {them})"]


def trace(ev: Evaluation, max_steps: int | None = MAX_STEPS, ascii: bool = False, digits=None):
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


def trace_text(ev: Evaluation, max_steps: int | None = MAX_STEPS, digits=None) -> str:
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


def natural_width(console, renderable, at_least: int) -> int:
    """The width at which ``renderable`` needs no wrapping (never less than ``at_least``)."""
    from rich.measure import Measurement

    measured = Measurement.get(console, console.options.update(width=10**6), renderable)
    return max(at_least, measured.maximum)
