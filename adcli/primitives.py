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

Rows use keyword fields; besides the three above: ``doc``, ``code`` (its spelling in each language
``adcli diff --to`` writes: Python, NumPy, C, LaTeX; ``adcli.codegen.spellings`` says how to read
it), ``domain`` (the message for a value error), ``kink`` (the convention at a kink), ``symbol``
and ``precedence`` (operators, for parsing and printing), ``callable_as`` and ``params`` (argument
names in listings).  Evaluation, the sweeps, batch replay, arity and unknown-name errors, the
``functions`` listing, printing, code generation and the tree labels all read this table.  Adding
a function is one entry here plus a test.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from types import SimpleNamespace

from . import primitive_functions as f
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


def _pow_dx(F, x, y):
    """d/dx x^y = y * x^(y-1), and 0 where y = 0 and x = 0 (0 * 0^-1 would be NaN), as in PyTorch.

    The guard on y applies only where x = 0: at x != 0 the rule stays y * x^(y-1), whose own
    derivative in y (x^(y-1) * (1 + y ln x)) is then exact at y = 0 too, so Hessians keep the mixed
    partial d2/dxdy x^y = 1/x there.  Bit for bit the value is one of the two branches (the other
    adds -0.0); with y a constant the graph folds back to y * x^(y-1).
    """
    g = y * F.pow(x, y - 1.0)
    return F.pick(x, g) + F.unpick(x, F.pick(y, g))


class Primitive:
    """One row of the table (see the module docstring).  A plain class: dataclasses would cost
    the hot path an import of ``inspect``."""

    __slots__ = (
        "arity",
        "callable_as",
        "code",
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
        code: tuple[str, str, str, str],
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
        self.doc, self.code, self.domain, self.kink, self.symbol = doc, code, domain, kink, symbol
        self.precedence, self.callable_as = precedence, callable_as
        self.params = params or ("x", "y")[:arity]

    def __repr__(self) -> str:
        return f"Primitive({self.name!r}, {self.arity})"

    @property
    def call_name(self) -> str:
        return self.callable_as or self.name


P = Primitive
# fmt: off
TABLE: tuple[Primitive, ...] = (
    # ---- operators -------------------------------------------------------------------------
    P("add", 2, fn=operator.add, vfn="add", partials=(lambda F, x, y, ans: 1.0, lambda F, x, y, ans: 1.0),
      doc="x + y", symbol="+", precedence=1,
      code=("+", "+", "+", "+")),
    P("sub", 2, fn=operator.sub, vfn="subtract", partials=(lambda F, x, y, ans: 1.0, lambda F, x, y, ans: -1.0),
      doc="x - y", symbol="-", precedence=1,
      code=("-", "-", "-", "-")),
    P("mul", 2, fn=operator.mul, vfn="multiply", partials=(lambda F, x, y, ans: y, lambda F, x, y, ans: x),
      doc="x * y", symbol="*", precedence=2,
      code=("*", "*", "*", "*")),
    P("div", 2, fn=operator.truediv, vfn="divide",
      partials=(lambda F, x, y, ans: 1.0 / y, lambda F, x, y, ans: -ans / y),
      doc="x / y", domain=lambda x, y: f"division by zero ({number(x, short=True)} / 0)", symbol="/", precedence=2,
      code=("/", "/", "/", r"\frac{%0}{%1}")),
    P("neg", 1, fn=operator.neg, vfn="negative", partials=(lambda F, x, ans: -1.0,),
      doc="-x", symbol="-", precedence=3,
      code=("-", "-", "-", "-")),
    P("pow", 2, fn=math.pow, vfn="float_power",
      partials=(lambda F, x, y, ans: _pow_dx(F, x, y), lambda F, x, y, ans: F.xlogy(ans, x)),
      doc="x ^ y (also x ** y and pow(x, y)); d/dy needs x > 0 (or x = 0: then it is 0)",
      domain=f.pow_domain,
      symbol="^", precedence=4, callable_as="pow",
      code=("math.pow", "np.power", "pow", "%0^{%1}")),
    # ---- functions ---------------------------------------------------------------------------
    P("sin", 1, fn=math.sin, vfn="sin", partials=(lambda F, x, ans: F.cos(x),), doc="sine",
      code=("math.sin", "np.sin", "sin", r"\sin")),
    P("cos", 1, fn=math.cos, vfn="cos", partials=(lambda F, x, ans: -F.sin(x),), doc="cosine",
      code=("math.cos", "np.cos", "cos", r"\cos")),
    P("tan", 1, fn=math.tan, vfn="tan", partials=(lambda F, x, ans: 1.0 + ans * ans,), doc="tangent",
      code=("math.tan", "np.tan", "tan", r"\tan")),
    P("asin", 1, fn=math.asin, vfn="arcsin", partials=(lambda F, x, ans: 1.0 / F.sqrt((1.0 - x) * (1.0 + x)),),
      doc="inverse sine", domain=f.domain_not("in [-1, 1]"),
      code=("math.asin", "np.arcsin", "asin", r"\arcsin")),
    P("acos", 1, fn=math.acos, vfn="arccos", partials=(lambda F, x, ans: -1.0 / F.sqrt((1.0 - x) * (1.0 + x)),),
      doc="inverse cosine", domain=f.domain_not("in [-1, 1]"),
      code=("math.acos", "np.arccos", "acos", r"\arccos")),
    # 1/(1 + x^2) as (1/h)/h with h = hypot(1, x): no overflow of x^2 for |x| > 1e154.
    P("atan", 1, fn=math.atan, vfn="arctan", partials=(lambda F, x, ans: 1.0 / F.hypot(1.0, x) / F.hypot(1.0, x),),
      doc="inverse tangent",
      code=("math.atan", "np.arctan", "atan", r"\arctan")),
    P("sinh", 1, fn=math.sinh, vfn="sinh", partials=(lambda F, x, ans: F.cosh(x),), doc="hyperbolic sine",
      code=("math.sinh", "np.sinh", "sinh", r"\sinh")),
    P("cosh", 1, fn=math.cosh, vfn="cosh", partials=(lambda F, x, ans: F.sinh(x),), doc="hyperbolic cosine",
      code=("math.cosh", "np.cosh", "cosh", r"\cosh")),
    # sech(x)^2 as 4u / (1 + u)^2 with u = e^(-2|x|) <= 1: full relative accuracy in the tails,
    # where 1 - tanh(x)^2 cancels (it is 0 beyond |x| ~ 19), and nothing overflows at any x (cosh
    # does past |x| = 710), so Hessians and printed derivatives hold everywhere tanh' does.
    P("tanh", 1, fn=math.tanh, vfn="tanh",
      partials=(lambda F, x, ans: 4.0 * F.exp(-2.0 * F.abs(x)) / F.pow(1.0 + F.exp(-2.0 * F.abs(x)), 2.0),),
      doc="hyperbolic tangent",
      code=("math.tanh", "np.tanh", "tanh", r"\tanh")),
    P("asinh", 1, fn=math.asinh, vfn="arcsinh", partials=(lambda F, x, ans: 1.0 / F.hypot(x, 1.0),),
      doc="inverse hyperbolic sine",
      code=("math.asinh", "np.arcsinh", "asinh", r"\operatorname{arsinh}")),
    P("acosh", 1, fn=math.acosh, vfn="arccosh",
      partials=(lambda F, x, ans: 1.0 / (F.sqrt(x - 1.0) * F.sqrt(x + 1.0)),),
      doc="inverse hyperbolic cosine", domain=f.domain_not(">= 1"),
      code=("math.acosh", "np.arccosh", "acosh", r"\operatorname{arcosh}")),
    P("atanh", 1, fn=math.atanh, vfn="arctanh", partials=(lambda F, x, ans: 1.0 / ((1.0 - x) * (1.0 + x)),),
      doc="inverse hyperbolic tangent", domain=f.domain_not("in (-1, 1)"),
      code=("math.atanh", "np.arctanh", "atanh", r"\operatorname{artanh}")),
    P("exp", 1, fn=math.exp, vfn="exp", partials=(lambda F, x, ans: ans,), doc="e to the power x",
      code=("math.exp", "np.exp", "exp", r"\exp")),
    P("log", 1, fn=math.log, vfn="log", partials=(lambda F, x, ans: 1.0 / x,), doc="natural logarithm",
      domain=f.domain_not("> 0"),
      code=("math.log", "np.log", "log", r"\ln")),
    P("log", 2, fn=f.log_base, vfn=f.np_log_base,
      partials=(lambda F, x, b, ans: 1.0 / x / F.log(b), lambda F, x, b, ans: -ans / b / F.log(b)),
      doc="logarithm of x in base b", domain=f.log_base_domain,
      code=("_log_base", "_log_base", "adcli_log_base", r"\log_{%1}\left(%0\right)")),
    P("xlogy", 2, fn=f.xlogy, vfn=f.np_xlogy,
      partials=(lambda F, x, y, ans: F.log(y), lambda F, x, y, ans: x / y),
      doc="x * log(y), and 0 when x = 0 (the derivative of x^y in y)", domain=f.log_base_domain_y,
      kink="xlogy(0, y) = 0 for every y",
      code=("_xlogy", "_xlogy", "adcli_xlogy", r"\operatorname{xlogy}")),
    P("ln", 1, fn=math.log, vfn="log", partials=(lambda F, x, ans: 1.0 / x,), doc="natural logarithm (same as log)",
      domain=f.domain_not("> 0"),
      code=("math.log", "np.log", "log", r"\ln")),
    P("log2", 1, fn=math.log2, vfn="log2", partials=(lambda F, x, ans: 1.0 / x / LN2,), doc="base-2 logarithm",
      domain=f.domain_not("> 0"),
      code=("math.log2", "np.log2", "log2", r"\log_{2}")),
    P("log10", 1, fn=math.log10, vfn="log10", partials=(lambda F, x, ans: 1.0 / x / LN10,), doc="base-10 logarithm",
      domain=f.domain_not("> 0"),
      code=("math.log10", "np.log10", "log10", r"\log_{10}")),
    P("sqrt", 1, fn=math.sqrt, vfn="sqrt", partials=(lambda F, x, ans: 0.5 / ans,),
      doc="square root; its derivative is infinite at 0", domain=f.domain_not(">= 0"),
      code=("math.sqrt", "np.sqrt", "sqrt", r"\sqrt{%0}")),
    P("cbrt", 1, fn=math.cbrt, vfn="cbrt", partials=(lambda F, x, ans: 1.0 / (3.0 * ans * ans),),
      doc="real cube root, cbrt(-8) = -2; its derivative is infinite at 0",
      code=("math.cbrt", "np.cbrt", "cbrt", r"\sqrt[3]{%0}")),
    P("abs", 1, fn=math.fabs, vfn="abs", partials=(lambda F, x, ans: F.sign(x),), doc="absolute value",
      kink="abs'(0) = 0",
      code=("math.fabs", "np.abs", "fabs", r"\left|%0\right|")),
    P("sign", 1, fn=f.sign, vfn="sign", partials=(lambda F, x, ans: 0.0,), doc="-1, 0 or 1 (the derivative of abs)",
      kink="sign' = 0 everywhere, 0 included",
      code=("_sign", "np.sign", "adcli_sign", r"\operatorname{sgn}")),
    P("step", 1, fn=f.step, vfn=f.np_step, partials=(lambda F, x, ans: 0.0,),
      doc="1 if x > 0 else 0 (the derivative of relu)", kink="step' = 0 everywhere, 0 included",
      code=("_step", "_step", "adcli_step", r"\operatorname{step}")),
    P("sigmoid", 1, fn=f.sigmoid, vfn=f.np_sigmoid, partials=(lambda F, x, ans: ans * F.sigmoid(-x),),
      doc="1 / (1 + e^-x), exact 0 and 1 far out",
      code=("_sigmoid", "_sigmoid", "adcli_sigmoid", r"\sigma")),
    P("relu", 1, fn=lambda x: x if x > 0.0 else 0.0, vfn=lambda np, x: np.maximum(x, 0.0),
      partials=(lambda F, x, ans: F.step(x),), doc="max(x, 0)", kink="relu'(0) = 0",
      code=("_relu", "_relu", "adcli_relu", r"\operatorname{relu}")),
    P("softplus", 1, fn=f.softplus, vfn=f.np_softplus, partials=(lambda F, x, ans: F.sigmoid(x),),
      doc="log(1 + e^x) without overflow",
      code=("_softplus", "_softplus", "adcli_softplus", r"\operatorname{softplus}")),
    P("erf", 1, fn=math.erf, vfn=EACH, partials=(lambda F, x, ans: TWO_OVER_SQRT_PI * F.exp(-(x * x)),),
      doc="error function",
      code=("math.erf", "_erf", "erf", r"\operatorname{erf}")),
    P("atan2", 2, fn=math.atan2, vfn="arctan2", params=("y", "x"),
      # x/(x^2 + y^2) as (x/h)/h with h = hypot(x, y): x^2 + y^2 overflows from 1e154 on.
      partials=(lambda F, y, x, ans: x / F.hypot(x, y) / F.hypot(x, y),
       lambda F, y, x, ans: -y / F.hypot(x, y) / F.hypot(x, y)),
      doc="angle of the point (x, y); its derivative is undefined at (0, 0)",
      code=("math.atan2", "np.arctan2", "atan2", r"\operatorname{atan2}")),
    P("hypot", 2, fn=math.hypot, vfn=EACH, partials=(lambda F, x, y, ans: x / ans, lambda F, x, y, ans: y / ans),
      doc="sqrt(x^2 + y^2) without overflow; its derivative is undefined at (0, 0)",
      code=("math.hypot", "np.hypot", "hypot", r"\operatorname{hypot}")),
    P("min", 2, fn=min, vfn=f.np_minmax("minimum"),
      partials=(lambda F, x, y, ans: 0.5 - 0.5 * F.sign(x - y), lambda F, x, y, ans: 0.5 + 0.5 * F.sign(x - y)),
      doc="the smaller of x and y", kink="at a tie each argument gets 1/2",
      code=("min", "_min", "adcli_min", r"\min")),
    P("max", 2, fn=max, vfn=f.np_minmax("maximum"),
      partials=(lambda F, x, y, ans: 0.5 + 0.5 * F.sign(x - y), lambda F, x, y, ans: 0.5 - 0.5 * F.sign(x - y)),
      doc="the larger of x and y", kink="at a tie each argument gets 1/2",
      code=("max", "_max", "adcli_max", r"\max")),
    # ---- contract v0.2: more functions, comparisons, where's branches, stop -------------------
    P("log1p", 1, fn=math.log1p, vfn="log1p", partials=(lambda F, x, ans: 1.0 / (1.0 + x),),
      doc="log(1 + x), exact for tiny x", domain=f.domain_not("> -1"),
      code=("math.log1p", "np.log1p", "log1p", r"\operatorname{log1p}")),
    P("expm1", 1, fn=math.expm1, vfn="expm1", partials=(lambda F, x, ans: F.exp(x),),
      doc="e^x - 1, exact for tiny x",
      code=("math.expm1", "np.expm1", "expm1", r"\operatorname{expm1}")),
    P("exp2", 1, fn=math.exp2, vfn="exp2", partials=(lambda F, x, ans: ans * LN2,), doc="2 to the power x",
      code=("math.exp2", "np.exp2", "exp2", "2^{%0}")),
    *(
        P(name, 2, fn=fn, vfn=vfn, partials=(f.flat2, f.flat2), doc=doc, symbol=symbol, precedence=0,
          kink=f"{name}' = 0 everywhere, the jump included",
          code=(f"_{name}", f"_{name}", f"adcli_{name}", rf"\left[%0 {tex} %1\right]"))
        for name, symbol, tex in (("lt", "<", "<"), ("le", "<=", r"\le"), ("gt", ">", ">"),
                                  ("ge", ">=", r"\ge"), ("eq", "==", "="), ("ne", "!=", r"\ne"))
        for fn, vfn, doc in [f.comparison(name, symbol)]
    ),
    P("pick", 2, fn=f.pick, vfn=f.np_pick, params=("c", "x"),
      partials=(lambda F, c, x, ans: 0.0, lambda F, c, x, ans: F.pick(c, 1.0)),
      doc="x where c is not 0, else -0 (adds as nothing): where(c, a, b) is pick(c, a) + unpick(c, b)",
      kink="d/dx is 1 where c != 0, else 0; d/dc = 0",
      code=("_pick", "_pick", "adcli_pick", r"\left[%0 \ne 0\right] %1")),
    P("unpick", 2, fn=f.unpick, vfn=f.np_unpick, params=("c", "x"),
      partials=(lambda F, c, x, ans: 0.0, lambda F, c, x, ans: F.unpick(c, 1.0)),
      doc="x where c is 0, else -0 (adds as nothing): the other branch of where(c, a, b)",
      kink="d/dx is 1 where c = 0, else 0; d/dc = 0",
      code=("_unpick", "_unpick", "adcli_unpick", r"\left[%0 = 0\right] %1")),
    P("stop", 1, fn=f.stop, vfn=f.np_stop, partials=(lambda F, x, ans: 0.0,),
      doc="x, with derivative 0 (no gradient flows through it)", kink="stop' = 0 everywhere",
      code=("_stop", "_stop", "adcli_stop", r"\operatorname{stop}")),
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
