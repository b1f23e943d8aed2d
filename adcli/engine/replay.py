"""The tape replayed over numpy arrays: a chunk of points at once (``adcli eval --batch``).

A forward sweep (values and g_weights, by the table's ``vfn`` and partial rules on arrays) and a
reverse sweep (adjoint arrays), a few numpy calls per node per chunk.  Rows whose numbers are
not all finite are flagged for the float engine, which stays the reference; the other rows
equal ``eval``'s to the last bit: the same operations in the same order, on the C library's
functions (see ``adcli.engine.numeric``).  numpy is imported only here, and only when a replay is
compiled; without numpy there is no replay and every row takes the reference path.
"""

from __future__ import annotations

import math
import os
import warnings

from ..graph import Program
from ..primitives import BY_CODE, FIRST_PRIMITIVE, INPUT, OPERATORS
from .numeric import rules_namespace, vector_fn
from .sweep import PARTIALS0, PARTIALS1, needed_partials
from .walk import walk

CHUNK_ROWS = 4096  # points per replay: large enough to amortise numpy's per-call cost
CHUNK_BYTES = 64 * 1024 * 1024  # arrays of one chunk (values, g_weights, adjoints) stay below this
MIN_ROWS = 64  # a tape so large that fewer rows fit is replayed point by point instead

# g_weights of these are finite wherever the row's values are (constants, an argument's value,
# or 1/y with y != 0), so a zero adjoint times them is already 0 and needs no mask.
_FINITE_WEIGHTS = frozenset(OPERATORS[k] for k in ("add", "sub", "mul", "div", "neg"))
_NUMBERS = frozenset((float, int))
# Batch results should equal eval's to the last bit, and eval calls the C library (libm) through
# ``math``.  numpy's AVX-512 loops (SVML) differ from libm in the last bits for exp, log, sinh,
# cbrt, asin, ... (up to half of all points, 1-3 ulps, measured by bench/batch.py); without them
# numpy's float64 loops call libm.  So batch turns them off for its own process when numpy is not
# imported yet (unless the user chose otherwise); where numpy was imported first (a library user,
# the tests), ``adcli.engine.numeric`` reads each ufunc's active loop and runs libm element by
# element for any it cannot vouch for.
_NO_SVML = "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR X86_V4"


def spread(values: list, positions: list[int], n: int) -> list:
    out = [0.0] * n
    for k, j in enumerate(positions):
        out[j] = values[k]
    return out


class Replay:
    """The tape as steps over numpy arrays: forward fills values and g_weights for a chunk of
    points at once, backward fills adjoint arrays in one reverse loop.

    Nodes that do not depend on any input (constants and constant subexpressions) are computed
    once, with the float functions — the very numbers ``eval`` uses.  Only the active nodes are
    replayed; activity comes from the engine's ``needed_partials``.
    """

    def __init__(self, program: Program, np, numpy_ns) -> None:
        self.np = np
        self.F = numpy_ns
        tape = self.tape = program.tape
        self.output = program.output
        self.size = len(tape)
        self.inputs = list(program.inputs.values())
        need = needed_partials(tape)
        self.template: list = list(tape.const)  # inactive values; the active ones per chunk
        self.broken = False  # a constant subexpression fails: every row gets eval's error
        self.need = need
        self.steps = []  # (node, arg0, arg1, need, op) of the active nodes, for the reverse sweep
        self.vfns: dict = {}  # op code -> its value function on arrays
        active = 0
        for i, (k, a, b, m) in enumerate(zip(tape.op, tape.arg0, tape.arg1, need)):
            if k < FIRST_PRIMITIVE:
                active += k == INPUT
                continue
            p = BY_CODE[k]
            if m == 0:
                self._fold(p, i, a, b)
                continue
            active += 1
            if k not in self.vfns:
                self.vfns[k] = vector_fn(np, p)
            self.steps.append((i, a, b, m, k))
        # values, g_weights and adjoints: about four arrays of 8-byte numbers per active node
        fit = CHUNK_BYTES // (32 * max(active, 1))
        self.rows = min(CHUNK_ROWS, fit)

    @classmethod
    def compile(cls, program: Program) -> Replay | None:
        """The replay, or None when numpy is missing or the tape is too large to pay off."""
        os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", _NO_SVML)
        try:
            with warnings.catch_warnings():
                # numpy >= 2.4 names fewer features: it warns (ImportWarning) about the ones in
                # _NO_SVML it does not dispatch; that warning must not reach stderr (engine: check
                # the remaining names still turn SVML off on an AVX-512 machine).
                warnings.simplefilter("ignore", ImportWarning)
                import numpy as np
        except (ImportError, RuntimeError):  # RuntimeError: a build whose baseline is AVX-512
            return None
        # The rules run on the same array functions as the values (F.pow is float_power too).
        rules = rules_namespace(np)
        replay = cls(program, np, rules)
        if replay.broken or replay.rows < MIN_ROWS:
            return None
        return replay

    def _fold(self, p, i: int, a: int, b: int) -> None:
        values = self.template
        args = (values[a],) if b < 0 else (values[a], values[b])
        try:
            v = p.fn(*args)
        except (ArithmeticError, ValueError, TypeError):
            self.broken = True
            return
        if not math.isfinite(v):
            self.broken = True
        values[i] = v

    def column(self, values: list):
        """Input numbers as an array: an unbound (None) or unusable entry becomes nan."""
        np = self.np
        try:
            return np.array(values, dtype=float)
        except (OverflowError, TypeError, ValueError):
            return np.array([_number_or_nan(v) for v in values], dtype=float)

    def run(self, columns: list, n: int):
        """Value, partials (one array per input, in order) and the indices of the rows whose
        numbers are not all finite, at ``n`` points."""
        np = self.np
        with np.errstate(all="ignore"):
            values = list(self.template)
            total = 0.0
            for node, column in zip(self.inputs, columns):
                values[node] = column
                total = total + column
            g0: dict[int, object] = {}
            g1: dict[int, object] = {}
            F, vfns = self.F, self.vfns

            def step(i: int, k: int, a: int, b: int, m: int) -> None:
                nonlocal total
                if not m:
                    return  # a constant subexpression: folded once, in the template
                x = values[a]
                if b < 0:
                    v = values[i] = vfns[k](x)
                    g0[i] = PARTIALS0[k](F, x, v)
                else:
                    y = values[b]
                    v = values[i] = vfns[k](x, y)
                    if m & 1:
                        g0[i] = PARTIALS0[k](F, x, y, v)
                    if m & 2:
                        g1[i] = PARTIALS1[k](F, x, y, v)
                total = total + v

            # Under errstate(all="ignore") nothing raises: rows whose numbers are not finite are
            # flagged below and take the float engine's path (its recovery and its messages).
            walk(self.tape, self.need, step)
            value = np.broadcast_to(values[self.output], (n,))
            values = None  # the values are not needed by the reverse sweep: free them
            adjoint = self._backward(g0, g1)
            partials = []
            for node in self.inputs:
                g = adjoint[node]
                g = np.zeros(n) if g is None else np.broadcast_to(g, (n,))
                partials.append(g)
                total = total + g
            bad = np.flatnonzero(~np.isfinite(np.broadcast_to(total, (n,))))
        return value, partials, bad

    def _backward(self, g0: dict, g1: dict) -> list:
        """Adjoint arrays (None for zero), accumulated in the float engine's order."""
        adjoint: list = [None] * self.size
        adjoint[self.output] = 1.0
        output = self.output
        for i, a, b, m, k in reversed(self.steps):
            if i > output:
                continue
            g = adjoint[i]
            if g is None:
                continue
            finite = k in _FINITE_WEIGHTS
            if m & 1:
                self._accumulate(adjoint, a, g, g0.pop(i), finite)
            if m & 2:
                self._accumulate(adjoint, b, g, g1.pop(i), finite)
        return adjoint

    def _accumulate(self, adjoint: list, a: int, g, w, finite: bool) -> None:
        np = self.np
        if type(w) is float:
            if w == 1.0:
                c = g
            elif math.isfinite(w):
                c = g * w
            else:
                c = np.where(g == 0.0, 0.0, g * w)
        elif finite:
            c = g * w
        else:
            # A zero adjoint contributes nothing, even through an infinite g_weight (sqrt at 0
            # on an untaken branch): 0·∞ would be NaN, the float engine skips it.
            c = np.where(g == 0.0, 0.0, g * w)
        prior = adjoint[a]
        # 0.0 + c, as the float engine's zero-initialised sums: -0.0 becomes 0.0 the same way.
        adjoint[a] = 0.0 + c if prior is None else prior + c


def _number_or_nan(value) -> float:
    if type(value) in _NUMBERS:
        try:
            return float(value)
        except OverflowError:
            pass
    return math.nan
