"""The gradient as a graph: the reverse sweep run on graph nodes.

Each adjoint is a ``Var`` on a ``Tape(simplify=True)`` and each g_weight is the primitive's rule
applied with the graph backend ``adcli.graph.fn``, so the result is itself a program: printed by
``adcli diff`` and differentiated again for Hessians.  Folding and sharing on the simplifying tape
keep it linear in the program's size.  As in the float sweep, a zero adjoint contributes nothing.
"""

from __future__ import annotations

from ..graph import Program, Tape, Var, fn
from ..primitives import BY_CODE, FIRST_PRIMITIVE, INPUT
from .sweep import needed_partials
from .walk import walk


class GradientGraph:
    """The program and its gradient on one simplifying tape.

    ``inputs`` maps each input name to its INPUT node here, ``gradient`` each name to the node of
    ∂output/∂name, ``output`` is the program's output; nodes keep the source offset of the
    operation they came from, so errors found on this tape point into the program.
    """

    __slots__ = ("gradient", "inputs", "output", "tape")

    def __init__(self, tape: Tape, inputs: dict[str, int], output: int, gradient: dict[str, int]):
        self.tape, self.inputs, self.output, self.gradient = tape, inputs, output, gradient


def symbolic_gradient(program: Program) -> GradientGraph:
    """The reverse sweep on graph nodes: ∂output/∂input for every input, as nodes of a new
    ``Tape(simplify=True)`` that also holds the program itself.

    Each node's adjoint is the sum of its consumers' contributions ``adjoint · g_weight``, summed
    in the order the consumers appear in the program, so ``x*y + sin(x)`` gives ``y + cos(x)``.

    >>> from adcli.parse import parse
    >>> from adcli.printer import expression
    >>> g = symbolic_gradient(parse("x*y + sin(x)"))
    >>> expression(g.tape, g.gradient["x"]), expression(g.tape, g.gradient["y"])
    ('y + cos(x)', 'x')
    """
    src = program.tape
    dt = Tape(simplify=True)
    inputs = {name: dt.input(name).index for name in program.inputs}
    node = _copy_primal(program, dt, inputs)
    contributions: dict[int, list[Var]] = {program.output: [dt.constant(1.0)]}
    gradient_nodes: dict[int, int] = {}
    need = needed_partials(src)
    op, arg0, arg1 = src.op, src.arg0, src.arg1
    for i in range(program.output, -1, -1):
        parts = contributions.pop(i, None)
        if parts is None:
            continue
        adjoint = parts[-1]
        for part in reversed(parts[:-1]):  # consumers in program order
            adjoint = adjoint + part
        if op[i] == INPUT:
            gradient_nodes[i] = adjoint.index
            continue
        if op[i] < FIRST_PRIMITIVE or dt.is_const(adjoint.index, 0.0):
            continue  # a constant, or a zero adjoint: nothing flows back
        rules = BY_CODE[op[i]].partials
        args = [Var(dt, node[arg0[i]])] + ([Var(dt, node[arg1[i]])] if arg1[i] >= 0 else [])
        ans = Var(dt, node[i])
        # arg1 first: the list is summed back to front, so arg0's contribution comes first.
        for slot in (1, 0):
            if slot >= len(args) or not need[i] & (1 << slot):
                continue
            start = len(dt)
            part = adjoint * rules[slot](fn, *args, ans)
            _mark(dt, start, src.at[i])
            if not dt.is_const(part.index, 0.0):
                contributions.setdefault((arg0[i], arg1[i])[slot], []).append(part)
    zero = dt.constant(0.0).index
    gradient = {
        name: gradient_nodes.get(src_node, zero) for name, src_node in program.inputs.items()
    }
    return GradientGraph(dt, inputs, node[program.output], gradient)


def _copy_primal(program: Program, dt: Tape, inputs: dict[str, int]) -> list[int]:
    """The walk (``adcli.engine.walk``) with the graph backend: the program's nodes (up to its
    output) replayed on ``dt``; returns old index → new.  No local derivative is made here: the
    reverse sweep builds each one where an adjoint reaches it (a zero adjoint needs none)."""
    src = program.tape
    node = [-1] * (program.output + 1)

    def leaf(i: int, k: int) -> None:
        if k == INPUT:
            node[i] = inputs[src.names[i]]
            return
        node[i] = dt.constant(src.const[i]).index
        name = src.names.get(i)
        if name in ("pi", "e"):
            dt.names[node[i]] = name  # print `pi`, not 3.141592653589793

    def step(i: int, k: int, a: int, b: int, m: int) -> None:
        start = len(dt)
        args = [Var(dt, node[a])] if b < 0 else [Var(dt, node[a]), Var(dt, node[b])]
        node[i] = dt.apply(k, *args).index
        _mark(dt, start, src.at[i])

    walk(src, needed_partials(src), step, leaf=leaf, end=program.output + 1)
    return node


def _mark(dt: Tape, start: int, at: int) -> None:
    for j in range(start, len(dt)):
        dt.at[j] = at
