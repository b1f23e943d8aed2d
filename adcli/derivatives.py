"""Derivatives beyond one reverse sweep: forward (tangent) mode, the gradient as a graph, Hessians.

* **Forward mode** (``tangent_sweep``): dual numbers.  One pass in creation order carries each
  node's value and its tangent ``Σ partial_k · tangent_k``, the partials coming from the same table
  rules the reverse sweep uses, evaluated here on floats — a genuinely separate sweep, not a replay
  of the reverse sweep's g_weights.  A full gradient costs one pass per input
  (``forward_gradient``); a directional derivative (JVP) costs one pass.
* **The gradient as a graph** (``symbolic_gradient``): the reverse sweep run on graph nodes.  Each
  adjoint is a ``Var`` on a ``Tape(simplify=True)`` and each g_weight is the primitive's rule
  applied with the graph backend ``adcli.graph.fn``, so the result is itself a program: printed by
  ``adcli diff`` and differentiated again for Hessians.  Folding and sharing on the simplifying
  tape keep it linear in the program's size.
* **Hessians** (``hessian``): one numeric forward sweep over the gradient graph, then one reverse
  sweep per input from that input's partial — n gradient sweeps for n inputs, exact to rounding.

Conventions match the reverse sweep: a zero adjoint or tangent contributes nothing, even through
an infinite local derivative, so an untaken branch never poisons a result.
"""

from __future__ import annotations

import math
from array import array
from itertools import count

from .engine import (
    PARTIALS0,
    PARTIALS1,
    VALUE_FNS,
    args_text,
    backward,
    check_gradient,
    forward,
    ieee_partials,
    needed_partials,
    node_where,
)
from .errors import EvaluationError, NonFiniteError
from .graph import Gradient, Program, Tape, Var, fn
from .primitives import BY_CODE, CONST, FIRST_PRIMITIVE, FLOAT, INPUT

# ---- forward mode ---------------------------------------------------------------------------


def tangent_sweep(
    program: Program, point: dict[str, float], direction: dict[str, float]
) -> tuple[float, float]:
    """Value and directional derivative ``∇f · direction`` by one forward pass of dual numbers.

    >>> from adcli import compile
    >>> tangent_sweep(compile("x*y + sin(x)"), {"x": 0.5, "y": 4.2}, {"x": 1.0})
    (2.579425538604203, 5.077582561890373)
    """
    tape, source = program.tape, program.source
    inputs = program.bind(point)
    seed = {node: float(direction.get(name, 0.0)) for name, node in program.inputs.items()}
    values, tangent = _dual_pass(tape, inputs, seed, source)
    out = program.output
    if not math.isfinite(tangent[out]):
        _raise_non_finite(tape, values, tangent, out, source)
    return values[out], tangent[out]


def forward_gradient(program: Program, point: dict[str, float]) -> Gradient:
    """Every partial by forward mode: one dual-number pass per input, as the seed describes."""
    value = program.value(point)  # checks bindings and reports value errors once, as eval does
    gradient = {}
    for name in program.inputs:
        value, gradient[name] = tangent_sweep(program, point, {name: 1.0})
    return Gradient(value, gradient)


def _dual_pass(
    tape: Tape, inputs: dict[int, float], seed: dict[int, float], source: str
) -> tuple[array, array]:
    n = len(tape)
    values = array("d", tape.const)
    tangent = array("d", bytes(8 * n))
    for node, value in inputs.items():
        values[node] = value
    for node, dot in seed.items():
        tangent[node] = dot
    fns, d0s, d1s, F = VALUE_FNS, PARTIALS0, PARTIALS1, FLOAT
    nodes = zip(count(), tape.op, tape.arg0, tape.arg1)
    while True:
        try:
            for i, k, a, b in nodes:
                if k < FIRST_PRIMITIVE:
                    continue
                x = values[a]
                ta = tangent[a]
                if b < 0:
                    v = values[i] = fns[k](x)
                    if ta != 0.0:
                        w = d0s[k](F, x, v)
                        if w != 0.0:
                            tangent[i] = w * ta
                    continue
                y = values[b]
                tb = tangent[b]
                v = values[i] = fns[k](x, y)
                # A zero tangent or a zero partial adds nothing (0·∞ is not NaN here), and the
                # partial of an argument that does not move is never asked for (x^2: no log 2).
                t = 0.0
                if ta != 0.0:
                    w = d0s[k](F, x, y, v)
                    if w != 0.0:
                        t = w * ta
                if tb != 0.0:
                    w = d1s[k](F, x, y, v)
                    if w != 0.0:
                        t += w * tb
                tangent[i] = t
            break
        except (ArithmeticError, ValueError):
            _recover(tape, i, inputs, values, tangent, source)
    if not math.isfinite(sum(values)):
        forward(tape, inputs, source)  # raises the reverse sweep's own message for the bad node
    return values, tangent


def _recover(
    tape: Tape, i: int, inputs: dict[int, float], values: array, tangent: array, source: str
) -> None:
    """A node raised: either its value is undefined (report it as eval does) or only a partial is
    singular (sqrt at 0), which IEEE arithmetic gives as ±inf/nan."""
    p = BY_CODE[tape.op[i]]
    a, b = tape.arg0[i], tape.arg1[i]
    args = (values[a],) if b < 0 else (values[a], values[b])
    try:
        v = p.fn(*args)
    except (ArithmeticError, ValueError):
        forward(tape, inputs, source)  # raises the domain or overflow error, with its position
        raise
    values[i] = v
    partials = ieee_partials(p, args, v)
    t = 0.0
    for arg, w in zip((a, b), partials):
        if arg >= 0 and tangent[arg] != 0.0 and w != 0.0:
            t += w * tangent[arg]
    tangent[i] = t


def _raise_non_finite(tape: Tape, values: array, tangent: array, out: int, source: str) -> None:
    """Name the first operation whose tangent turns non-finite from finite arguments."""
    for i in range(out + 1):
        if math.isfinite(tangent[i]) or tape.op[i] < FIRST_PRIMITIVE:
            continue
        a, b = tape.arg0[i], tape.arg1[i]
        if all(math.isfinite(tangent[j]) for j in (a, b) if j >= 0):
            p = BY_CODE[tape.op[i]]
            args = args_text(tape, values, i)
            what = "infinite" if math.isinf(tangent[i]) else "undefined"
            raise NonFiniteError(
                f"{p.call_name} at {node_where(tape, i, source)}: the derivative is {what} at {args}"
            )
    raise NonFiniteError("the derivative is not finite (it overflows)")


# ---- the gradient as a graph ------------------------------------------------------------------


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

    >>> from adcli import compile
    >>> from adcli.printer import expression
    >>> g = symbolic_gradient(compile("x*y + sin(x)"))
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
    """The program's nodes (up to its output) replayed on ``dt``; returns old index → new."""
    src = program.tape
    node = [-1] * (program.output + 1)
    for i in range(program.output + 1):
        k = src.op[i]
        if k == INPUT:
            node[i] = inputs[src.names[i]]
        elif k == CONST:
            node[i] = dt.constant(src.const[i]).index
            name = src.names.get(i)
            if name in ("pi", "e"):
                dt.names[node[i]] = name  # print `pi`, not 3.141592653589793
        else:
            start = len(dt)
            args = [Var(dt, node[src.arg0[i]])]
            if src.arg1[i] >= 0:
                args.append(Var(dt, node[src.arg1[i]]))
            node[i] = dt.apply(k, *args).index
            _mark(dt, start, src.at[i])
    return node


def _mark(dt: Tape, start: int, at: int) -> None:
    for j in range(start, len(dt)):
        dt.at[j] = at


# ---- Hessians ---------------------------------------------------------------------------------


def hessian(
    program: Program, point: dict[str, float], names: list[str]
) -> tuple[Gradient, dict[str, dict[str, float]]]:
    """Value, gradient and the Hessian rows and columns for ``names`` (a name that is not an
    input of the program has a zero row and column).

    Reverse over reverse: the gradient graph is evaluated once, then each row is one reverse
    sweep over it from that input's partial.
    """
    result = program.gradient(point)
    graph = symbolic_gradient(program)
    tape = graph.tape
    values = {graph.inputs[name]: float(point[name]) for name in program.inputs}
    with _second_order():
        sweep = forward(tape, values, program.source)
    input_nodes = [graph.inputs[name] for name in names if name in graph.inputs]
    rows: dict[str, dict[str, float]] = {}
    for row in names:
        start = graph.gradient.get(row)
        if start is None or tape.op[start] == CONST:
            rows[row] = dict.fromkeys(names, 0.0)  # a constant partial: its derivative is 0
            continue
        adjoint = backward(tape, sweep, start)
        with _second_order():
            check_gradient(tape, sweep, adjoint, input_nodes, program.source)
        rows[row] = {c: adjoint[graph.inputs[c]] if c in graph.inputs else 0.0 for c in names}
    return result, rows


class _second_order:
    """Errors met while differentiating the gradient say so (status 1, as the contract wants)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, EvaluationError):
            raise type(exc)(
                f"the second derivative cannot be computed here: {exc.message}"
            ) from None
        return False
