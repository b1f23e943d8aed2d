"""The one table of primitives: every operation adcli knows, with its value and its derivative rule.

Each entry declares, side by side:

* ``fn`` — the value on Python floats (``math`` semantics: a domain error raises ``ValueError``,
  an overflow raises ``OverflowError``; the engine turns both into a user error);
* ``vfn`` — the same value on numpy arrays, for batch replay (numpy is imported only there);
* ``partials`` — exactly one local derivative (the seed's *g_weight*) per argument, each a
  function ``(F, *args, ans)`` where ``F`` is a namespace of this table's own functions and ``ans``
  is the value just computed.  Because a rule uses only ``F.<name>`` and ``+ - * /``, the same rule
  runs on floats (the reverse sweep), on numpy arrays (batch), and on graph nodes (``Var``), which
  is what makes Hessians and ``adcli diff`` exact: a derivative is itself a graph that can be
  differentiated again.

Evaluation, the sweeps, arity and unknown-name errors, the ``functions`` listing, printing and the
tree labels all read this table.  Adding a function is one entry here plus a test.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from types import SimpleNamespace

from .text import number

# Op codes 0 and 1 are the leaves of the graph; every primitive's code is its index here + 2.
INPUT = 0
CONST = 1
FIRST_PRIMITIVE = 2

LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

CONSTANTS = {"pi": math.pi, "e": math.e}


def num(x: float) -> str:
    """A number as a person reads it in a message: shortest round-trip repr, no '.0' noise."""
    return number(x, short=True)


class Primitive:
    """One row of the table (see the module docstring).  A plain class: dataclasses would cost
    the hot path an import of ``inspect``."""

    __slots__ = (
        "arity",
        "callable_as",
        "doc",
        "domain",
        "fn",
        "kink",
        "name",
        "partials",
        "precedence",
        "symbol",
        "vfn",
    )

    def __init__(
        self,
        name: str,
        arity: int,
        fn: Callable[..., float],
        vfn: Callable[..., object] | str,
        partials: tuple[Callable[..., object], ...],
        doc: str,
        domain: Callable[..., str] | None = None,
        kink: str = "",
        symbol: str = "",  # infix or prefix operator symbol; empty for a function call
        precedence: int = 9,  # for printing: 1 + -, 2 * /, 3 unary -, 4 ^, 9 call or leaf
        callable_as: str = "",  # the call name when it differs from ``name`` (operators)
    ) -> None:
        # The tape stores two argument slots per node; one partial per argument, always.
        assert 1 <= arity <= 2, name
        assert len(partials) == arity, name
        self.name, self.arity, self.fn, self.vfn, self.partials = name, arity, fn, vfn, partials
        self.doc, self.domain, self.kink, self.symbol = doc, domain, kink, symbol
        self.precedence, self.callable_as = precedence, callable_as

    def __repr__(self) -> str:
        return f"Primitive({self.name!r}, {self.arity})"

    @property
    def call_name(self) -> str:
        return self.callable_as or self.name


def _not(condition: str) -> Callable[[float], str]:
    return lambda x: f"argument {num(x)} is not {condition}"


def _sigmoid(x: float) -> float:
    # Never exp of a large positive number: sigmoid(±1000) is exactly 1 and 0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    # log(1 + e^x) without overflow: softplus(1000) = 1000, softplus(-1000) = 0.
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def _sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


def _step(x: float) -> float:
    return 1.0 if x > 0.0 else 0.0


def _xlogy(x: float, y: float) -> float:
    # 0·log(y) is 0 even where log(y) is -inf: so d/dy of x^y at x = 0 is 0, as in PyTorch.
    return 0.0 if x == 0.0 else x * math.log(y)


def _log(x: float, base: float) -> float:
    return math.log(x) / math.log(base)


def _pow_domain(x: float, y: float) -> str:
    if x == 0.0 and y < 0.0:
        return f"zero to a negative power ({num(y)})"
    if x < 0.0 and y != math.floor(y):
        return f"negative base {num(x)} to a non-integer power {num(y)}"
    return f"{num(x)} ^ {num(y)} overflows"


def _log_base_domain_y(x: float, y: float) -> str:
    return f"argument {num(y)} is not > 0"


def _log_base_domain(x: float, base: float) -> str:
    if x <= 0.0:
        return f"argument {num(x)} is not > 0"
    return f"base {num(base)} is not > 0 and != 1"


# numpy versions that are not a single ufunc; ``np`` is passed in so numpy stays a lazy import.
def _np_sigmoid(np, x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _np_softplus(np, x):
    return np.where(x > 0, x + np.log1p(np.exp(-np.abs(x))), np.log1p(np.exp(np.minimum(x, 0))))


def _np_step(np, x):
    return np.where(x > 0, 1.0, 0.0)


def _np_erf(np, x):
    # numpy has no erf; math.erf element by element keeps batch results equal to eval's.
    return np.frompyfunc(math.erf, 1, 1)(x).astype(float)


def _np_xlogy(np, x, y):
    return np.where(x == 0, 0.0, x * np.log(y))


def _np_log_base(np, x, b):
    return np.log(x) / np.log(b)


def _np_minmax(pick):
    return lambda np, x, y: getattr(np, pick)(x, y)


def _flat2(F, x, y, ans):
    return 0.0


# A comparison is 1.0 or 0.0 (NaN compares false, as in IEEE and numpy); its derivative is 0.
_COMPARISONS = (
    (
        "lt",
        "<",
        lambda x, y: 1.0 if x < y else 0.0,
        lambda np, x, y: np.where(x < y, 1.0, 0.0),
        "1 if x < y else 0",
    ),
    (
        "le",
        "<=",
        lambda x, y: 1.0 if x <= y else 0.0,
        lambda np, x, y: np.where(x <= y, 1.0, 0.0),
        "1 if x <= y else 0",
    ),
    (
        "gt",
        ">",
        lambda x, y: 1.0 if x > y else 0.0,
        lambda np, x, y: np.where(x > y, 1.0, 0.0),
        "1 if x > y else 0",
    ),
    (
        "ge",
        ">=",
        lambda x, y: 1.0 if x >= y else 0.0,
        lambda np, x, y: np.where(x >= y, 1.0, 0.0),
        "1 if x >= y else 0",
    ),
    (
        "eq",
        "==",
        lambda x, y: 1.0 if x == y else 0.0,
        lambda np, x, y: np.where(x == y, 1.0, 0.0),
        "1 if x == y else 0",
    ),
    (
        "ne",
        "!=",
        lambda x, y: 1.0 if x != y else 0.0,
        lambda np, x, y: np.where(x != y, 1.0, 0.0),
        "1 if x != y else 0",
    ),
)


# where's branches: the untaken one is -0.0, the exact additive identity (x + -0.0 is x for every
# x, -0.0 included), so pick(c, a) + unpick(c, b) is bit for bit the branch taken.
def _pick(c: float, x: float) -> float:
    return x if c != 0.0 else -0.0


def _unpick(c: float, x: float) -> float:
    return x if c == 0.0 else -0.0


def _np_pick(np, c, x):
    return np.where(c != 0.0, x, -0.0)


def _np_unpick(np, c, x):
    return np.where(c == 0.0, x, -0.0)


def _stop(x: float) -> float:
    return x


def _np_stop(np, x):
    return np.asarray(x, dtype=float)


P = Primitive
# fmt: off
TABLE: tuple[Primitive, ...] = (
    # ---- operators -------------------------------------------------------------------------
    P("add", 2, operator.add, "add", (lambda F, x, y, ans: 1.0, lambda F, x, y, ans: 1.0),
      "x + y", symbol="+", precedence=1),
    P("sub", 2, operator.sub, "subtract", (lambda F, x, y, ans: 1.0, lambda F, x, y, ans: -1.0),
      "x - y", symbol="-", precedence=1),
    P("mul", 2, operator.mul, "multiply", (lambda F, x, y, ans: y, lambda F, x, y, ans: x),
      "x * y", symbol="*", precedence=2),
    P("div", 2, operator.truediv, "divide",
      (lambda F, x, y, ans: 1.0 / y, lambda F, x, y, ans: -ans / y),
      "x / y", domain=lambda x, y: f"division by zero ({num(x)} / 0)", symbol="/", precedence=2),
    P("neg", 1, operator.neg, "negative", (lambda F, x, ans: -1.0,),
      "-x", symbol="-", precedence=3),
    P("pow", 2, math.pow, "power",
      # d/dx is 0 where y = 0, x = 0 included (0 * 0^-1 would be NaN), as in PyTorch.
      (lambda F, x, y, ans: F.pick(y, y * F.pow(x, y - 1.0)), lambda F, x, y, ans: F.xlogy(ans, x)),
      "x ^ y (also x ** y and pow(x, y)); d/dy needs x > 0 (or x = 0: then it is 0)",
      domain=_pow_domain,
      symbol="^", precedence=4, callable_as="pow"),
    # ---- functions ---------------------------------------------------------------------------
    P("sin", 1, math.sin, "sin", (lambda F, x, ans: F.cos(x),), "sine"),
    P("cos", 1, math.cos, "cos", (lambda F, x, ans: -F.sin(x),), "cosine"),
    P("tan", 1, math.tan, "tan", (lambda F, x, ans: 1.0 + ans * ans,), "tangent"),
    P("asin", 1, math.asin, "arcsin", (lambda F, x, ans: 1.0 / F.sqrt((1.0 - x) * (1.0 + x)),),
      "inverse sine", domain=_not("in [-1, 1]")),
    P("acos", 1, math.acos, "arccos", (lambda F, x, ans: -1.0 / F.sqrt((1.0 - x) * (1.0 + x)),),
      "inverse cosine", domain=_not("in [-1, 1]")),
    # 1/(1 + x^2) as (1/h)/h with h = hypot(1, x): no overflow of x^2 for |x| > 1e154.
    P("atan", 1, math.atan, "arctan", (lambda F, x, ans: 1.0 / F.hypot(1.0, x) / F.hypot(1.0, x),),
      "inverse tangent"),
    P("sinh", 1, math.sinh, "sinh", (lambda F, x, ans: F.cosh(x),), "hyperbolic sine"),
    P("cosh", 1, math.cosh, "cosh", (lambda F, x, ans: F.sinh(x),), "hyperbolic cosine"),
    # sech(x)^2 as cosh(x)^-2: full relative accuracy in the tails, where 1 - tanh(x)^2 cancels
    # (it is 0 beyond |x| ~ 19); underflows gracefully, and cosh overflows only past |x| = 710.
    P("tanh", 1, math.tanh, "tanh", (lambda F, x, ans: F.pow(F.cosh(x), -2.0),),
      "hyperbolic tangent"),
    P("asinh", 1, math.asinh, "arcsinh", (lambda F, x, ans: 1.0 / F.hypot(x, 1.0),),
      "inverse hyperbolic sine"),
    P("acosh", 1, math.acosh, "arccosh",
      (lambda F, x, ans: 1.0 / (F.sqrt(x - 1.0) * F.sqrt(x + 1.0)),),
      "inverse hyperbolic cosine", domain=_not(">= 1")),
    P("atanh", 1, math.atanh, "arctanh", (lambda F, x, ans: 1.0 / ((1.0 - x) * (1.0 + x)),),
      "inverse hyperbolic tangent", domain=_not("in (-1, 1)")),
    P("exp", 1, math.exp, "exp", (lambda F, x, ans: ans,), "e to the power x"),
    P("log", 1, math.log, "log", (lambda F, x, ans: 1.0 / x,), "natural logarithm",
      domain=_not("> 0")),
    P("log", 2, _log, _np_log_base,
      (lambda F, x, b, ans: 1.0 / x / F.log(b), lambda F, x, b, ans: -ans / b / F.log(b)),
      "logarithm of x in base b", domain=_log_base_domain),
    P("xlogy", 2, _xlogy, _np_xlogy,
      (lambda F, x, y, ans: F.log(y), lambda F, x, y, ans: x / y),
      "x * log(y), and 0 when x = 0 (the derivative of x^y in y)", domain=_log_base_domain_y,
      kink="xlogy(0, y) = 0 for every y"),
    P("ln", 1, math.log, "log", (lambda F, x, ans: 1.0 / x,), "natural logarithm (same as log)",
      domain=_not("> 0")),
    P("log2", 1, math.log2, "log2", (lambda F, x, ans: 1.0 / x / LN2,), "base-2 logarithm",
      domain=_not("> 0")),
    P("log10", 1, math.log10, "log10", (lambda F, x, ans: 1.0 / x / LN10,), "base-10 logarithm",
      domain=_not("> 0")),
    P("sqrt", 1, math.sqrt, "sqrt", (lambda F, x, ans: 0.5 / ans,),
      "square root; its derivative is infinite at 0", domain=_not(">= 0")),
    P("cbrt", 1, math.cbrt, "cbrt", (lambda F, x, ans: 1.0 / (3.0 * ans * ans),),
      "real cube root, cbrt(-8) = -2; its derivative is infinite at 0"),
    P("abs", 1, math.fabs, "abs", (lambda F, x, ans: F.sign(x),), "absolute value",
      kink="abs'(0) = 0"),
    P("sign", 1, _sign, "sign", (lambda F, x, ans: 0.0,), "-1, 0 or 1 (the derivative of abs)",
      kink="sign' = 0 everywhere, 0 included"),
    P("step", 1, _step, _np_step, (lambda F, x, ans: 0.0,),
      "1 if x > 0 else 0 (the derivative of relu)", kink="step' = 0 everywhere, 0 included"),
    P("sigmoid", 1, _sigmoid, _np_sigmoid, (lambda F, x, ans: ans * F.sigmoid(-x),),
      "1 / (1 + e^-x), exact 0 and 1 far out"),
    P("relu", 1, lambda x: x if x > 0.0 else 0.0, lambda np, x: np.maximum(x, 0.0),
      (lambda F, x, ans: F.step(x),), "max(x, 0)", kink="relu'(0) = 0"),
    P("softplus", 1, _softplus, _np_softplus, (lambda F, x, ans: F.sigmoid(x),),
      "log(1 + e^x) without overflow"),
    P("erf", 1, math.erf, _np_erf, (lambda F, x, ans: TWO_OVER_SQRT_PI * F.exp(-(x * x)),),
      "error function"),
    P("atan2", 2, math.atan2, "arctan2",
      # x/(x^2 + y^2) as (x/h)/h with h = hypot(x, y): x^2 + y^2 overflows from 1e154 on.
      (lambda F, y, x, ans: x / F.hypot(x, y) / F.hypot(x, y),
       lambda F, y, x, ans: -y / F.hypot(x, y) / F.hypot(x, y)),
      "angle of the point (x, y); its derivative is undefined at (0, 0)"),
    P("hypot", 2, math.hypot, "hypot", (lambda F, x, y, ans: x / ans, lambda F, x, y, ans: y / ans),
      "sqrt(x^2 + y^2) without overflow; its derivative is undefined at (0, 0)"),
    P("min", 2, min, _np_minmax("minimum"),
      (lambda F, x, y, ans: 0.5 - 0.5 * F.sign(x - y), lambda F, x, y, ans: 0.5 + 0.5 * F.sign(x - y)),
      "the smaller of x and y", kink="at a tie each argument gets 1/2"),
    P("max", 2, max, _np_minmax("maximum"),
      (lambda F, x, y, ans: 0.5 + 0.5 * F.sign(x - y), lambda F, x, y, ans: 0.5 - 0.5 * F.sign(x - y)),
      "the larger of x and y", kink="at a tie each argument gets 1/2"),
    # ---- contract v0.2: more functions, comparisons, where's branches, stop -------------------
    P("log1p", 1, math.log1p, "log1p", (lambda F, x, ans: 1.0 / (1.0 + x),),
      "log(1 + x), exact for tiny x", domain=_not("> -1")),
    P("expm1", 1, math.expm1, "expm1", (lambda F, x, ans: F.exp(x),),
      "e^x - 1, exact for tiny x"),
    P("exp2", 1, math.exp2, "exp2", (lambda F, x, ans: ans * LN2,), "2 to the power x"),
    *(
        P(name, 2, fn, vfn, (_flat2, _flat2), doc, symbol=symbol, precedence=0,
          kink=f"{name}' = 0 everywhere, the jump included")
        for name, symbol, fn, vfn, doc in _COMPARISONS
    ),
    P("pick", 2, _pick, _np_pick,
      (lambda F, c, x, ans: 0.0, lambda F, c, x, ans: F.pick(c, 1.0)),
      "x where c is not 0, else -0 (adds as nothing): where(c, a, b) is pick(c, a) + unpick(c, b)",
      kink="d/dx is 1 where c != 0, else 0; d/dc = 0"),
    P("unpick", 2, _unpick, _np_unpick,
      (lambda F, c, x, ans: 0.0, lambda F, c, x, ans: F.unpick(c, 1.0)),
      "x where c is 0, else -0 (adds as nothing): the other branch of where(c, a, b)",
      kink="d/dx is 1 where c = 0, else 0; d/dc = 0"),
    P("stop", 1, _stop, _np_stop, (lambda F, x, ans: 0.0,),
      "x, with derivative 0 (no gradient flows through it)", kink="stop' = 0 everywhere"),
)
# fmt: on

CODES: dict[tuple[str, int], int] = {
    (p.call_name, p.arity): code for code, p in enumerate(TABLE, FIRST_PRIMITIVE)
}
BY_CODE: tuple[Primitive | None, ...] = (None, None, *TABLE)
OPERATORS = {p.name: code for code, p in enumerate(TABLE, FIRST_PRIMITIVE) if p.symbol}
ARITIES: dict[str, tuple[int, ...]] = {}
for _p in TABLE:
    if not _p.symbol or _p.callable_as:
        ARITIES.setdefault(_p.call_name, ())
        ARITIES[_p.call_name] += (_p.arity,)


def lookup(name: str, nargs: int) -> int | None:
    """The op code of a call ``name(arg, ...)``, or None if no such function takes nargs."""
    return CODES.get((name, nargs))


def namespace(resolve: Callable[[int], Callable[..., object]]) -> SimpleNamespace:
    """The table as a namespace ``F`` for the partial rules: ``F.cos`` is ``resolve(code of cos)``.

    Each backend (floats, numpy arrays, graph nodes) supplies ``resolve``, which turns an op code
    into a callable on that backend's values; a name with several arities (``log``) dispatches on
    the number of arguments.
    """
    funcs: dict[str, Callable[..., object]] = {}
    for name, arities in ARITIES.items():
        if len(arities) == 1:
            funcs[name] = resolve(CODES[(name, arities[0])])
        else:
            by_arity = {n: resolve(CODES[(name, n)]) for n in arities}
            funcs[name] = lambda *args, _by=by_arity: _by[len(args)](*args)
    return SimpleNamespace(**funcs)


# Rules on floats call the primitives' own float functions.
FLOAT = namespace(lambda code: BY_CODE[code].fn)
