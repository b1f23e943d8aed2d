"""Forward and reverse sweeps over a tape: values, local derivatives, adjoints.

``forward`` walks the tape in creation order.  At each node it computes the value with the
primitive's float function and records the local derivative with respect to each argument
(the seed's *g_weight*) with the primitive's rule — only for arguments that depend on an input
(activity analysis), so ``x^2`` never asks for the derivative with respect to the constant 2.
``backward`` walks the tape once in reverse and accumulates each node's adjoint
``∂output/∂node`` into its arguments: ``adjoint[arg] += adjoint[node] * g_weight``.  Both are flat
loops over arrays — no recursion, no per-node objects — and the results live in fresh arrays, so
a tape is replayed at any number of points.

``forward`` is the loop shape of ``adcli.engine.walk`` (the one forward walk, which dual numbers,
numpy arrays and graph nodes use) with the float step inlined, kept specialised because it is
eval's and the benchmark's hot loop: ``forward`` through ``walk`` with a step closure measured
about 1.2× slower (``bench/run.py --quick --runs 7 --sizes 1e4 --peers adcli --sections engine``,
alternated in one session, 2 rounds, 2026-11-29: forward/reverse time median 1.24 specialised
vs 1.48 generic over wide/deep/mlp; sweep µs/node, round 1: wide 1.26 vs 1.44, deep 1.18 vs
2.87, mlp 1.26 vs 1.35).  The recovery path (``recover``) and the diagnoses are shared.

Errors name the operation, its arguments and its place in the source.
"""

from __future__ import annotations

import math
from array import array
from itertools import count

from .. import native
from ..errors import EvaluationError, OverflowEvaluationError, UsageError
from ..primitives import BY_CODE, CONST, FIRST_PRIMITIVE, FLOAT, INPUT
from ..text import number

# Per op code, the pieces the sweeps call (None for the INPUT and CONST leaves).
VALUE_FNS = tuple(p.fn if p else None for p in BY_CODE)
PARTIALS0 = tuple(p.partials[0] if p else None for p in BY_CODE)
PARTIALS1 = tuple(p.partials[1] if p and p.arity == 2 else None for p in BY_CODE)


# Tapes from this many nodes are swept by the compiled core when it is built (adcli.native): below,
# loading it (about 0.5 ms) costs more than it saves, and small programs start as fast as before.
COMPILED_FROM = 512


_ROWS = " ".join(f"{p.call_name}/{p.arity}" for p in BY_CODE[FIRST_PRIMITIVE:])
_VERSION = 3  # of adcli/_native/csweep.c's functions (bind, needed, forward, backward)


def compiled(tape):
    """The compiled sweeps (``adcli._csweep``) for this tape, or None: pure Python.  Only a
    module built from this very table (its rules are in op-code order) and this version of its
    C source counts: a stale build is ignored, never half used."""
    if len(tape) < COMPILED_FROM:
        return None
    module = native.load("_csweep")
    if module is None or module.ROWS != _ROWS or getattr(module, "VERSION", 0) != _VERSION:
        return None
    return module


# Zeros as ``_ZERO * n``: about 20× faster than ``array("d", bytes(8 * n))`` (measured at 10^5).
_ZERO = array("d", [0.0])

# Op code -> the mask of all its arguments (0 for the leaves), for bytes.translate.
_ALL_ARGUMENTS = bytes(0 if p is None else (1 if p.arity == 1 else 3) for p in BY_CODE).ljust(
    256, b"\0"
)


class Sweep:
    """One forward pass: each node's value and its local derivatives (g_weights)."""

    __slots__ = ("g0", "g1", "values")

    def __init__(self, values: array, g0: array, g1: array) -> None:
        self.values = values
        self.g0 = g0  # ∂node/∂arg0
        self.g1 = g1  # ∂node/∂arg1


def needed_partials(tape) -> array:
    """Per node, which local derivatives matter: bit 0 for arg0, bit 1 for arg1.

    An argument matters when it depends on some input; the others are constants, whose
    adjoints nobody reads.  Cached on the tape until it grows.
    """
    cached = tape.cache.get("need")
    if cached is not None and len(cached) == len(tape):
        return cached
    n = len(tape)
    c = compiled(tape)
    if c is not None:
        need = array("B", b"\0") * n
        if c.needed(tape.op, tape.arg0, tape.arg1, need):
            tape.cache["need"] = need
            return need
    ops = tape.op.tobytes()
    if CONST not in ops:
        # No constants: every leaf is an input, so every argument depends on one, and the mask
        # is the arity's (translated in C, not looped over in Python).
        need = array("B", ops.translate(_ALL_ARGUMENTS))
        tape.cache["need"] = need
        return need
    active = bytearray(n)
    need = array("B", bytes(n))
    for i, k, a, b in zip(count(), tape.op, tape.arg0, tape.arg1):
        if k == INPUT:
            active[i] = 1
        elif k >= FIRST_PRIMITIVE:
            m = active[a] | (active[b] << 1 if b >= 0 else 0)
            need[i] = m
            active[i] = 1 if m else 0
    tape.cache["need"] = need
    return need


def all_partials(tape) -> array:
    """Per node, every argument's bit: ``need="all"`` (constants' g_weights too, for pictures)."""
    return array("B", tape.op.tobytes().translate(_ALL_ARGUMENTS))


def forward(tape, inputs: dict[int, float] | Unbound, source: str = "", need=None) -> Sweep:
    """Values and g_weights of every node, with ``inputs`` mapping INPUT nodes to numbers (or
    an ``Unbound`` point, bound at the start).

    ``need`` says which g_weights to compute: by default those of arguments that depend on an
    input (``needed_partials``); ``"all"`` computes every argument's, constants' included (where
    floats refuse one, IEEE arithmetic gives ±inf or nan, as for active arguments).
    """
    if need is None:
        need = needed_partials(tape)
    elif isinstance(need, str):
        if need != "all":
            raise ValueError(f"need must be None or 'all', not {need!r}")
        need = all_partials(tape)
    c = compiled(tape)
    values, g0, g1 = _start(tape, inputs, c)
    if c is not None:
        # The success path in C, by the same rules in the same order; anything else (an op
        # not compiled, a value or g_weight not finite, an IEEE exception Python raises as an
        # error) is Python's to do again from the start, with the same result or error.
        if c.forward(tape.op, tape.arg0, tape.arg1, need, values, g0, g1):
            return Sweep(values, g0, g1)
        values, g0, g1 = _start(tape, inputs)
    fns, d0s, d1s, F = VALUE_FNS, PARTIALS0, PARTIALS1, FLOAT
    nodes = zip(count(), tape.op, tape.arg0, tape.arg1, need)
    while True:
        try:
            for i, k, a, b, m in nodes:
                if k < FIRST_PRIMITIVE:
                    continue
                x = values[a]
                if b < 0:
                    v = values[i] = fns[k](x)
                    if m:
                        g0[i] = d0s[k](F, x, v)
                else:
                    y = values[b]
                    v = values[i] = fns[k](x, y)
                    if m & 1:
                        g0[i] = d0s[k](F, x, y, v)
                    if m & 2:
                        g1[i] = d1s[k](F, x, y, v)
            break
        except (ArithmeticError, ValueError):
            # Rare: either the value is undefined here (a user error), or only a local
            # derivative is singular (sqrt at 0): then IEEE arithmetic gives it as ±inf/nan,
            # which matters only if a non-zero adjoint ever reaches it.  The zip resumes after i.
            _recover(tape, i, values, g0, g1, source, need[i])
    if not math.isfinite(sum(values)):  # cheap test; a false alarm (overflowing sum) rescans
        non_finite_value(tape, values, source)
    return Sweep(values, g0, g1)


class Unbound:
    """A point not yet bound (``forward``'s ``inputs``): a wide program's, whose names are the
    inputs in order with floats, is written onto the values in C in one pass at the start of the
    compiled sweep, with no dict of node → value; anything else is ``program.bind(point)``."""

    __slots__ = ("point", "program")

    def __init__(self, program, point: dict[str, float]) -> None:
        self.program, self.point = program, point


# From this many inputs a gradient binds its point as ``Unbound`` where the compiled core runs.
UNBOUND_FROM = 4096


def _bound(program, point: dict[str, float]):
    """``program.bind(point)``, or for a wide scalar program with a compiled core, ``Unbound``."""
    inputs = program.inputs
    wide = type(inputs) is dict and type(point) is dict and len(inputs) >= UNBOUND_FROM
    if wide and compiled(program.tape) is not None and _compiled("finite") is not None:
        return Unbound(program, point)
    return program.bind(point)


def _compiled(name: str):
    """``adcli._cjson.<name>`` (scatter, finite), or None (not built, ADCLI_PURE, or a build
    older than it)."""
    return getattr(native.load("_cjson"), name, None)


def _start(tape, inputs: dict[int, float] | Unbound, c=None) -> tuple[array, array, array]:
    """Fresh values (the constants, the inputs bound: by the compiled core ``c`` if given) and
    zero g_weights."""
    values = tape.const[:]
    if type(inputs) is Unbound:
        unbound, inputs = inputs, {}
        scatter = _compiled("scatter") if c is not None else None
        if scatter is None or not scatter(values, unbound.program.inputs, unbound.point):
            values, inputs = tape.const[:], unbound.program.bind(unbound.point)
    if c is not None and c.bind(values, inputs):
        inputs = {}
    elif array not in set(map(type, inputs.values())):
        any(map(values.__setitem__, inputs, inputs.values()))  # scalars: a C loop (None each)
        inputs = {}
    for node, value in inputs.items():
        if type(value) is array:  # an array input's elements, consecutive nodes from ``node``
            values[node : node + len(value)] = value
        else:
            values[node] = value
    n = len(tape)
    return values, _ZERO * n, _ZERO * n


def backward(tape, sweep: Sweep, output: int) -> array:
    """Adjoints ∂output/∂node of every node, by one reverse loop over the tape (in C when the
    compiled core is built: the same operations in the same order, so the same bits)."""
    adjoint = _ZERO * len(tape)
    adjoint[output] = 1.0
    op, arg0, arg1, g0, g1 = tape.op, tape.arg0, tape.arg1, sweep.g0, sweep.g1
    c = compiled(tape)
    if c is not None:
        if c.backward(op, arg0, arg1, g0, g1, adjoint, output):
            return adjoint
        adjoint = _ZERO * len(tape)  # not a well-formed tape: Python says why
        adjoint[output] = 1.0
    for i in range(output, -1, -1):
        g = adjoint[i]
        # A zero adjoint contributes nothing, even through an infinite g_weight (0·∞ is not NaN
        # here): an untaken branch of max or a zero factor must not poison the gradient.
        if g == 0.0 or op[i] < FIRST_PRIMITIVE:
            continue
        adjoint[arg0[i]] += g * g0[i]
        b = arg1[i]
        if b >= 0:
            adjoint[b] += g * g1[i]
    return adjoint


def check_gradient(tape, sweep: Sweep, adjoint: array, nodes, source: str = "") -> None:
    """Raise if the adjoint of any of ``nodes`` is not finite, naming the operation at fault."""
    if all(map(math.isfinite, map(adjoint.__getitem__, nodes))):  # a C loop over the nodes
        return
    from .walk import non_finite_derivative  # the error path only: not a start-up cost

    raise non_finite_derivative(
        tape, sweep.values, source, _non_finite_weights(tape, sweep, adjoint), "gradient"
    )


def _non_finite_weights(tape, sweep: Sweep, adjoint: array):
    """From the output back: (node, slot, g_weight) where a finite non-zero adjoint meets a
    g_weight that makes its contribution non-finite."""
    op, arg0, arg1 = tape.op, tape.arg0, tape.arg1
    for i in range(len(tape) - 1, -1, -1):
        g = adjoint[i]
        if g == 0.0 or not math.isfinite(g) or op[i] < FIRST_PRIMITIVE:
            continue
        for slot, (a, w) in enumerate(((arg0[i], sweep.g0[i]), (arg1[i], sweep.g1[i]))):
            if a >= 0 and not math.isfinite(g * w):
                yield i, slot, w


def _recover(tape, i: int, values: array, g0: array, g1: array, source: str, need: int) -> None:
    weights = recover(tape, i, values, source, need)
    for slot, out in enumerate((g0, g1)[: len(weights)]):
        if need >> slot & 1:
            out[i] = weights[slot]


def recover(tape, i: int, values: array, source: str, need: int) -> tuple[float, ...]:
    """The one recovery path of every float sweep (reverse and forward mode), for node ``i``
    whose value or a local derivative raised on floats.

    Either the value is undefined or overflows (raised as the user error, with the operation's
    line:col), or only a local derivative is singular (sqrt at 0): then ``values[i]`` is set and
    the g_weights of the arguments in ``need`` (bit 0, bit 1) come back, each by its float rule
    or, where floats refuse, in IEEE arithmetic (±inf, nan); the others are 0.0.
    """
    p = BY_CODE[tape.op[i]]
    a, b = tape.arg0[i], tape.arg1[i]
    args = (values[a],) if b < 0 else (values[a], values[b])
    try:
        v = values[i] = p.fn(*args)
    except OverflowError:
        from .walk import args_text, node_where

        raise OverflowEvaluationError(
            f"{p.call_name} at {node_where(tape, i, source)}: the result overflows at {args_text(tape, values, i)}"
        ) from None
    except (ArithmeticError, ValueError):
        from .walk import args_text, node_where

        reason = p.domain(*args) if p.domain else f"undefined at {args_text(tape, values, i)}"
        raise EvaluationError(f"{p.call_name} at {node_where(tape, i, source)}: {reason}") from None
    return tuple(
        local_derivative(p, slot, args, v) if need >> slot & 1 else 0.0 for slot in range(p.arity)
    )


def local_derivative(p, slot: int, args: tuple[float, ...], value: float) -> float:
    """A primitive's g_weight for one argument by its own rule on floats; where floats refuse (a
    division by zero), IEEE arithmetic says ±inf or nan."""
    try:
        return float(p.partials[slot](FLOAT, *args, value))
    except (ArithmeticError, ValueError):
        return ieee_partials(p, args, value)[slot]


def ieee_partials(p, args: tuple[float, ...], value: float) -> tuple[float, ...]:
    """A primitive's local derivatives in IEEE arithmetic (x/0 = ±inf, 0/0 = nan), via numpy."""
    from .numeric import partials_ieee

    return partials_ieee(p, args, value)


def non_finite_value(tape, values: array, source: str) -> None:
    """Raise for the first value that is not finite: a bound input, or an operation that
    overflows or is undefined (every float sweep's values, reverse and forward mode)."""
    for i, v in enumerate(values):
        if not math.isfinite(v):
            if tape.op[i] < FIRST_PRIMITIVE:  # a bound value: the library takes any float
                name = tape.names.get(i, "an input")
                raise UsageError(f"the value of '{name}' is not a finite number: {number(v)}")
            from .walk import args_text, node_where

            p = BY_CODE[tape.op[i]]
            what = "overflows" if math.isinf(v) else "is undefined"
            raise OverflowEvaluationError(
                f"{p.call_name} at {node_where(tape, i, source)}: the result {what} "
                f"at {args_text(tape, values, i)}"
            )


class Gradient:
    """The result of a gradient evaluation; ``sweep`` and ``adjoint`` hold every node's numbers."""

    __slots__ = ("adjoint", "gradient", "sweep", "value")

    def __init__(self, value: float, gradient: dict[str, float], sweep=None, adjoint=None) -> None:
        self.value = value
        self.gradient = gradient
        self.sweep = sweep  # Sweep: values and g_weights of every node
        self.adjoint = adjoint  # array of ∂output/∂node for every node

    def __repr__(self) -> str:
        return f"Gradient(value={self.value!r}, gradient={self.gradient!r})"


def gradient(program, point: dict[str, float], need=None, by_name: bool = True) -> Gradient:
    """Value and every partial derivative of a ``Program`` at a point (a name → number mapping),
    by one forward and one reverse sweep.  ``by_name=False`` leaves ``gradient`` None for a
    scalar program (its partials are ``adjoint[node]`` of ``program.inputs``): a caller that
    writes them in order need not build a dict of 10^6 names.

    >>> from adcli.parse import parse
    >>> result = gradient(parse("x*y + sin(x)"), {"x": 0.5, "y": 4.2})
    >>> result.value
    2.579425538604203
    >>> result.gradient
    {'x': 5.077582561890373, 'y': 0.5}
    """
    tape, source = program.tape, program.source
    sweep_inputs = _bound(program, point)
    sweep = forward(tape, sweep_inputs, source, need)
    adjoint = backward(tape, sweep, program.output)
    inputs = program.inputs
    if type(inputs) is dict:
        if type(sweep_inputs) is not Unbound or _compiled("finite")(adjoint, inputs) is not True:
            check_gradient(tape, sweep, adjoint, inputs.values(), source)
        partials = dict(zip(inputs, map(adjoint.__getitem__, inputs.values()))) if by_name else None
    else:  # a lowered program's array inputs (adcli.elements.Flat): partials as slices
        partials = inputs.gather(adjoint)
        if not partials.finite():
            check_gradient(tape, sweep, adjoint, inputs.values(), source)
    return Gradient(sweep.values[program.output], partials, sweep, adjoint)


def value(program, point: dict[str, float]) -> float:
    """The output's value of a ``Program`` at a point (a forward sweep only)."""
    return forward(program.tape, program.bind(point), program.source).values[program.output]
