"""Hessians: reverse over reverse.

The gradient graph (``symbolic_gradient``) is evaluated by one numeric forward sweep, then each row
is one reverse sweep over it from that input's partial — n gradient sweeps for n inputs, exact to
rounding.
"""

from __future__ import annotations

from ..errors import EvaluationError
from ..graph import Program
from ..primitives import CONST
from .sweep import Gradient, backward, check_gradient, forward, gradient


def hessian(
    program: Program, point: dict[str, float], names: list[str]
) -> tuple[Gradient, dict[str, dict[str, float]]]:
    """Value, gradient and the Hessian rows and columns for ``names`` (a name that is not an
    input of the program has a zero row and column).

    Reverse over reverse: the gradient graph is evaluated once, then each row is one reverse
    sweep over it from that input's partial.
    """
    result = gradient(program, point)
    graph = gradient_graph(program)
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


def gradient_graph(program: Program):
    """``symbolic_gradient(program)``, built once per program and kept on its tape's cache (a
    Hessian per point of a batch reuses it: the graph depends on the structure, not the point)."""
    key = f"gradient graph {program.output} {len(program.tape)}"
    graph = program.tape.cache.get(key)
    if graph is None:
        from .symbolic import symbolic_gradient  # not a start-up cost of eval

        graph = program.tape.cache[key] = symbolic_gradient(program)
    return graph


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
