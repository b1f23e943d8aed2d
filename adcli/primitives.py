"""The one table of primitives: every operation adcli knows, with its value and its derivative rule.

Each entry declares, side by side:

* ``fn`` — the value on Python floats (``math`` semantics: a domain error raises ``ValueError``,
  an overflow raises ``OverflowError``; the engine turns both into a user error);
* ``vfn`` — the same value on numpy arrays, for batch replay (numpy is imported only there): a
  numpy ufunc's name, a function of ``np``, or ``EACH`` (``fn`` element by element), chosen so
  that batch equals eval to the last bit;
* ``partials`` — exactly one local derivative (the seed's *g_weight*) per argument, each a
  function ``(F, *args, ans)`` where ``F`` is a namespace of this table's own functions and ``ans``
  is the value just computed.  Because a rule uses only ``F.<name>`` and ``+ - * /``, the same rule
  runs on floats (the reverse sweep), on numpy arrays (batch), and on graph nodes (``Var``), which
  is what makes Hessians and ``adcli diff`` exact: a derivative is itself a graph that can be
  differentiated again.

Rows use keyword fields; besides the three above: ``doc``, ``domain`` (the message for a value
error), ``kink`` (the convention at a kink), ``symbol`` and ``precedence`` (operators, for parsing
and printing), ``callable_as`` and ``params`` (argument names in listings).  Evaluation, the sweeps,
batch replay, arity and unknown-name errors, the ``functions`` listing, printing and the tree
labels all read this table.  Adding a function is one entry here plus a test.
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

# ``vfn=EACH``: on arrays, the float function element by element (~75 ns a point).  For the rows
# whose numpy ufunc is not the C library's function that ``fn`` calls, so batch would not equal
# eval to the last bit: Python's own hypot algorithm, and erf (numpy has none).
EACH = "each"


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
        "params",
        "partials",
        "precedence",
        "symbol",
        "vfn",
    )

    def __init__(
        self,
        name: str,
        arity: int,
        *,
        fn: Callable[..., float],
        vfn: Callable[..., object] | str,
        partials: tuple[Callable[..., object], ...],
        doc: str,
        domain: Callable[..., str] | None = None,
        kink: str = "",
        symbol: str = "",  # infix or prefix operator symbol; empty for a function call
        precedence: int = 9,  # for printing: 1 + -, 2 * /, 3 unary -, 4 ^, 9 call or leaf
        callable_as: str = "",  # the call name when it differs from ``name`` (operators)
        params: tuple[str, ...] = (),  # argument names for listings: atan2(y, x); default x, y
    ) -> None:
        # The tape stores two argument slots per node; one partial per argument, always.
        assert 1 <= arity <= 2, name
        assert len(partials) == arity, name
        self.name, self.arity, self.fn, self.vfn, self.partials = name, arity, fn, vfn, partials
        self.doc, self.domain, self.kink, self.symbol = doc, domain, kink, symbol
        self.precedence, self.callable_as = precedence, callable_as
        self.params = params or ("x", "y")[:arity]

    def __repr__(self) -> str:
        return f"Primitive({self.name!r}, {self.arity})"

    @property
    def call_name(self) -> str:
        return self.callable_as or self.name


def _not(condition: str) -> Callable[[float], str]:
    return lambda x: f"argument {number(x, short=True)} is not {condition}"


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
        return f"zero to a negative power ({number(y, short=True)})"
    if x < 0.0 and y != math.floor(y):
        return (
            f"negative base {number(x, short=True)} to a non-integer power {number(y, short=True)}"
        )
    return f"{number(x, short=True)} ^ {number(y, short=True)} overflows"


def _log_base_domain_y(x: float, y: float) -> str:
    return f"argument {number(y, short=True)} is not > 0"


def _log_base_domain(x: float, base: float) -> str:
    if x <= 0.0:
        return f"argument {number(x, short=True)} is not > 0"
    return f"base {number(base, short=True)} is not > 0 and != 1"


# numpy versions that are not a single ufunc; ``np`` is passed in so numpy stays a lazy import.
def _np_sigmoid(np, x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _np_softplus(np, x):
    return np.where(x > 0, x + np.log1p(np.exp(-np.abs(x))), np.log1p(np.exp(np.minimum(x, 0))))


def _np_step(np, x):
    return np.where(x > 0, 1.0, 0.0)


def _np_xlogy(np, x, y):
    return np.where(x == 0, 0.0, x * np.log(y))


def _np_log_base(np, x, b):
    return np.log(x) / np.log(b)


def _np_minmax(pick):
    return lambda np, x, y: getattr(np, pick)(x, y)


def _flat2(F, x, y, ans):
    return 0.0


# A comparison is 1.0 or 0.0 (NaN compares false, as in IEEE and numpy); its derivative is 0.
# ``operator.lt`` and its kin compare floats and, elementwise, numpy arrays.
def _comparison(name: str, symbol: str) -> tuple:
    test = getattr(operator, name)
    fn = lambda x, y: 1.0 if test(x, y) else 0.0
    vfn = lambda np, x, y: np.where(test(x, y), 1.0, 0.0)
    return name, symbol, fn, vfn, f"1 if x {symbol} y else 0"


_COMPARISONS = tuple(
    _comparison(*pair)
    for pair in (("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">="), ("eq", "=="), ("ne", "!="))
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
    P("add", 2, fn=operator.add, vfn="add", partials=(lambda F, x, y, ans: 1.0, lambda F, x, y, ans: 1.0),
      doc="x + y", symbol="+", precedence=1),
    P("sub", 2, fn=operator.sub, vfn="subtract", partials=(lambda F, x, y, ans: 1.0, lambda F, x, y, ans: -1.0),
      doc="x - y", symbol="-", precedence=1),
    P("mul", 2, fn=operator.mul, vfn="multiply", partials=(lambda F, x, y, ans: y, lambda F, x, y, ans: x),
      doc="x * y", symbol="*", precedence=2),
    P("div", 2, fn=operator.truediv, vfn="divide",
      partials=(lambda F, x, y, ans: 1.0 / y, lambda F, x, y, ans: -ans / y),
      doc="x / y", domain=lambda x, y: f"division by zero ({number(x, short=True)} / 0)", symbol="/", precedence=2),
    P("neg", 1, fn=operator.neg, vfn="negative", partials=(lambda F, x, ans: -1.0,),
      doc="-x", symbol="-", precedence=3),
    P("pow", 2, fn=math.pow, vfn="float_power",
      # d/dx is 0 where y = 0, x = 0 included (0 * 0^-1 would be NaN), as in PyTorch.
      partials=(lambda F, x, y, ans: F.pick(y, y * F.pow(x, y - 1.0)), lambda F, x, y, ans: F.xlogy(ans, x)),
      doc="x ^ y (also x ** y and pow(x, y)); d/dy needs x > 0 (or x = 0: then it is 0)",
      domain=_pow_domain,
      symbol="^", precedence=4, callable_as="pow"),
    # ---- functions ---------------------------------------------------------------------------
    P("sin", 1, fn=math.sin, vfn="sin", partials=(lambda F, x, ans: F.cos(x),), doc="sine"),
    P("cos", 1, fn=math.cos, vfn="cos", partials=(lambda F, x, ans: -F.sin(x),), doc="cosine"),
    P("tan", 1, fn=math.tan, vfn="tan", partials=(lambda F, x, ans: 1.0 + ans * ans,), doc="tangent"),
    P("asin", 1, fn=math.asin, vfn="arcsin", partials=(lambda F, x, ans: 1.0 / F.sqrt((1.0 - x) * (1.0 + x)),),
      doc="inverse sine", domain=_not("in [-1, 1]")),
    P("acos", 1, fn=math.acos, vfn="arccos", partials=(lambda F, x, ans: -1.0 / F.sqrt((1.0 - x) * (1.0 + x)),),
      doc="inverse cosine", domain=_not("in [-1, 1]")),
    # 1/(1 + x^2) as (1/h)/h with h = hypot(1, x): no overflow of x^2 for |x| > 1e154.
    P("atan", 1, fn=math.atan, vfn="arctan", partials=(lambda F, x, ans: 1.0 / F.hypot(1.0, x) / F.hypot(1.0, x),),
      doc="inverse tangent"),
    P("sinh", 1, fn=math.sinh, vfn="sinh", partials=(lambda F, x, ans: F.cosh(x),), doc="hyperbolic sine"),
    P("cosh", 1, fn=math.cosh, vfn="cosh", partials=(lambda F, x, ans: F.sinh(x),), doc="hyperbolic cosine"),
    # sech(x)^2 as cosh(x)^-2: full relative accuracy in the tails, where 1 - tanh(x)^2 cancels
    # (it is 0 beyond |x| ~ 19); underflows gracefully, and cosh overflows only past |x| = 710.
    P("tanh", 1, fn=math.tanh, vfn="tanh", partials=(lambda F, x, ans: F.pow(F.cosh(x), -2.0),),
      doc="hyperbolic tangent"),
    P("asinh", 1, fn=math.asinh, vfn="arcsinh", partials=(lambda F, x, ans: 1.0 / F.hypot(x, 1.0),),
      doc="inverse hyperbolic sine"),
    P("acosh", 1, fn=math.acosh, vfn="arccosh",
      partials=(lambda F, x, ans: 1.0 / (F.sqrt(x - 1.0) * F.sqrt(x + 1.0)),),
      doc="inverse hyperbolic cosine", domain=_not(">= 1")),
    P("atanh", 1, fn=math.atanh, vfn="arctanh", partials=(lambda F, x, ans: 1.0 / ((1.0 - x) * (1.0 + x)),),
      doc="inverse hyperbolic tangent", domain=_not("in (-1, 1)")),
    P("exp", 1, fn=math.exp, vfn="exp", partials=(lambda F, x, ans: ans,), doc="e to the power x"),
    P("log", 1, fn=math.log, vfn="log", partials=(lambda F, x, ans: 1.0 / x,), doc="natural logarithm",
      domain=_not("> 0")),
    P("log", 2, fn=_log, vfn=_np_log_base,
      partials=(lambda F, x, b, ans: 1.0 / x / F.log(b), lambda F, x, b, ans: -ans / b / F.log(b)),
      doc="logarithm of x in base b", domain=_log_base_domain),
    P("xlogy", 2, fn=_xlogy, vfn=_np_xlogy,
      partials=(lambda F, x, y, ans: F.log(y), lambda F, x, y, ans: x / y),
      doc="x * log(y), and 0 when x = 0 (the derivative of x^y in y)", domain=_log_base_domain_y,
      kink="xlogy(0, y) = 0 for every y"),
    P("ln", 1, fn=math.log, vfn="log", partials=(lambda F, x, ans: 1.0 / x,), doc="natural logarithm (same as log)",
      domain=_not("> 0")),
    P("log2", 1, fn=math.log2, vfn="log2", partials=(lambda F, x, ans: 1.0 / x / LN2,), doc="base-2 logarithm",
      domain=_not("> 0")),
    P("log10", 1, fn=math.log10, vfn="log10", partials=(lambda F, x, ans: 1.0 / x / LN10,), doc="base-10 logarithm",
      domain=_not("> 0")),
    P("sqrt", 1, fn=math.sqrt, vfn="sqrt", partials=(lambda F, x, ans: 0.5 / ans,),
      doc="square root; its derivative is infinite at 0", domain=_not(">= 0")),
    P("cbrt", 1, fn=math.cbrt, vfn="cbrt", partials=(lambda F, x, ans: 1.0 / (3.0 * ans * ans),),
      doc="real cube root, cbrt(-8) = -2; its derivative is infinite at 0"),
    P("abs", 1, fn=math.fabs, vfn="abs", partials=(lambda F, x, ans: F.sign(x),), doc="absolute value",
      kink="abs'(0) = 0"),
    P("sign", 1, fn=_sign, vfn="sign", partials=(lambda F, x, ans: 0.0,), doc="-1, 0 or 1 (the derivative of abs)",
      kink="sign' = 0 everywhere, 0 included"),
    P("step", 1, fn=_step, vfn=_np_step, partials=(lambda F, x, ans: 0.0,),
      doc="1 if x > 0 else 0 (the derivative of relu)", kink="step' = 0 everywhere, 0 included"),
    P("sigmoid", 1, fn=_sigmoid, vfn=_np_sigmoid, partials=(lambda F, x, ans: ans * F.sigmoid(-x),),
      doc="1 / (1 + e^-x), exact 0 and 1 far out"),
    P("relu", 1, fn=lambda x: x if x > 0.0 else 0.0, vfn=lambda np, x: np.maximum(x, 0.0),
      partials=(lambda F, x, ans: F.step(x),), doc="max(x, 0)", kink="relu'(0) = 0"),
    P("softplus", 1, fn=_softplus, vfn=_np_softplus, partials=(lambda F, x, ans: F.sigmoid(x),),
      doc="log(1 + e^x) without overflow"),
    P("erf", 1, fn=math.erf, vfn=EACH, partials=(lambda F, x, ans: TWO_OVER_SQRT_PI * F.exp(-(x * x)),),
      doc="error function"),
    P("atan2", 2, fn=math.atan2, vfn="arctan2", params=("y", "x"),
      # x/(x^2 + y^2) as (x/h)/h with h = hypot(x, y): x^2 + y^2 overflows from 1e154 on.
      partials=(lambda F, y, x, ans: x / F.hypot(x, y) / F.hypot(x, y),
       lambda F, y, x, ans: -y / F.hypot(x, y) / F.hypot(x, y)),
      doc="angle of the point (x, y); its derivative is undefined at (0, 0)"),
    P("hypot", 2, fn=math.hypot, vfn=EACH, partials=(lambda F, x, y, ans: x / ans, lambda F, x, y, ans: y / ans),
      doc="sqrt(x^2 + y^2) without overflow; its derivative is undefined at (0, 0)"),
    P("min", 2, fn=min, vfn=_np_minmax("minimum"),
      partials=(lambda F, x, y, ans: 0.5 - 0.5 * F.sign(x - y), lambda F, x, y, ans: 0.5 + 0.5 * F.sign(x - y)),
      doc="the smaller of x and y", kink="at a tie each argument gets 1/2"),
    P("max", 2, fn=max, vfn=_np_minmax("maximum"),
      partials=(lambda F, x, y, ans: 0.5 + 0.5 * F.sign(x - y), lambda F, x, y, ans: 0.5 - 0.5 * F.sign(x - y)),
      doc="the larger of x and y", kink="at a tie each argument gets 1/2"),
    # ---- contract v0.2: more functions, comparisons, where's branches, stop -------------------
    P("log1p", 1, fn=math.log1p, vfn="log1p", partials=(lambda F, x, ans: 1.0 / (1.0 + x),),
      doc="log(1 + x), exact for tiny x", domain=_not("> -1")),
    P("expm1", 1, fn=math.expm1, vfn="expm1", partials=(lambda F, x, ans: F.exp(x),),
      doc="e^x - 1, exact for tiny x"),
    P("exp2", 1, fn=math.exp2, vfn="exp2", partials=(lambda F, x, ans: ans * LN2,), doc="2 to the power x"),
    *(
        P(name, 2, fn=fn, vfn=vfn, partials=(_flat2, _flat2), doc=doc, symbol=symbol, precedence=0,
          kink=f"{name}' = 0 everywhere, the jump included")
        for name, symbol, fn, vfn, doc in _COMPARISONS
    ),
    P("pick", 2, fn=_pick, vfn=_np_pick, params=("c", "x"),
      partials=(lambda F, c, x, ans: 0.0, lambda F, c, x, ans: F.pick(c, 1.0)),
      doc="x where c is not 0, else -0 (adds as nothing): where(c, a, b) is pick(c, a) + unpick(c, b)",
      kink="d/dx is 1 where c != 0, else 0; d/dc = 0"),
    P("unpick", 2, fn=_unpick, vfn=_np_unpick, params=("c", "x"),
      partials=(lambda F, c, x, ans: 0.0, lambda F, c, x, ans: F.unpick(c, 1.0)),
      doc="x where c is 0, else -0 (adds as nothing): the other branch of where(c, a, b)",
      kink="d/dx is 1 where c = 0, else 0; d/dc = 0"),
    P("stop", 1, fn=_stop, vfn=_np_stop, partials=(lambda F, x, ans: 0.0,),
      doc="x, with derivative 0 (no gradient flows through it)", kink="stop' = 0 everywhere"),
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
