"""Every entry of the primitive table: value, first and second derivatives, kinks, careful forms.

First order: the engine's reverse sweep against a centred difference of the float function.
Second order: the rule applied to graph nodes (``adcli.graph.fn`` on a simplifying tape) is itself
a program; its reverse sweep must match a centred difference of the first derivative.  That is
what makes Hessians and ``adcli diff`` exact.
"""

from __future__ import annotations

import decimal as D
import math
from fractions import Fraction

import pytest

import adcli
from adcli import engine
from adcli.errors import EvaluationError, ExitStatus, NonFiniteError
from adcli.graph import Program, Tape, fn
from adcli.primitives import ARITIES, BY_CODE, FLOAT, TABLE, lookup

# In-domain points for every (name, arity) of the table, away from kinks and singularities.
POINTS: dict[tuple[str, int], list[tuple[float, ...]]] = {
    ("add", 2): [(0.7, -1.3), (2.0, 3.5)],
    ("sub", 2): [(0.7, -1.3), (2.0, 3.5)],
    ("mul", 2): [(0.7, -1.3), (2.0, 3.5), (-4.0, 0.25)],
    ("div", 2): [(1.5, 0.4), (-2.0, 3.0), (0.3, -7.0)],
    ("neg", 1): [(0.3,), (-2.0,)],
    ("pow", 2): [(1.7, 2.3), (0.5, -1.5), (2.0, 0.5), (3.0, 3.0)],
    ("sin", 1): [(0.3,), (-1.1,), (2.0,)],
    ("cos", 1): [(0.3,), (-1.1,), (2.0,)],
    ("tan", 1): [(0.3,), (-1.1,), (2.0,)],
    ("asin", 1): [(0.3,), (-0.7,), (0.9,)],
    ("acos", 1): [(0.3,), (-0.7,), (0.9,)],
    ("atan", 1): [(-2.0,), (0.5,), (3.0,)],
    ("sinh", 1): [(-1.5,), (0.2,), (2.0,)],
    ("cosh", 1): [(-1.5,), (0.2,), (2.0,)],
    ("tanh", 1): [(-1.5,), (0.2,), (2.0,)],
    ("asinh", 1): [(-2.0,), (0.3,), (5.0,)],
    ("acosh", 1): [(1.2,), (2.5,), (10.0,)],
    ("atanh", 1): [(-0.8,), (0.1,), (0.5,)],
    ("exp", 1): [(-3.0,), (0.5,), (4.0,)],
    ("log", 1): [(0.1,), (1.5,), (20.0,)],
    ("log", 2): [(8.0, 2.0), (0.3, 10.0), (5.0, 0.5)],
    ("ln", 1): [(0.1,), (1.5,), (20.0,)],
    ("log2", 1): [(0.1,), (1.5,), (20.0,)],
    ("log10", 1): [(0.1,), (1.5,), (20.0,)],
    ("sqrt", 1): [(0.1,), (2.0,), (50.0,)],
    ("cbrt", 1): [(-8.0,), (-0.3,), (0.5,), (27.0,)],
    ("abs", 1): [(-2.0,), (0.5,)],
    ("sign", 1): [(-2.0,), (0.5,)],
    ("step", 1): [(-2.0,), (0.5,)],
    ("sigmoid", 1): [(-3.0,), (0.0,), (2.5,)],
    ("relu", 1): [(-2.0,), (0.7,)],
    ("softplus", 1): [(-3.0,), (0.0,), (2.5,)],
    ("erf", 1): [(-1.0,), (0.2,), (1.5,)],
    ("atan2", 2): [(1.0, 2.0), (-0.5, -1.5), (2.0, -1.0)],
    ("hypot", 2): [(3.0, 4.0), (-1.0, 0.5)],
    ("xlogy", 2): [(2.0, 3.0), (-1.5, 0.4), (0.0, 2.0)],
    ("min", 2): [(1.0, 2.0), (3.0, -1.0)],
    ("max", 2): [(1.0, 2.0), (3.0, -1.0)],
    ("log1p", 1): [(-0.9,), (1e-9,), (0.5,), (30.0,)],
    ("expm1", 1): [(-3.0,), (1e-9,), (0.5,), (4.0,)],
    ("exp2", 1): [(-3.0,), (0.5,), (10.0,)],
    ("lt", 2): [(1.0, 2.0), (3.0, -1.0)],
    ("le", 2): [(1.0, 2.0), (3.0, -1.0)],
    ("gt", 2): [(1.0, 2.0), (3.0, -1.0)],
    ("ge", 2): [(1.0, 2.0), (3.0, -1.0)],
    ("eq", 2): [(1.0, 2.0), (3.0, -1.0)],
    ("ne", 2): [(1.0, 2.0), (3.0, -1.0)],
    ("pick", 2): [(1.0, 0.7), (0.0, 0.7), (-2.0, -3.0)],
    ("unpick", 2): [(1.0, 0.7), (0.0, 0.7), (-2.0, -3.0)],
    ("stop", 1): [(0.3,), (-2.0,)],
}

CASES = [
    pytest.param(code, args, id=f"{p.name}/{p.arity}@{','.join(map(repr, args))}")
    for code, p in enumerate(TABLE, 2)
    for args in POINTS[(p.name, p.arity)]
    if p.name != "stop"  # its derivative is 0 by definition (tested below), not the slope
]
NAMES = ("x", "y")


def centred(f, args: tuple[float, ...], j: int) -> float:
    """∂f/∂args[j] by a centred difference."""
    h = 1e-6 * max(1.0, abs(args[j]))
    up = list(args)
    down = list(args)
    up[j] += h
    down[j] -= h
    return (f(*up) - f(*down)) / (2 * h)


def program_of(code: int) -> Program:
    """``primitive(x[, y])`` as a program on a faithful tape."""
    tape = Tape()
    xs = [tape.input(name) for name in NAMES[: BY_CODE[code].arity]]
    out = tape.apply(code, *xs)
    return Program(tape, out.index, {name: x.index for name, x in zip(NAMES, xs)})


def derivative_program(code: int, j: int) -> Program:
    """The j-th partial rule applied to graph nodes: a program computing ∂p/∂arg_j."""
    p = BY_CODE[code]
    tape = Tape(simplify=True)
    xs = [tape.input(name) for name in NAMES[: p.arity]]
    ans = tape.apply(code, *xs)
    partial = tape.var(p.partials[j](fn, *xs, ans))
    return Program(tape, partial.index, {name: x.index for name, x in zip(NAMES, xs)})


def float_partial(p, j: int):
    return lambda *args: p.partials[j](FLOAT, *args, p.fn(*args))


def test_every_table_entry_has_test_points():
    assert set(POINTS) == {(p.name, p.arity) for p in TABLE}


def test_every_entry_has_one_partial_per_argument():
    for p in TABLE:
        assert len(p.partials) == p.arity, p.name


@pytest.mark.parametrize(("code", "args"), CASES)
def test_first_derivative_against_centred_difference(code, args):
    p = BY_CODE[code]
    result = engine.gradient(program_of(code), dict(zip(NAMES, args)))
    assert result.value == p.fn(*args)
    for j, name in enumerate(NAMES[: p.arity]):
        expected = centred(p.fn, args, j)
        assert result.gradient[name] == pytest.approx(expected, rel=1e-6, abs=1e-8), name


@pytest.mark.parametrize(("code", "args"), CASES)
def test_second_derivative_of_the_rule_on_graph_nodes(code, args):
    p = BY_CODE[code]
    point = dict(zip(NAMES, args))
    for j in range(p.arity):
        first = float_partial(p, j)
        result = engine.gradient(derivative_program(code, j), point)
        # The graph rule computes the same first derivative as the float rule...
        assert result.value == pytest.approx(first(*args), rel=1e-14, abs=1e-300)
        # ...and differentiating it again matches a centred difference of the first derivative.
        for k, name in enumerate(NAMES[: p.arity]):
            expected = centred(first, args, k)
            assert result.gradient[name] == pytest.approx(expected, rel=1e-5, abs=1e-7), (j, name)


# ---- the contract's function list ---------------------------------------------------------

# Copied from the contract's list, as written there.
CONTRACT_FUNCTIONS = (
    *("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"),
    *("asinh", "acosh", "atanh", "exp", "log", "ln", "log2", "log10", "sqrt", "cbrt"),
    *("abs", "sigmoid", "relu", "softplus", "erf"),
)
CONTRACT_BINARY = ("pow", "atan2", "hypot", "min", "max", "log")


@pytest.mark.parametrize("name", CONTRACT_FUNCTIONS)
def test_contract_unary_function_exists(name):
    assert lookup(name, 1) is not None
    assert adcli.compile(f"{name}(x)").inputs == {"x": 0}


@pytest.mark.parametrize("name", CONTRACT_BINARY)
def test_contract_binary_function_exists(name):
    assert lookup(name, 2) is not None
    assert list(adcli.compile(f"{name}(x, y)").inputs) == ["x", "y"]


def test_functions_command_lists_every_call_name():
    from conftest import run_adcli

    done = run_adcli("functions")
    assert done.returncode == 0
    for name in ARITIES:  # every name a program can call
        assert f"{name}(" in done.stdout, name
    for kink in ("abs'(0) = 0", "relu'(0) = 0", "1/2"):
        assert kink in done.stdout


# ---- kinks: PyTorch's choices ------------------------------------------------------------


def gradient(text: str, **point: float):
    result = adcli.compile(text).gradient(point)
    return result.value, result.gradient


@pytest.mark.parametrize(
    ("text", "point", "expected"),
    [
        ("abs(x)", {"x": 0.0}, {"x": 0.0}),
        ("abs(x)", {"x": -0.0}, {"x": 0.0}),
        ("relu(x)", {"x": 0.0}, {"x": 0.0}),
        ("sign(x)", {"x": 0.0}, {"x": 0.0}),
        ("sign(x)", {"x": 3.0}, {"x": 0.0}),
        ("step(x)", {"x": 0.0}, {"x": 0.0}),
        ("step(x)", {"x": -1.0}, {"x": 0.0}),
        ("max(x, y)", {"x": 2.0, "y": 2.0}, {"x": 0.5, "y": 0.5}),
        ("min(x, y)", {"x": 2.0, "y": 2.0}, {"x": 0.5, "y": 0.5}),
        ("max(x, y)", {"x": 3.0, "y": 2.0}, {"x": 1.0, "y": 0.0}),
        ("min(x, y)", {"x": 3.0, "y": 2.0}, {"x": 0.0, "y": 1.0}),
        ("max(x, x)", {"x": 2.0}, {"x": 1.0}),
        ("relu(x)", {"x": 2.0}, {"x": 1.0}),
        ("relu(x)", {"x": -2.0}, {"x": 0.0}),
    ],
)
def test_kinks(text, point, expected):
    assert gradient(text, **point)[1] == expected


# ---- numerically careful forms ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "x", "value", "partial"),
    [
        ("softplus(x)", 1000.0, 1000.0, 1.0),
        ("softplus(x)", -1000.0, 0.0, 0.0),
        ("sigmoid(x)", 1000.0, 1.0, 0.0),
        ("sigmoid(x)", -1000.0, 0.0, 0.0),
        ("x^2", -3.0, 9.0, -6.0),
        ("x**3", -2.0, -8.0, 12.0),
        ("x^-1", -2.0, -0.5, -0.25),
        ("cbrt(x)", -8.0, -2.0, 1.0 / 12.0),
        ("cbrt(x)", 27.0, 3.0, 1.0 / 27.0),
        ("hypot(x, 1e300)", 1e300, math.hypot(1e300, 1e300), 1 / math.sqrt(2)),
        ("tanh(x)", 1000.0, 1.0, 0.0),
        ("exp(x)", -1000.0, 0.0, 0.0),
    ],
)
def test_careful_forms(text, x, value, partial):
    got_value, got = gradient(text, x=x)
    assert got_value == pytest.approx(value, rel=1e-15, abs=0)
    assert got["x"] == pytest.approx(partial, rel=1e-15, abs=0)


def test_log_with_a_base():
    value, partials = gradient("log(x, b)", x=8.0, b=2.0)
    assert value == pytest.approx(3.0, rel=1e-15)
    assert partials["x"] == pytest.approx(1 / (8 * math.log(2)), rel=1e-15)
    assert partials["b"] == pytest.approx(-3.0 / (2 * math.log(2)), rel=1e-15)
    assert gradient("log(x)", x=math.e)[0] == 1.0
    assert gradient("ln(x) - log(x)", x=3.0) == (0.0, {"x": 0.0})


def test_power_with_respect_to_the_exponent_where_defined():
    value, partials = gradient("x^y", x=2.0, y=3.0)
    assert value == 8.0
    assert partials == pytest.approx({"x": 12.0, "y": 8.0 * math.log(2.0)}, rel=1e-15)


def test_power_of_a_negative_base_to_an_integer_constant():
    assert gradient("x^3", x=-2.0) == (-8.0, {"x": 12.0})


def test_power_with_respect_to_the_exponent_of_a_negative_base_is_an_evaluation_error():
    with pytest.raises(NonFiniteError) as info:
        gradient("x^y", x=-3.0, y=2.0)
    assert info.value.status == ExitStatus.EVALUATION
    assert "pow" in info.value.message


def test_power_with_respect_to_the_exponent_at_a_zero_base():
    # d/dy x^y = xlogy(x^y, x), and xlogy(0, .) = 0: 0^y is 0 for every y > 0 (as PyTorch).
    assert gradient("x^y", x=0.0, y=2.0) == (0.0, {"x": 0.0, "y": 0.0})


def test_power_with_a_zero_exponent_at_a_zero_base():
    # d/dx x^0 at x = 0 is 0 (x^0 is the constant 1), as PyTorch: the rule is pick(y, y*x^(y-1)).
    assert gradient("x^0", x=0.0) == (1.0, {"x": 0.0})


def test_power_with_a_zero_exponent_elsewhere():
    assert gradient("x^0", x=2.0) == (1.0, {"x": 0.0})
    assert gradient("x^1", x=0.0) == (0.0, {"x": 1.0})
    assert gradient("x^2", x=0.0) == (0.0, {"x": 0.0})


@pytest.mark.parametrize(
    "text", ["0^-1", "(-8)^(1/3)", "log(-1)", "sqrt(-1)", "1/0", "asin(2)", "acosh(0.5)"]
)
def test_domain_errors_are_status_1(text):
    with pytest.raises(EvaluationError) as info:
        adcli.compile(text).gradient()
    assert info.value.status == ExitStatus.EVALUATION


# ---- zero adjoints and infinite local derivatives --------------------------------------------


@pytest.mark.parametrize(
    ("text", "point", "expected"),
    [
        ("0*sqrt(x)", {"x": 0.0}, {"x": 0.0}),
        ("sqrt(x)*0", {"x": 0.0}, {"x": 0.0}),
        ("max(x, sqrt(y))", {"x": 1.0, "y": 0.0}, {"x": 1.0, "y": 0.0}),
        ("min(x, cbrt(y))", {"x": -1.0, "y": 0.0}, {"x": 1.0, "y": 0.0}),
        ("relu(x - 5) * sqrt(y)", {"x": 1.0, "y": 0.0}, {"x": 0.0, "y": 0.0}),
    ],
)
def test_zero_adjoint_times_infinite_local_derivative_contributes_zero(text, point, expected):
    assert gradient(text, **point)[1] == expected


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("sqrt(x)", {"x": 0.0}),
        ("cbrt(x)", {"x": 0.0}),
        ("x^0.5", {"x": 0.0}),
        ("max(x, sqrt(y))", {"x": -1.0, "y": 0.0}),
        ("asin(x)", {"x": 1.0}),
    ],
)
def test_reached_infinite_derivative_is_status_1(text, point):
    with pytest.raises(NonFiniteError) as info:
        gradient(text, **point)
    assert info.value.status == ExitStatus.EVALUATION
    assert "derivative" in info.value.message


# ---- contract v0.2: comparisons, where, stop ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "truth"),
    [
        ("x < y", (1.0, 0.0, 0.0)),
        ("x <= y", (1.0, 1.0, 0.0)),
        ("x > y", (0.0, 0.0, 1.0)),
        ("x >= y", (0.0, 1.0, 1.0)),
        ("x == y", (0.0, 1.0, 0.0)),
        ("x != y", (1.0, 0.0, 1.0)),
    ],
)
def test_comparisons_are_one_or_zero_with_derivative_zero(text, truth):
    program = adcli.compile(text)
    for (x, y), expected in zip(((1.0, 2.0), (2.0, 2.0), (3.0, 2.0)), truth):
        result = program.gradient(x=x, y=y)
        assert (result.value, result.gradient) == (expected, {"x": 0.0, "y": 0.0})


def test_where_is_bit_for_bit_the_branch_taken_and_only_it_gets_the_derivative():
    program = adcli.compile("where(x > 0, x^2, -x*y)")
    taken = program.gradient(x=3.0, y=5.0)
    assert (taken.value, taken.gradient) == (9.0, {"x": 6.0, "y": 0.0})
    other = program.gradient(x=-2.0, y=5.0)
    assert (other.value, other.gradient) == (10.0, {"x": -5.0, "y": 2.0})
    # The untaken branch adds -0.0, the exact identity: the sign of a zero branch survives.
    zero = adcli.compile("where(x > 0, -0.0 * x, x)").gradient(x=1.0)
    assert math.copysign(1.0, zero.value) == -1.0


def test_where_keeps_an_infinite_derivative_in_the_untaken_branch_out():
    # sqrt'(0) is infinite; at x = 0 the branch is not taken, so the gradient is the other's.
    result = adcli.compile("where(x > 0, sqrt(x), 2*x)").gradient(x=0.0)
    assert result.gradient == {"x": 2.0}


def test_stop_passes_the_value_and_no_derivative():
    result = adcli.compile("stop(x^2) * x").gradient(x=3.0)
    assert (result.value, result.gradient) == (27.0, {"x": 9.0})


@pytest.mark.parametrize(
    ("text", "x", "exact"),
    [("log1p(x)", 1e-20, 1e-20), ("expm1(x)", 1e-20, 1e-20), ("exp2(x)", 10.0, 1024.0)],
)
def test_log1p_expm1_exp2_are_exact_where_the_naive_forms_are_not(text, x, exact):
    assert adcli.compile(text).value(x=x) == exact


def test_log1p_domain_and_expm1_overflow_are_errors():
    with pytest.raises(EvaluationError, match="log1p at 1:1: argument -2 is not > -1"):
        adcli.compile("log1p(x)").value(x=-2.0)
    with pytest.raises(EvaluationError, match="overflows"):
        adcli.compile("expm1(x)").value(x=1000.0)


# ---- relative accuracy in the tails, and no avoidable overflow (issue 10) --------------------


def _dec_exp(x: float):
    with D.localcontext() as ctx:
        ctx.prec = 60
        return D.Decimal(x).exp()


def _rel(got: float, exact) -> float:
    with D.localcontext() as ctx:
        ctx.prec = 60
        return float(abs((D.Decimal(got) - exact) / exact))


@pytest.mark.parametrize("x", [-700.0, -40.0, -30.0, -5.0, 0.5, 5.0, 19.5, 30.0, 40.0, 700.0])
def test_sigmoid_and_tanh_derivatives_keep_full_relative_accuracy(x):
    with D.localcontext() as ctx:
        ctx.prec = 60
        e = _dec_exp(-abs(x))  # sigmoid'(x) = e^-|x| / (1 + e^-|x|)^2, symmetric
        sigmoid_prime = e / (1 + e) ** 2
        tanh_prime = 4 * e * e / (1 + e * e) ** 2  # sech^2(x) = 4 e^-2|x| / (1 + e^-2|x|)^2
    got = gradient("sigmoid(x)", x=x)[1]["x"]
    assert _rel(got, sigmoid_prime) < 1e-15, (x, got)  # a few ulps
    got = gradient("tanh(x)", x=x)[1]["x"]
    if tanh_prime < D.Decimal("1e-300"):
        assert got == 0.0 or _rel(got, tanh_prime) < 1e-6  # below the normal range
    else:
        assert _rel(got, tanh_prime) < 1e-15, (x, got)


@pytest.mark.parametrize(
    ("text", "point", "name", "exact"),
    [
        # atan2(y, x): d/dx = -y / (x^2 + y^2): x^2 + y^2 overflows, the quotient does not.
        ("atan2(1e160, x)", {"x": 2.0}, "x", lambda x: -Fraction(10**160) / (x * x + 10**320)),
        ("atan2(y, 3)", {"y": 1e200}, "y", lambda y: Fraction(3) / (9 + y * y)),
        ("atan(x)", {"x": 1e160}, "x", lambda x: 1 / (1 + x * x)),
        ("asinh(x)", {"x": 1e200}, "x", None),  # 1/sqrt(x^2 + 1) = 1e-200 (to rounding)
        ("acosh(x)", {"x": 1e200}, "x", None),
        ("log2(x)", {"x": 1e-308}, "x", None),
        ("log(x, 1e300)", {"x": 1e300}, "x", None),
    ],
)
def test_no_avoidable_overflow_or_underflow_in_a_rule(text, point, name, exact):
    got = gradient(text, **point)[1][name]
    if exact is not None:
        expected = float(exact(Fraction(point[name])))
        assert got == pytest.approx(expected, rel=1e-15, abs=0.0), got
    elif text.startswith(("asinh", "acosh")):
        assert got == pytest.approx(1e-200, rel=1e-15, abs=0.0)
    elif text.startswith("log2"):
        assert got == pytest.approx(1 / 1e-308 / math.log(2), rel=1e-15, abs=0.0)
    else:
        assert got == pytest.approx(1 / 1e300 / math.log(1e300), rel=1e-15, abs=0.0)


def test_x_to_the_zero_has_derivative_zero_at_zero_as_in_pytorch():
    assert gradient("x^0", x=0.0) == (1.0, {"x": 0.0})
    assert gradient("x^0.0 * y", x=0.0, y=2.0) == (2.0, {"x": 0.0, "y": 1.0})
    assert gradient("x^0", x=3.0) == (1.0, {"x": 0.0})


def test_a_non_finite_bound_value_is_a_clean_library_error():
    from adcli.engine import gradient as engine_gradient
    from adcli.errors import AdcliError
    from adcli.parse import parse

    with pytest.raises(AdcliError, match="'x' is not a finite number: inf"):
        engine_gradient(parse("x * 2"), {"x": float("inf")})
    with pytest.raises(AdcliError):
        adcli.compile("x").gradient(x=float("inf"))
