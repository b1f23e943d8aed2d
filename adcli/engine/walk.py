"""The one forward walk of the engine's sweeps, and the one diagnosis of a non-finite derivative.

``walk`` visits a tape in creation order and hands each operation node to a backend's ``step``,
which computes the node's value and its local derivatives in the backend's own numbers: dual
numbers (``dual``: value and tangent), numpy arrays (``replay``: a chunk of points), graph nodes
(``symbolic``: the program copied onto a simplifying tape).  Where a step raises on floats
(ArithmeticError, ValueError), the backend's ``recover`` handles that node — for float backends
``sweep.recover``, the one recovery path — and the walk resumes after it.

The float reverse-mode forward (``sweep.forward``) is a specialised copy of this loop shape with
the step inlined: it is the hot loop of ``eval`` and of the benchmark, and a call per node costs
about a third more there (see ``sweep``'s docstring for the numbers).

``non_finite_derivative`` names the operation at fault when a derivative is not finite, for the
reverse sweep (``sweep.check_gradient``) and forward mode (``dual.tangent_sweep``) alike.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable

from ..errors import NonFiniteError
from ..primitives import BY_CODE, FIRST_PRIMITIVE
from ..text import number, where

Step = Callable[[int, int, int, int, int], None]


def walk(
    tape,
    need,
    step: Step,
    recover: Callable[[int, int], None] | None = None,
    leaf: Callable[[int, int], None] | None = None,
    end: int | None = None,
) -> None:
    """Call ``step(i, op, arg0, arg1, need)`` for every operation node of ``tape`` in creation
    order (up to ``end``, exclusive), and ``leaf(i, op)`` for the INPUT and CONST nodes when
    given.  ``need`` is a node's mask of wanted local derivatives (bit 0: arg0, bit 1: arg1).

    When a step raises ArithmeticError or ValueError, ``recover(i, need)`` handles node ``i``
    (or, without ``recover``, the error propagates) and the walk goes on after it.
    """
    n = len(tape) if end is None else end
    nodes = zip(range(n), tape.op, tape.arg0, tape.arg1, need)
    first = FIRST_PRIMITIVE
    while True:
        try:
            if leaf is None:
                for i, k, a, b, m in nodes:
                    if k >= first:
                        step(i, k, a, b, m)
            else:
                for i, k, a, b, m in nodes:
                    if k >= first:
                        step(i, k, a, b, m)
                    else:
                        leaf(i, k)
            return
        except (ArithmeticError, ValueError):
            if recover is None:
                raise
            recover(i, m)  # the zip resumes after node i


def non_finite_derivative(
    tape, values: array, source: str, culprits: Iterable[tuple[int, int | None, float]], whole: str
) -> NonFiniteError:
    """The error for a derivative that is not finite: the first of ``culprits`` — (node, argument
    slot or None, its non-finite derivative) — named with its operation, place and arguments, or,
    when there is none (an overflow of sums), "the ``whole`` is not finite (it overflows)"."""
    for i, slot, w in culprits:
        p = BY_CODE[tape.op[i]]
        what = "infinite" if math.isinf(w) else "undefined"
        wrt = "" if slot is None or p.arity == 1 else f" with respect to argument {slot + 1}"
        return NonFiniteError(
            f"{p.call_name} at {node_where(tape, i, source)}: the derivative{wrt} is {what} "
            f"at {args_text(tape, values, i)}"
        )
    return NonFiniteError(f"the {whole} is not finite (it overflows)")


def args_text(tape, values: array, i: int) -> str:
    """A node's argument values for a message: ``2.5`` or ``(-3, 2)``."""
    a, b = tape.arg0[i], tape.arg1[i]
    if b < 0:
        return number(values[a], short=True)
    return f"({number(values[a], short=True)}, {number(values[b], short=True)})"


def node_where(tape, i: int, source: str) -> str:
    """``line:col`` of a node in its source, for a message."""
    return where(source, tape.at[i]) if source else "?"
