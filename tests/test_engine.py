"""The tape engine: deep and wide graphs, shared and unused inputs, replay, determinism."""

from __future__ import annotations

import math

import pytest
from conftest import run_adcli, strict_json

import adcli
from adcli.engine import backward, forward, gradient
from adcli.graph import ADD, MUL, Program, Tape
from adcli.primitives import CODES, CONST

DEPTH = 100_000


def test_golden_example_to_1e_15():
    result = adcli.compile("x*y+sin(x)").gradient(x=0.5, y=4.2)
    assert result.value == pytest.approx(2.579425538604203, abs=1e-15)
    assert result.value == pytest.approx(0.5 * 4.2 + math.sin(0.5), abs=1e-15)
    assert result.gradient["x"] == pytest.approx(5.077582561890373, abs=1e-15)
    assert result.gradient["x"] == pytest.approx(4.2 + math.cos(0.5), abs=1e-15)
    assert result.gradient["y"] == pytest.approx(0.5, abs=1e-15)
    assert list(result.gradient) == ["x", "y"]


# ---- deep graphs through the CLI -------------------------------------------------------------


def nested_sin(x: float) -> tuple[float, float]:
    value, partial = x, 1.0
    for _ in range(DEPTH):
        partial *= math.cos(value)
        value = math.sin(value)
    return value, partial


def power_tower(x: float) -> float:
    value = 1.0
    for _ in range(DEPTH):
        value = x**value
    return value


DEEP = {
    "sin": ("sin(" * DEPTH + "x" + ")" * DEPTH, nested_sin(0.5)),
    "parentheses": ("(" * DEPTH + "x" + ")" * DEPTH, (0.5, 1.0)),
    "negations": ("-(" * DEPTH + "x" + ")" * DEPTH, (0.5, 1.0)),  # DEPTH is even
    "minus signs": ("-" * (DEPTH + 1) + "x", (-0.5, -1.0)),
    "powers": ("x^" * DEPTH + "1", (power_tower(0.5), None)),
}


@pytest.mark.parametrize(
    ("kind", "via"),
    [(kind, "file") for kind in DEEP]
    + [
        ("sin", "stdin as FILE"),
        ("parentheses", "stdin as PROGRAM"),
        ("negations", "stdin as FILE"),
    ],
)
def test_deep_nesting_through_the_cli(kind, via, tmp_path):
    text, (value, partial) = DEEP[kind]
    if via == "file":
        path = tmp_path / "deep.adc"
        path.write_text(text)
        done = run_adcli("eval", "-f", str(path), "--x", "0.5", "--json")
    elif via == "stdin as FILE":
        done = run_adcli("eval", "-f", "-", "--x", "0.5", "--json", input=text)
    else:
        done = run_adcli("eval", "-", "--x", "0.5", "--json", input=text)
    assert done.returncode == 0, done.stderr[-500:]
    assert "RecursionError" not in done.stderr and "recursion" not in done.stderr
    data = strict_json(done.stdout)
    assert data["value"] == pytest.approx(value, rel=1e-12)
    if partial is not None:
        assert data["gradient"]["x"] == pytest.approx(partial, rel=1e-9)


def test_deep_nesting_through_the_library():
    program = adcli.compile("sin(" * DEPTH + "x" + ")" * DEPTH)
    result = program.gradient(x=0.5)
    value, partial = nested_sin(0.5)
    assert result.value == pytest.approx(value, rel=1e-12)
    assert result.gradient["x"] == pytest.approx(partial, rel=1e-9)


# ---- a wide graph: a million nodes -------------------------------------------------------------


def test_a_million_node_program_is_evaluated_and_differentiated():
    """sum over k of (c_k * x) or sin(y): add, mul, sin and constants, 1,000,002 nodes."""
    tape = Tape()
    x = tape.input("x").index
    y = tape.input("y").index
    sin_code = CODES[("sin", 1)]
    node = tape.node
    total = node(MUL, x, node(CONST, value=0.5))
    expected_dx, count_sin = 0.5, 0
    k = 1
    while len(tape) < 1_000_000:
        if k % 3 == 0:
            term = node(sin_code, y)
            count_sin += 1
        else:
            c = 0.5 + k % 10
            term = node(MUL, x, node(CONST, value=c))
            expected_dx += c
        total = node(ADD, total, term)
        k += 1
    assert len(tape) >= 1_000_000
    program = Program(tape, total, {"x": x, "y": y})
    sweep = forward(tape, {x: 0.3, y: 0.2})
    adjoint = backward(tape, sweep, total)
    assert len(adjoint) == len(tape)
    assert adjoint[x] == pytest.approx(expected_dx, rel=1e-9)
    assert adjoint[y] == pytest.approx(count_sin * math.cos(0.2), rel=1e-9)
    result = gradient(program, {"x": 0.3, "y": 0.2})
    assert result.value == pytest.approx(0.3 * expected_dx + count_sin * math.sin(0.2), rel=1e-9)
    assert result.gradient == {"x": adjoint[x], "y": adjoint[y]}


def test_a_wide_program_text_parses():
    terms = 20_000
    text = "a = x*y\n" + " + ".join(f"sin(a*{k % 7}.5 + y)" for k in range(terms))
    result = adcli.compile(text).gradient(x=0.3, y=0.2)
    a = 0.3 * 0.2
    dx = sum((k % 7 + 0.5) * 0.2 * math.cos(a * (k % 7 + 0.5) + 0.2) for k in range(terms))
    assert result.gradient["x"] == pytest.approx(dx, rel=1e-9)


# ---- shared and unused inputs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "point", "value", "partials"),
    [
        ("x*x*x", {"x": 2.0}, 8.0, {"x": 12.0}),
        ("x + x + x + x", {"x": 2.0}, 8.0, {"x": 4.0}),
        ("a = x*y; a*a + a", {"x": 2.0, "y": 3.0}, 42.0, {"x": 39.0, "y": 26.0}),
        ("sin(x)*cos(x)", {"x": 0.3}, math.sin(0.3) * math.cos(0.3), {"x": math.cos(0.6)}),
        ("x - x", {"x": 5.0}, 0.0, {"x": 0.0}),
        ("x / x", {"x": 5.0}, 1.0, {"x": 0.0}),
        ("y = 3; x * y", {"x": 5.0}, 15.0, {"x": 3.0}),
        ("2 * 3", {}, 6.0, {}),
    ],
)
def test_shared_inputs(text, point, value, partials):
    result = adcli.compile(text).gradient(point)
    assert result.value == pytest.approx(value, rel=1e-15)
    assert result.gradient == pytest.approx(partials, rel=1e-15)


def test_unused_and_dead_inputs_get_zero():
    result = adcli.compile("dead = z * 2; x").gradient(x=1.0, z=7.0)
    assert result.gradient == {"z": 0.0, "x": 1.0}


# ---- replay --------------------------------------------------------------------------------

PROGRAM = "h = tanh(w*x + b); loss = (h - t)^2 + 0.1*softplus(w); loss"


def test_replay_matches_fresh_compiles_and_does_not_grow_the_tape():
    program = adcli.compile(PROGRAM)
    size = len(program.tape)
    for k in range(50):
        point = {"w": 0.1 * k - 2, "x": math.sin(k), "b": 0.3 - 0.01 * k, "t": (-1) ** k}
        replayed = program.gradient(point)
        fresh = adcli.compile(PROGRAM).gradient(point)
        assert replayed.value == fresh.value
        assert replayed.gradient == fresh.gradient
        assert len(program.tape) == size


def test_each_sweep_has_fresh_adjoints():
    program = adcli.compile("x*y + sin(x)")
    first = program.gradient(x=0.5, y=4.2)
    second = program.gradient(x=0.5, y=4.2)
    assert first.gradient == second.gradient
    assert first.adjoint is not second.adjoint
    sweep = forward(program.tape, program.bind({"x": 0.5, "y": 4.2}))
    assert list(backward(program.tape, sweep, program.output)) == list(
        backward(program.tape, sweep, program.output)
    )


def test_a_failed_point_does_not_spoil_the_next():
    program = adcli.compile("log(x)")
    with pytest.raises(adcli.EvaluationError):
        program.gradient(x=-1.0)
    assert program.gradient(x=1.0).gradient == {"x": 1.0}


# ---- determinism ---------------------------------------------------------------------------


@pytest.mark.parametrize("json", [True, False])
def test_same_bytes_out_twice(json):
    args = ["eval", PROGRAM, "--w", "0.5", "--x", "2", "--b", "-0.3", "--t", "1", "--unused", "3"]
    if json:
        args.append("--json")
    first = run_adcli(*args)
    second = run_adcli(*args)
    assert first.returncode == 0
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)


# ---- batch equals eval bit for bit, in-process: numpy's SIMD dispatch is read, not assumed ------


def test_replay_equals_eval_for_every_row_in_process():
    np = pytest.importorskip("numpy")
    from adcli.engine.numeric import vector_fn
    from adcli.primitives import TABLE

    rng = np.random.default_rng(7)
    for p in TABLE:
        args = [rng.uniform(0.05, 0.95, 2000) for _ in range(p.arity)]  # in every domain
        if p.name in ("acosh",):
            args = [a + 1.0 for a in args]
        got = vector_fn(np, p)(*args)
        for k in range(0, 2000, 7):
            expected = p.fn(*(float(a[k]) for a in args))
            assert got[k] == expected or (got[k] != got[k] and expected != expected), (p.name, k)


def test_a_ufunc_on_a_simd_loop_not_known_to_be_libm_runs_libm_element_by_element(monkeypatch):
    np = pytest.importorskip("numpy")
    from adcli.engine import numeric
    from adcli.primitives import BY_CODE, CODES

    exp = BY_CODE[CODES[("exp", 1)]]
    monkeypatch.setattr(numeric, "_TRUSTED", {})
    monkeypatch.setattr(numeric, "dispatch_target", lambda np, name: "X86_V4")  # SVML, say
    f = numeric.vector_fn(np, exp)
    assert f is not np.exp and not numeric.libm_equal(np, "exp")
    xs = np.linspace(-30.0, 30.0, 1001)
    assert [float(v) for v in f(xs)] == [math.exp(float(x)) for x in xs]
    monkeypatch.setattr(numeric, "_TRUSTED", {})
    monkeypatch.setattr(numeric, "dispatch_target", lambda np, name: "baseline")
    assert numeric.vector_fn(np, exp) is np.exp


def test_the_dispatch_numpy_reports_is_read_for_each_ufunc():
    np = pytest.importorskip("numpy")
    from adcli.engine.numeric import dispatch_target, libm_equal

    assert libm_equal(np, "add")  # IEEE arithmetic is exact on every loop: never replaced
    assert isinstance(dispatch_target(np, "tanh"), str)
