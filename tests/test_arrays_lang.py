"""Arrays in the language (contract v0.2): syntax, shapes at bind time, lowering onto the scalar
tape, values and exact derivatives against numpy and closed forms, shape and index errors.

Everything runs in-process: parse once, ``adcli.arrays.lower`` at the bound shapes, then the
engine on the lowered scalar program.
"""

from __future__ import annotations

import math
from array import array

import numpy as np
import pytest

from adcli.arrays import ArrayProgram, ShapeError, lower
from adcli.errors import ArityError, ExitStatus, ProgramNameError, ProgramSyntaxError
from adcli.parse import parse
from adcli.primitives import BY_CODE, INPUT, lookup
from adcli.values import ArrayValue


def bind(point: dict) -> dict:
    """numpy arrays / lists / numbers as the values the commands bind."""
    out = {}
    for name, v in point.items():
        a = np.asarray(v, dtype=float)
        out[name] = float(a) if a.ndim == 0 else ArrayValue(a.shape, array("d", a.ravel()))
    return out


def _gradient(program, point):
    try:
        from adcli.engine import gradient
    except ImportError:
        return program.gradient(point)
    return gradient(program, point)


def _hessian(program, point, names):
    try:
        from adcli.engine import hessian
    except ImportError:
        from adcli.derivatives import hessian
    return hessian(program, point, names)


def grad(text: str, **point):
    """(value, {name: gradient as numpy array or float}) of ``text`` at ``point``."""
    low = lower(parse(text), bind(point))
    result = _gradient(low.program, low.point)
    shaped = low.shaped(result.gradient)
    return result.value, {k: np.asarray(v) if isinstance(v, list) else v for k, v in shaped.items()}


def value(text: str, **point) -> float:
    return grad(text, **point)[0]


X = np.array([0.5, -1.25, 2.0, 3.5])
Y = np.array([1.5, 0.25, -0.75, 2.0])
A = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 4.0]])
B = np.array([[2.0, -1.0], [0.25, 1.5], [3.0, 0.5]])


# ---- syntax ------------------------------------------------------------------------------------


def test_a_scalar_program_with_scalar_bindings_is_not_lowered_at_all():
    program = parse("x*y + sin(x)")
    point = {"x": 0.5, "y": 4.2}
    low = lower(program, point)
    assert low.program is program and low.point is point and low.layout == {}
    assert not isinstance(program, ArrayProgram)
    # An array bound but not used leaves the program as it is, and is shaped with zeros.
    unused = bind({"x": 0.5, "y": 4.2, "w": [1.0, 2.0]})
    low = lower(program, unused)
    assert low.program is program and low.layout == {"w": (2,)}
    assert low.shaped({"x": 1.0, "y": 2.0}) == {"x": 1.0, "y": 2.0, "w": [0.0, 0.0]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum([1, 2, 3])", 6.0),
        ("sum([[1, 2], [3, 4]])", 10.0),
        ("[[1, 2], [3, 4]][1, 0]", 3.0),
        ("[1, 2, 3][-1]", 3.0),
        ("sum([1, 2, 3, 4, 5][1:])", 14.0),
        ("sum([1, 2, 3, 4, 5][:-1])", 10.0),
        ("sum([1, 2, 3, 4, 5, 6][2:5])", 12.0),
        ("sum([[1, 2], [3, 4]][1])", 7.0),
        ("sum([[1, 2], [3, 4]][:, 0])", 4.0),
        ("[1, 2] @ [3, 4]", 11.0),
        ("2 * 3 @ [1, 1] ", None),  # shape error: '@' of a scalar (binds like *, left to right)
        ("len([4, 5, 6])", 3.0),
        ("len([[1, 2, 3], [4, 5, 6]])", 2.0),
        ("sum(transpose([[1, 2, 3], [4, 5, 6]])[0])", 5.0),
        ("1 + 2 < 4", 1.0),
        ("3 <= 3", 1.0),
        ("2 > 3", 0.0),
        ("3 >= 3.5", 0.0),
        ("2 == 2", 1.0),
        ("2 != 2", 0.0),
        ("1 < 2 < 3", 1.0),  # (1 < 2) < 3: left to right, like + -
        ("where(1 > 0, 5, 7)", 5.0),
        ("where(0, 5, 7)", 7.0),
        ("max(4)", 4.0),
        ("-[1, 2][1]^2", -4.0),  # indexing binds tighter than ^, ^ tighter than unary -
        ("[2, 3][0]^[2, 3][1]", 8.0),
        ("[1, 2, 3] @ [[1, 0], [0, 1], [1, 1]] @ [1, 1]", 9.0),
    ],
)
def test_constant_programs(text, expected):
    if expected is None:
        with pytest.raises(ShapeError):
            value(text)
        return
    assert value(text) == expected


def test_matmul_binds_like_times_left_to_right():
    # a @ b * c is (a @ b) * c; a * b @ c is (a * b) @ c.
    program = parse("a @ b * c")
    arrays = program.arrays
    (node,) = arrays
    assert arrays[node][0] == "matmul" and program.tape.op[program.output] == lookup("mul", 2)
    assert value("[1, 2] @ [3, 4] * 2") == 22.0
    assert value("2 * [1, 2] @ [3, 4]") == 22.0


def test_comparisons_bind_looser_than_plus_minus():
    assert value("x + 1 < y - 1", x=1.0, y=4.0) == 1.0  # (x+1) < (y-1): 2 < 3
    assert value("x + 1 < y - 1", x=1.0, y=3.0) == 0.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x[", "expected an index (a whole number such as 0 or -1) or ':' after '['"),
        ("x[1.5]", "an index is a whole number such as 0 or -1, found the number 1.5"),
        ("x[a]", "expected an index"),
        ("x[1:2:3]", "expected ',' or ']' after the number 2, found ':'"),
        ("[1, 2", "expected an operator, ',' or ']'"),
        ("[]", "expected a number, a name or '(' after '[', found ']'"),
        ("x <", "expected a number, a name or '(' after '<'"),
        ("x @ @ y", "expected a number, a name or '(' after '@', found '@'"),
        ("x[0, 0, 0]", "3 indices, but arrays have at most 2 axes"),
    ],
)
def test_syntax_errors_say_what_was_expected_with_a_caret(text, words):
    with pytest.raises(ProgramSyntaxError) as info:
        parse(text)
    assert words in info.value.message
    assert info.value.status == ExitStatus.USAGE
    assert info.value.excerpt.rstrip().endswith("^")


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        ("sum(x, y)", ArityError, "sum at 1:1 takes 1 argument, got 2"),
        ("dot(x)", ArityError, "dot at 1:1 takes 2 arguments, got 1"),
        ("where(x, y)", ArityError, "where at 1:1 takes 3 arguments, got 2"),
        ("max(x, y, z)", ArityError, "max at 1:1 takes 1 or 2 arguments, got 3"),
        ("summ(x)", ProgramNameError, "did you mean sum"),
    ],
)
def test_function_arity_and_names(text, error, words):
    with pytest.raises(error) as info:
        parse(text)
    assert words in info.value.message


def test_nesting_a_hundred_thousand_levels_deep_needs_no_recursion():
    depth = 100_000
    # Reductions nested: sum(sum(...sum(x)...)) of a vector.
    text = "sum(" * depth + "x" + ")" * depth
    assert value(text, x=[1.0, 2.0]) == 3.0
    # Indexing chained onto brackets: ((x[1:])[1:])... parses, lowers, and a range error names it.
    deep = parse("[" * depth + "1" + "]" * depth)
    with pytest.raises(ShapeError, match="3 axes"):
        lower(deep, {})


# ---- elementwise, broadcasting -----------------------------------------------------------------


def test_elementwise_arithmetic_and_functions_against_numpy():
    text = "sum(x*y + x/2 - 3*y + x^2 + sin(x)*exp(y/4) + tanh(x - y))"
    v, g = grad(text, x=X, y=Y)
    expected = np.sum(X * Y + X / 2 - 3 * Y + X**2 + np.sin(X) * np.exp(Y / 4) + np.tanh(X - Y))
    assert v == pytest.approx(expected, rel=1e-14)
    sech2 = 1 - np.tanh(X - Y) ** 2
    dx = Y + 0.5 + 2 * X + np.cos(X) * np.exp(Y / 4) + sech2
    dy = X - 3 + np.sin(X) * np.exp(Y / 4) / 4 - sech2
    np.testing.assert_allclose(g["x"], dx, rtol=1e-14)
    np.testing.assert_allclose(g["y"], dy, rtol=1e-14)


def test_a_scalar_input_broadcasts_and_collects_every_elements_adjoint():
    v, g = grad("sum(c * x + c^2)", c=1.5, x=X)
    assert v == pytest.approx(np.sum(1.5 * X + 1.5**2), rel=1e-15)
    assert g["c"] == pytest.approx(np.sum(X) + 2 * 1.5 * len(X), rel=1e-15)
    np.testing.assert_array_equal(g["x"], np.full(len(X), 1.5))


@pytest.mark.parametrize("name", ["min", "max", "atan2", "hypot", "pow"])
def test_two_argument_functions_are_elementwise_on_two_arrays(name):
    x, y = np.abs(X) + 0.5, np.abs(Y) + 0.25
    v, g = grad(f"sum({name}(x, y))", x=x, y=y)
    f = {"min": np.minimum, "max": np.maximum, "atan2": np.arctan2, "hypot": np.hypot}
    f["pow"] = np.power
    assert v == pytest.approx(np.sum(f[name](x, y)), rel=1e-14)
    h = 1e-6  # a centred difference: only to catch a wrong wiring, the rules are tested elsewhere
    num = (f[name](x + h, y) - f[name](x - h, y)) / (2 * h)
    np.testing.assert_allclose(g["x"], num, rtol=1e-6)


def test_matrix_elementwise_and_row_and_column_indexing():
    v, g = grad("sum(A * A) + sum(A[1]) + sum(A[:, 2]) + A[0, 1]", A=A)
    assert v == np.sum(A * A) + np.sum(A[1]) + np.sum(A[:, 2]) + A[0, 1]
    expected = 2 * A
    expected[1] += 1
    expected[:, 2] += 1
    expected[0, 1] += 1
    np.testing.assert_array_equal(g["A"], expected)


# ---- @ with numpy's rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shape_a", "shape_b"),
    [
        ("a @ b", (3,), (3,)),  # vector @ vector: their dot product
        ("sum(a @ b)", (2, 3), (3,)),  # matrix @ vector: a vector
        ("sum(a @ b)", (3,), (3, 2)),  # vector @ matrix: a vector
        ("sum(a @ b)", (2, 3), (3, 2)),  # matrix @ matrix: a matrix
    ],
)
def test_matmul_values_and_gradients(text, shape_a, shape_b):
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    v, g = grad(text, a=a, b=b)
    assert v == pytest.approx(np.sum(a @ b), rel=1e-13)
    ones = np.ones(np.shape(a @ b))
    # d sum(a @ b) / da = ones @ b^T, / db = a^T @ ones (with numpy's 1-D promotion)
    ga = np.outer(ones, b) if a.ndim == 1 and b.ndim == 1 else None
    if ga is None:
        a2, b2 = np.atleast_2d(a), b.reshape(len(b), -1) if b.ndim == 1 else b
        ones2 = np.ones((a2.shape[0], b2.shape[1]))
        ga = (ones2 @ b2.T).reshape(a.shape)
        gb = (a2.T @ ones2).reshape(b.shape)
    else:
        ga, gb = b, a
    np.testing.assert_allclose(g["a"], ga, rtol=1e-13)
    np.testing.assert_allclose(g["b"], gb, rtol=1e-13)


def test_a_two_layer_network():
    rng = np.random.default_rng(3)
    W1, b1, W2, x = (
        rng.normal(size=(4, 3)),
        rng.normal(size=4),
        rng.normal(size=4),
        rng.normal(size=3),
    )
    text = "h = tanh(W1 @ x + b1)\n(W2 @ h - 0.5)^2"
    v, g = grad(text, W1=W1, b1=b1, W2=W2, x=x)
    h = np.tanh(W1 @ x + b1)
    r = W2 @ h - 0.5
    assert v == pytest.approx(r**2, rel=1e-13)
    dh = 2 * r * W2 * (1 - h**2)
    np.testing.assert_allclose(g["W2"], 2 * r * h, rtol=1e-12)
    np.testing.assert_allclose(g["b1"], dh, rtol=1e-12)
    np.testing.assert_allclose(g["W1"], np.outer(dh, x), rtol=1e-12)
    np.testing.assert_allclose(g["x"], W1.T @ dh, rtol=1e-12)


# ---- reductions and shape functions ------------------------------------------------------------


def test_sum_mean_prod_norm_dot():
    v, g = grad("sum(x) + mean(x) + prod(x) + norm(x) + dot(x, y)", x=X, y=Y)
    norm = math.sqrt(np.sum(X**2))
    assert v == pytest.approx(np.sum(X) + np.mean(X) + np.prod(X) + norm + X @ Y, rel=1e-14)
    expected = 1 + 1 / len(X) + np.prod(X) / X + X / norm + Y
    np.testing.assert_allclose(g["x"], expected, rtol=1e-14)
    np.testing.assert_allclose(g["y"], X, rtol=1e-15)


def test_norm_is_sqrt_of_sum_of_squares_exactly():
    assert value("norm(x)", x=X) == value("sqrt(sum(x^2))", x=X)


def test_len_is_a_constant_with_no_derivative():
    v, g = grad("len(x) * x[0]", x=X)
    assert v == 4 * X[0]
    np.testing.assert_array_equal(g["x"], [4.0, 0, 0, 0])


def test_transpose():
    v, g = grad("sum(transpose(A) @ x)", A=A, x=[1.0, 2.0])
    assert v == pytest.approx(np.sum(A.T @ [1.0, 2.0]), rel=1e-15)
    np.testing.assert_array_equal(g["A"], np.outer([1.0, 2.0], np.ones(3)))
    assert value("sum(transpose(x))", x=X) == pytest.approx(np.sum(X), rel=1e-15)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_reduction_without_ties(name):
    x = np.array([0.5, 3.0, -2.0, 1.0])
    v, g = grad(f"{name}(x)", x=x)
    k = int(np.argmax(x) if name == "max" else np.argmin(x))
    assert v == x[k]
    np.testing.assert_array_equal(g["x"], np.eye(4)[k])


@pytest.mark.parametrize(("name", "ties"), [("max", 3), ("min", 3), ("max", 10), ("min", 7)])
def test_tied_elements_share_the_adjoint_equally(name, ties):
    extreme = 2.0 if name == "max" else -2.0
    x = np.concatenate([np.full(ties, extreme), np.linspace(-1.5, 1.5, 5)])
    np.random.default_rng(ties).shuffle(x)
    v, g = grad(f"3 * {name}(x)", x=x)
    assert v == 3 * extreme  # exactly, not a sum of thirds
    shares = g["x"][x == extreme]
    assert len(set(shares)) == 1  # equal, bit for bit (not 1/2, 1/4, 1/4 as chained max gives)
    assert shares[0] == pytest.approx(3.0 / ties, rel=1e-15)
    assert np.all(g["x"][x != extreme] == 0.0)
    # Second derivatives of a piecewise linear function are zero, exactly.
    low = lower(parse(f"{name}(x)"), bind({"x": x}))
    _, rows = _hessian(low.program, low.point, list(low.program.inputs))
    assert all(value == 0.0 for row in rows.values() for value in row.values())


# ---- where and comparisons ---------------------------------------------------------------------


def test_where_flows_only_into_the_branch_taken():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    v, g = grad("sum(where(x > 0, x^2, -3*x))", x=x)
    assert v == np.sum(np.where(x > 0, x**2, -3 * x))
    np.testing.assert_array_equal(g["x"], np.where(x > 0, 2 * x, -3.0))


def test_huber_loss_with_where():
    r, d = np.array([-3.0, -0.2, 0.0, 0.7, 2.5]), 1.0
    text = "sum(where(abs(r) <= d, 0.5 * r^2, d * (abs(r) - 0.5 * d)))"
    v, g = grad(text, r=r, d=d)
    expected = np.where(np.abs(r) <= d, 0.5 * r**2, d * (np.abs(r) - 0.5 * d))
    assert v == pytest.approx(np.sum(expected), rel=1e-15)
    np.testing.assert_array_equal(g["r"], np.where(np.abs(r) <= d, r, d * np.sign(r)))
    assert g["d"] == pytest.approx(np.sum(np.where(np.abs(r) <= d, 0.0, np.abs(r) - d)))


def test_comparisons_are_elementwise_with_derivative_zero():
    v, g = grad("sum(x < y) + sum(x >= 0) + x[0] * (x[1] != y[1])", x=X, y=Y)
    assert v == np.sum(X < Y) + np.sum(X >= 0) + X[0] * (X[1] != Y[1])
    np.testing.assert_array_equal(g["x"], [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(g["y"], np.zeros(4))


def test_log1p_expm1_exp2_elementwise():
    x = np.array([1e-12, 0.5, -0.25])
    v, g = grad("sum(log1p(x) + expm1(x) + exp2(x))", x=x)
    assert v == pytest.approx(np.sum(np.log1p(x) + np.expm1(x) + np.exp2(x)), rel=1e-15)
    np.testing.assert_allclose(g["x"], 1 / (1 + x) + np.exp(x) + np.log(2) * np.exp2(x))


# ---- Rosenbrock against scipy ------------------------------------------------------------------

ROSENBROCK = "sum(100 * (x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)"


def test_rosenbrock_gradient_and_hessian_against_closed_forms_and_scipy():
    x = np.array([-1.2, 1.0, 0.8, 1.5, -0.3, 2.0])
    low = lower(parse(ROSENBROCK), bind({"x": x}))
    result, rows = _hessian(low.program, low.point, list(low.program.inputs))
    # Hand-derived: f = Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)²
    d = x[1:] - x[:-1] ** 2
    grad_expected = np.zeros_like(x)
    grad_expected[:-1] += -400 * x[:-1] * d - 2 * (1 - x[:-1])
    grad_expected[1:] += 200 * d
    hess = np.zeros((6, 6))
    for i in range(5):
        hess[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        hess[i, i + 1] += -400 * x[i]
        hess[i + 1, i] += -400 * x[i]
        hess[i + 1, i + 1] += 200
    assert result.value == pytest.approx(np.sum(100 * d**2 + (1 - x[:-1]) ** 2), rel=1e-14)
    names = [f"x[{i}]" for i in range(6)]
    got_grad = np.array([result.gradient[n] for n in names])
    got_hess = np.array([[rows[r][c] for c in names] for r in names])
    np.testing.assert_allclose(got_grad, grad_expected, rtol=1e-13)
    np.testing.assert_allclose(got_hess, hess, rtol=1e-13)
    optimize = pytest.importorskip("scipy.optimize")
    np.testing.assert_allclose(got_grad, optimize.rosen_der(x), rtol=1e-13)
    np.testing.assert_allclose(got_hess, optimize.rosen_hess(x), rtol=1e-13)


# ---- names, layout, shapes at bind time --------------------------------------------------------


def test_element_inputs_are_named_for_the_views():
    low = lower(parse("sum(W @ x) + c"), bind({"W": A, "x": [1.0, 2.0, 3.0], "c": 2.0}))
    names = list(low.program.inputs)
    matrix = ["W[0,0]", "W[0,1]", "W[0,2]", "W[1,0]", "W[1,1]", "W[1,2]"]
    assert names == [*matrix, "x[0]", "x[1]", "x[2]", "c"]
    tape = low.program.tape
    assert all(tape.op[n] == INPUT and tape.names[n] == k for k, n in low.program.inputs.items())
    assert low.layout == {"W": (2, 3), "x": (3,)}
    assert low.names(["W", "c"]) == [*matrix, "c"]
    assert low.point["W[1,0]"] == 0.5 and low.point["c"] == 2.0


def test_parsed_once_lowered_at_any_shape():
    program = parse("sum(x^2)")
    for n in (1, 3, 50):
        x = np.arange(n, dtype=float)
        low = lower(program, bind({"x": x}))
        assert _gradient(low.program, low.point).value == np.sum(x**2)
    assert value("sum(x^2)", x=3.0) == 9.0  # a scalar binding: sum of a scalar is itself


def test_shaped_gradient_keeps_order_and_shapes():
    low = lower(parse("c * sum(W) + x[1]"), bind({"c": 2.0, "W": A, "x": X}))
    result = _gradient(low.program, low.point)
    shaped = low.shaped(result.gradient)
    assert list(shaped) == ["c", "W", "x"]
    assert shaped["W"] == [[2.0] * 3] * 2
    assert shaped["x"] == [0.0, 1.0, 0.0, 0.0]
    assert shaped["c"] == np.sum(A)


def test_lowered_nodes_keep_their_source_positions_for_errors():
    from adcli.errors import EvaluationError

    low = lower(parse("sum(log(x))"), bind({"x": [1.0, -2.0]}))
    with pytest.raises(EvaluationError) as info:
        _gradient(low.program, low.point)
    assert "1:5" in info.value.message and "-2" in info.value.message


def test_an_unbound_array_input_is_the_unbound_name_error():
    with pytest.raises(ProgramNameError) as info:
        lower(parse("sum(x[1:]) + y"), bind({"y": 1.0}))
    assert "'x'" in info.value.message and "1:5" in info.value.message


# ---- shape and index errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "point", "words"),
    [
        (
            "sum(x + y)",
            {"x": [1, 2, 3], "y": [1, 2]},
            "'+' at 1:7: a vector of 3 and a vector of 2",
        ),
        ("sum(x * A)", {"x": [1, 2], "A": [[1, 2], [3, 4]]}, "'*' at 1:7: a vector of 2 and a 2×2"),
        ("sum(atan2(x, y))", {"x": [1, 2], "y": [1, 2, 3]}, "atan2 at 1:5"),
        (
            "A @ x",
            {"A": [[1, 2], [3, 4]], "x": [1, 2, 3]},
            "'@' at 1:3: a 2×2 matrix and a vector of 3",
        ),
        ("x @ y", {"x": [1, 2], "y": [1, 2, 3]}, "a vector of 2 and a vector of 3"),
        (
            "c @ x",
            {"c": 2, "x": [1, 2]},
            "'@' at 1:3 multiplies arrays; got a scalar and a vector of 2",
        ),
        ("dot(A, x)", {"A": [[1, 2], [3, 4]], "x": [1, 2]}, "dot at 1:1 takes two vectors"),
        ("len(c)", {"c": 2}, "len at 1:1 needs an array"),
        ("c[0]", {"c": 2}, "cannot index a scalar at 1:2"),
        ("x[0, 1]", {"x": [1, 2]}, "2 indices at 1:2 for a vector of 2"),
        ("sum([x, 1])", {"x": [1, 2]}, "element 0 is a vector of 2, element 1 is a scalar"),
        ("sum([[1, 2], [3]])", {}, "element 0 is a vector of 2, element 1 is a vector of 1"),
        ("sum([A, A])", {"A": [[1, 2], [3, 4]]}, "3 axes"),
        ("sum(where(x > 0, x, y))", {"x": [1, 2], "y": [1, 2, 3]}, "where at 1:5"),
        ("sum(x[3:])", {"x": [1, 2, 3]}, "the slice [3:] at 1:6 of a vector of 3 is empty"),
        ("sum(x[2:1])", {"x": [1, 2, 3]}, "is empty"),
    ],
)
def test_shape_errors_name_both_shapes_and_the_operator(text, point, words):
    with pytest.raises(ShapeError) as info:
        lower(parse(text), bind(point))
    assert words in info.value.message
    assert info.value.status == ExitStatus.USAGE and info.value.kind == "shape"
    assert info.value.excerpt.rstrip().endswith("^")


@pytest.mark.parametrize(
    ("text", "point", "words"),
    [
        (
            "x[3]",
            {"x": [1, 2, 3]},
            "index 3 at 1:2 is out of range for a vector of 3 (valid: -3 to 2)",
        ),
        ("x[-4]", {"x": [1, 2, 3]}, "index -4"),
        ("A[2, 0]", {"A": [[1, 2], [3, 4]]}, "row index 2 at 1:2 is out of range for a 2×2 matrix"),
        ("A[0, -3]", {"A": [[1, 2], [3, 4]]}, "column index -3"),
        ("x[99999999999999999999999]", {"x": [1]}, "out of range"),
    ],
)
def test_index_out_of_range_is_status_2(text, point, words):
    with pytest.raises(ShapeError) as info:
        lower(parse(text), bind(point))
    assert words in info.value.message and info.value.status == ExitStatus.USAGE


@pytest.mark.parametrize(
    ("text", "point", "message"),
    [
        ("x * 2", {"x": [1, 2, 3]}, "the output is a vector of 3; reduce it, e.g. sum(...)"),
        ("A", {"A": [[1, 2], [3, 4]]}, "the output is a 2×2 matrix; reduce it, e.g. sum(...)"),
        ("[1, 2]", {}, "the output is a vector of 2; reduce it, e.g. sum(...)"),
        ("h = x^2\nh", {"x": [1, 2]}, "the output is a vector of 2; reduce it, e.g. sum(...)"),
    ],
)
def test_an_array_output_is_status_2(text, point, message):
    with pytest.raises(ShapeError) as info:
        lower(parse(text), bind(point))
    assert info.value.message == message
    assert info.value.status == ExitStatus.USAGE


def test_a_dead_statement_is_checked_for_shapes_too():
    with pytest.raises(ShapeError):
        lower(parse("unused = x + y; sum(x)"), bind({"x": [1, 2], "y": [1, 2, 3]}))


# ---- size ----------------------------------------------------------------------------------------


def test_a_million_elements_lower_in_bulk_onto_a_linear_tape():
    n = 10**6
    x = ArrayValue((n,), array("d", range(n)))
    low = lower(parse("sum(x^2)"), {"x": x})
    tape = low.program.tape
    # n inputs, one shared constant 2, n squares, n - 1 additions: nothing per element but nodes.
    assert len(tape) == 3 * n
    assert tape.names[n - 1] == "x[999999]" and low.point["x[999999]"] == n - 1
    assert tape.op.count(lookup("add", 2)) == n - 1


def test_a_large_array_program_runs_end_to_end():
    n = 10**5  # the engine's time per node is covered by bench/; this checks the wiring at size
    x = ArrayValue((n,), array("d", (i * 1e-3 for i in range(n))))
    low = lower(parse("sum(x^2) / len(x)"), {"x": x})
    result = _gradient(low.program, low.point)
    assert result.value == pytest.approx(math.fsum(v * v for v in x.data) / n, rel=1e-12)
    assert result.gradient["x[99999]"] == pytest.approx(2 * x.data[-1] / n, rel=1e-15)


def test_primitive_table_ops_never_reach_the_engine_as_array_nodes():
    low = lower(parse("sum(W @ x) + max(x) + x[0]"), bind({"W": A, "x": [1.0, 2.0, 3.0]}))
    assert all(BY_CODE[k] is not None or k <= 1 for k in low.program.tape.op)


@pytest.mark.parametrize(
    ("text", "where"), [("sum(x^2)", "sum at 1:1"), ("x + [1, 2] @ y", "'[' at 1:5")]
)
def test_diff_refuses_array_programs_with_status_2(text, where):
    from conftest import run_adcli

    done = run_adcli("diff", text)
    assert done.returncode == 2 and done.stdout == ""
    assert f"diff does not support arrays yet ({where})" in done.stderr


def test_functions_lists_the_array_syntax_and_functions():
    import json

    from conftest import run_adcli

    done = run_adcli("functions", "--json")
    calls = {r["call"] for r in json.loads(done.stdout)}
    for call in ("sum(a)", "max(a)", "where(c, a, b)", "a @ b", "x[i]  A[i, j]  A[i]", "len(a)"):
        assert call in calls
    table = run_adcli("functions").stdout
    assert "x[i:j]" in table and "[a, b, ...]" in table  # printed as text, not as Rich markup
