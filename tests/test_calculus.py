"""Forward mode, JVP, Hessians, the gradient check and ``adcli diff`` (issue 5).

In-process checks of ``adcli.derivatives`` on every primitive, then every command through the
installed console script: stdout and stderr apart, exit statuses, the contract's JSON shape.
"""

from __future__ import annotations

import math

import pytest
from conftest import central_difference, run_adcli, strict_json

from adcli import compile, engine
from adcli.engine import forward_gradient, hessian, symbolic_gradient, tangent_sweep
from adcli.primitives import TABLE
from adcli.printer import program_text

# An in-domain point for each primitive, away from kinks: (x,) or (x, y).
POINTS = {
    "asin": (0.3,),
    "acos": (-0.4,),
    "acosh": (1.7,),
    "atanh": (0.2,),
    "log": (1.3, 2.5),
    "ln": (1.3,),
    "log2": (1.3,),
    "log10": (1.3,),
    "sqrt": (2.2,),
    "pow": (1.4, 2.3),
    "div": (1.5, -0.7),
    "atan2": (0.6, -1.1),
    "hypot": (0.6, -1.1),
    "min": (0.3, 0.8),
    "max": (0.3, 0.8),
    "cbrt": (-2.5,),
    "abs": (-0.7,),
    "relu": (0.9,),
    "sign": (0.4,),
    "step": (0.4,),
}


def source_of(p) -> str:
    args = ("x",) if p.arity == 1 else ("x", "y")
    if p.symbol and p.arity == 2:
        return f"x {p.symbol} y"
    if p.symbol:
        return f"{p.symbol}x"
    return f"{p.call_name}({', '.join(args)})"


def at_point(p) -> dict[str, float]:
    values = POINTS.get(p.call_name, (0.7, 1.3))[: p.arity]
    return dict(zip(("x", "y"), values))


def ulps(a: float, b: float) -> float:
    return abs(a - b) / math.ulp(max(abs(a), abs(b), 1e-300))


PRIMITIVES = pytest.mark.parametrize("p", TABLE, ids=lambda p: f"{p.name}{p.arity}")


# ---- forward mode -------------------------------------------------------------------------------


@PRIMITIVES
def test_forward_mode_agrees_with_reverse_on_every_primitive(p):
    program, point = compile(source_of(p)), at_point(p)
    reverse, fwd = engine.gradient(program, point), forward_gradient(program, point)
    assert fwd.value == reverse.value
    for name in program.inputs:
        assert ulps(fwd.gradient[name], reverse.gradient[name]) <= 4, name


def test_tangent_is_the_directional_derivative():
    program = compile("h = tanh(w*x + b); (h - t)^2")
    point = {"w": 0.5, "x": 2.0, "b": -0.3, "t": 1.0}
    direction = {"w": 0.25, "x": -1.0, "b": 2.0, "t": 0.5}
    value, jvp = tangent_sweep(program, point, direction)
    grad = engine.gradient(program, point).gradient
    assert value == engine.value(program, point)
    assert jvp == pytest.approx(sum(grad[k] * direction[k] for k in grad), rel=1e-14)


def test_forward_mode_zero_tangent_does_not_poison():
    # 0 * sqrt(x) at 0: reverse skips the zero adjoint; forward skips the zero partial.
    program = compile("0*sqrt(x) + x")
    assert forward_gradient(program, {"x": 0.0}).gradient == {"x": 1.0}
    assert engine.gradient(program, {"x": 0.0}).gradient == {"x": 1.0}


def test_forward_mode_agrees_where_a_singular_derivative_cancels():
    # t's tangent is already NaN (hypot' is 0/0 at the origin) but t - t leaves no trace of t:
    # the reverse sweep's zero adjoint sees that, so forward mode and jvp answer as reverse does.
    program = compile("t = hypot(x, x); t - t + 3*y")
    assert forward_gradient(program, {"x": 0.0, "y": 1.0}).gradient == {"x": 0.0, "y": 3.0}
    assert tangent_sweep(program, {"x": 0.0, "y": 1.0}, {"x": 1.0, "y": 2.0}) == (3.0, 6.0)
    done = run_adcli("eval", "t = hypot(x, x); t - t", "--x", "0", "--mode", "forward", "--json")
    assert (done.returncode, strict_json(done.stdout)["gradient"]) == (0, {"x": 0.0})
    # where reverse cannot get past it either, forward mode still reports the singularity
    done = run_adcli("eval", "hypot(x, x)", "--x", "0", "--mode", "forward")
    assert done.returncode == 1 and "hypot at 1:1: the derivative is undefined" in done.stderr


def test_eval_mode_forward_and_auto():
    expected = '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}\n'
    for mode in ("forward", "auto", "reverse"):
        done = run_adcli("eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json", "--mode", mode)
        assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")
    done = run_adcli("eval", "sqrt(x)", "--x", "0", "--mode", "forward")
    assert done.returncode == 1 and "sqrt at 1:1" in done.stderr and done.stdout == ""
    done = run_adcli("eval", "log(x)", "--x", "-1", "--mode", "auto")
    assert done.returncode == 1 and "log at 1:1: argument -1 is not > 0" in done.stderr
    done = run_adcli("eval", "x", "--x", "1", "--mode", "sideways")
    assert done.returncode == 2 and "--mode" in done.stderr


# ---- the gradient as a graph, and adcli diff ----------------------------------------------------


@PRIMITIVES
def test_symbolic_gradient_printed_evaluates_to_the_gradient(p):
    program, point = compile(source_of(p)), at_point(p)
    graph = symbolic_gradient(program)
    texts = program_text(graph.tape, graph.gradient, set(program.inputs))
    grad = engine.gradient(program, point).gradient
    for name, text in texts.items():
        derivative = compile(text)
        got = engine.value(derivative, {k: point[k] for k in derivative.inputs})
        assert ulps(got, grad[name]) <= 4, (name, text)


def test_diff_golden():
    done = run_adcli("diff", "x*y+sin(x)", "--wrt", "x")
    assert (done.returncode, done.stdout, done.stderr) == (0, "y + cos(x)\n", "")


def test_diff_several_wrt_plain_and_json():
    done = run_adcli("diff", "x*y+sin(x)")
    assert done.stdout == "# d/dx\ny + cos(x)\n\n# d/dy\nx\n"
    for args in (("--wrt", "y,x"), ("--wrt", "y", "--wrt", "x"), ("--wrt=y", "--wrt=x")):
        done = run_adcli("diff", "x*y+sin(x)", "--json", *args)
        assert done.returncode == 0, done.stderr
        assert list(strict_json(done.stdout).items()) == [("y", "x"), ("x", "y + cos(x)")]


def test_diff_shares_subexpressions_as_bindings():
    done = run_adcli("diff", "h = tanh(w*x + b); (h - t)^2", "--wrt", "w")
    # tanh' is sech^2 as 4u/(1 + u)^2, u = e^(-2|x|) (exact in the tails, never overflows),
    # sharing w * x + b and u.
    assert done.stdout == (
        "t1 = w * x + b\nt2 = exp(-2 * abs(t1))\n2 * (tanh(t1) - t) * (4 * t2 / (1 + t2) ^ 2) * x\n"
    )


@pytest.mark.parametrize("x", ["711", "-800", "1e10", "0", "0.7"])
def test_tanh_second_derivative_and_printed_derivative_hold_far_out(x):
    # cosh(x)^-2 overflowed past |x| = 710 as soon as it became a node (Hessian, diff's output).
    hessian = strict_json(run_adcli("hessian", "tanh(x)", "--x", x, "--json").stdout)
    derivative = run_adcli("diff", "tanh(x)", "--wrt", "x").stdout
    again = strict_json(run_adcli("eval", derivative, "--x", x, "--json").stdout)
    first = strict_json(run_adcli("eval", "tanh(x)", "--x", x, "--json").stdout)
    assert again["value"] == first["gradient"]["x"]
    assert hessian["gradient"]["x"] == first["gradient"]["x"]
    assert math.isfinite(hessian["hessian"]["x"]["x"])


def test_diff_output_is_valid_input_even_without_every_input():
    derivative = run_adcli("diff", "x^3 + y", "--wrt", "x").stdout
    assert derivative == "3 * x ^ 2\n"
    done = run_adcli("eval", "-", "--x", "2", "--y", "5", "--json", input=derivative)
    assert done.returncode == 0
    assert strict_json(done.stdout)["value"] == 12.0
    assert "'y' is bound but the program does not use it" in done.stderr


def test_diff_simplifies():
    cases = {"x*1 + 0*y": "1", "-(-x)": "1", "x - (y - x)": "2", "pi*x^2": "pi * (2 * x)"}
    for source, expected in cases.items():
        done = run_adcli("diff", source, "--wrt", "x")
        assert done.stdout == expected + "\n", source


def test_diff_errors():
    done = run_adcli("diff", "x", "--wrt", "y")
    assert done.returncode == 2 and "--wrt y: not an input" in done.stderr and done.stdout == ""
    done = run_adcli("diff", "3")
    assert done.returncode == 2 and "no inputs" in done.stderr
    done = run_adcli("diff", "x +", "--wrt", "x")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_diff_never_prints_an_unreadable_constant():
    derivative = run_adcli("diff", "1e308*x*10").stdout
    assert "inf" not in derivative
    done = run_adcli("eval", derivative.strip(), "--json")
    assert done.returncode == 1 and "overflows" in done.stderr


def test_deep_program_has_no_recursion():
    depth = 3000
    program = compile("sin(" * depth + "x" + ")" * depth)
    graph = symbolic_gradient(program)
    text = program_text(graph.tape, graph.gradient, {"x"})["x"]
    assert engine.value(compile(text), {"x": 0.3}) == pytest.approx(
        engine.gradient(program, {"x": 0.3}).gradient["x"], rel=1e-12
    )
    _, rows = hessian(program, {"x": 0.3}, ["x"])
    assert math.isfinite(rows["x"]["x"])


def test_diff_size_is_linear():
    sizes = []
    for n in (50, 100, 200):
        source = "*".join(f"sin(x + {i})" for i in range(n))
        sizes.append(len(run_adcli("diff", source, "--wrt", "x").stdout) / n)
    assert sizes[-1] < 1.5 * sizes[0]


# ---- Hessians -----------------------------------------------------------------------------------


@PRIMITIVES
def test_hessian_of_every_primitive_against_differences_of_the_gradient(p):
    program, point = compile(source_of(p)), at_point(p)
    names = list(program.inputs)
    _, rows = hessian(program, point, names)
    for r in names:
        for c in names:

            def partial(v, c=c, r=r):
                return engine.gradient(program, {**point, c: v}).gradient[r]

            fd = central_difference(partial, point[c], 1e-5)
            assert rows[r][c] == pytest.approx(fd, rel=1e-6, abs=1e-6), (r, c)
            assert rows[r][c] == pytest.approx(rows[c][r], rel=1e-12, abs=1e-15)


def test_hessian_json_shape_and_order():
    done = run_adcli("hessian", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == (
        '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}, '
        '"hessian": {"x": {"x": -0.479425538604203, "y": 1.0}, "y": {"x": 1.0, "y": 0.0}}}\n'
    )


def test_hessian_with_bindings_and_an_unused_name():
    done = run_adcli(
        "hessian",
        "h = tanh(w*x + b); (h - t)^2",
        "w=0.5",
        "x=2",
        "b=-0.3",
        "t=1",
        "--z",
        "3",
        "--json",
    )
    data = strict_json(done.stdout)
    assert list(data["gradient"]) == ["w", "x", "b", "t", "z"]
    assert list(data["hessian"]) == ["w", "x", "b", "t", "z"]
    assert all(list(row) == list(data["gradient"]) for row in data["hessian"].values())
    assert data["hessian"]["t"]["t"] == 2.0
    assert data["hessian"]["z"] == dict.fromkeys(data["gradient"], 0.0)
    assert "'z' is bound but the program does not use it" in done.stderr
    h = data["hessian"]
    assert all(h[r][c] == pytest.approx(h[c][r], rel=1e-14) for r in h for c in h)


def test_hessian_kinks_have_zero_second_derivative():
    done = run_adcli("hessian", "abs(x) + relu(y) + max(x, y)", "--x", "0", "--y", "0", "--json")
    assert strict_json(done.stdout)["hessian"] == {
        "x": {"x": 0.0, "y": 0.0},
        "y": {"x": 0.0, "y": 0.0},
    }


@pytest.mark.parametrize(
    ("source", "point", "mixed"),
    [
        ("x^y", {"x": 2.0, "y": 0.0}, 0.5),  # d2/dxdy x^y = x^(y-1) (1 + y ln x) = 1/x at y = 0
        ("x^y", {"x": 0.25, "y": 0.0}, 4.0),
        # the property test's find: the exponent 0.5 sin(x) is exactly 0 at x = 0
        ("(1 + y^2) ^ (0.5*sin(x))", {"x": 0.0, "y": 1.0}, 0.5),
    ],
)
def test_pow_keeps_the_mixed_partial_where_the_exponent_is_zero(source, point, mixed):
    # d/dx x^y is guarded to 0 at y = 0 only where x = 0 too, so the guard does not cut the
    # derivative of d/dx in y: both orders of the mixed partial agree, as for any smooth function.
    h = compile(source).hessian(**point).hessian
    assert h["x"]["y"] == pytest.approx(mixed, rel=1e-15)
    assert h["y"]["x"] == pytest.approx(mixed, rel=1e-15)
    assert compile("x^y").gradient(x=0.0, y=2.0).gradient["x"] == 0.0  # still no NaN at 0
    assert compile("x^0").gradient(x=0.0).gradient["x"] == 0.0


def test_hessian_table_and_errors():
    done = run_adcli("hessian", "x^3*y", "--x", "2", "--y", "1")
    assert done.returncode == 0
    assert "∂²f/∂·∂x" in done.stdout and "12.0" in done.stdout and "f = 8.0" in done.stdout
    done = run_adcli("hessian", "x^1.5", "--x", "0")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(
        "adcli: the second derivative cannot be computed here: pow at 1:2"
    )
    done = run_adcli("hessian", "x*y", "--x", "1")
    assert done.returncode == 2 and "unbound name 'y'" in done.stderr


# ---- jvp ------------------------------------------------------------------------------------------


def test_jvp_d_prefix_and_direction_option():
    base = ("jvp", "x*y + sin(x)", "--x", "0.5", "--y", "4.2", "--json")
    done = run_adcli(*base, "--dx", "1", "--dy", "0")
    assert done.returncode == 0 and done.stderr == ""
    assert strict_json(done.stdout) == {
        "value": 2.579425538604203,
        "jvp": 5.077582561890373,
        "direction": {"x": 1.0, "y": 0.0},
    }
    for form in (
        ("--direction", "x=0.6,y=0.8"),
        ("--direction", '{"x": 0.6, "y": 0.8}'),
        ("dx=0.6", "dy=0.8"),
    ):
        data = strict_json(run_adcli(*base, *form).stdout)
        assert data["jvp"] == pytest.approx(0.6 * 5.077582561890373 + 0.8 * 0.5, rel=1e-15)


def test_jvp_ambiguous_and_missing_direction():
    done = run_adcli("jvp", "x*dx", "--x", "1", "--dx", "2")
    assert (
        done.returncode == 2 and "--dx is ambiguous" in done.stderr and "--direction" in done.stderr
    )
    done = run_adcli("jvp", "x*dx", "--x", "1", "--dx", "2", "--direction", "x=1", "--json")
    assert done.returncode == 0 and strict_json(done.stdout)["jvp"] == 2.0
    done = run_adcli("jvp", "x*y", "--x", "1", "--y", "2")
    assert done.returncode == 2 and "no direction given" in done.stderr
    done = run_adcli("jvp", "x*y", "--x", "1", "--y", "2", "--direction", "z=1")
    assert done.returncode == 2 and "not an input" in done.stderr
    done = run_adcli("jvp", "x*y", "--x", "1", "--y", "2", "--direction", "x=abc")
    assert done.returncode == 2 and "not a number" in done.stderr


def test_jvp_table():
    done = run_adcli("jvp", "x*y", "--x", "3", "--y", "2", "--dy", "1")
    assert done.returncode == 0 and "∇f·v" in done.stdout and "3.0" in done.stdout


# ---- check ----------------------------------------------------------------------------------------


def test_check_passes_and_reports():
    done = run_adcli("check", "x*y + sin(x)", "--x", "0.5", "--y", "4.2", "--json")
    assert done.returncode == 0 and done.stderr == ""
    data = strict_json(done.stdout)
    assert data["ok"] is True and data["gradient"] == {"x": 5.077582561890373, "y": 0.5}
    row = data["check"]["x"]
    assert row["method"] == "central" and row["rel_error"] < 1e-9
    assert row["h"] == pytest.approx(6.055454452393343e-06)


def test_check_fails_at_a_kink_with_status_1():
    done = run_adcli("check", "relu(x)", "--x", "0")
    assert done.returncode == 1
    assert "FAIL" in done.stdout
    assert done.stderr.startswith("adcli: gradient check failed")
    done = run_adcli("check", "relu(x)", "--x", "0", "--tol", "0.6")
    assert done.returncode == 0


def test_check_one_sided_near_the_domain_edge():
    data = strict_json(run_adcli("check", "sqrt(x)", "--x", "1e-7", "--json", "--tol", "1").stdout)
    assert data["check"]["x"]["method"] == "forward"


def test_check_sweep_shows_the_trade_off():
    done = run_adcli("check", "exp(x)/x", "--x", "3", "--sweep", "--json")
    points = strict_json(done.stdout)["sweep"]["x"]
    errors = [p["abs_error"] for p in points]
    best = min(range(len(errors)), key=errors.__getitem__)
    assert 0 < best < len(errors) - 1  # worse on both sides: truncation, then round-off
    assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best]
    assert sum(p["default"] for p in points) == 1
    done = run_adcli("check", "exp(x)/x", "--x", "3", "--sweep")
    assert "FD against h" in done.stdout and "digits right" in done.stdout


def test_help_pages():
    for name in ("hessian", "jvp", "check", "diff"):
        done = run_adcli(name, "--help")
        assert done.returncode == 0 and "Examples" in done.stdout, name


# ---- bugs of issue 10: derivative graphs keep -0.0, and diff's output evaluates ------------------


def test_derivative_tape_keeps_minus_zero_apart_from_zero():
    done = run_adcli("diff", "x*atan2(-0.0,-1)", "--wrt", "x")
    assert done.returncode == 0 and done.stdout.strip() == "-3.141592653589793"
    done = run_adcli("hessian", "x*y*atan2(-0.0,-1)", "--x", "1", "--y", "2", "--json")
    assert strict_json(done.stdout)["hessian"]["x"]["y"] == -math.pi


@pytest.mark.parametrize(
    ("text", "point"),
    [("0^x", {"x": 1.5}), ("atan2(1e160, x)", {"x": 2.0}), ("x^0 * y + x^2", {"x": 0.0, "y": 2.0})],
)
def test_diff_output_evaluates_wherever_the_partial_does(text, point):
    program = compile(text)
    expected = engine.gradient(program, point).gradient
    graph = symbolic_gradient(program)
    texts = program_text(graph.tape, graph.gradient, reserved=set(program.inputs))
    for name, derivative_text in texts.items():
        derivative = compile(derivative_text)
        bound = {k: point[k] for k in derivative.inputs}
        result = engine.gradient(derivative, bound)  # eval differentiates it too: that must work
        assert result.value == pytest.approx(expected[name], rel=1e-15), derivative_text
    assert "xlogy(0 ^ x, 0)" not in texts.get("x", "")
