"""adcli diff --to python|numpy|c|latex: the numbers of the generated code and its form.

Numbers: the generated Python and NumPy run in a subprocess, the C is compiled with the system
compiler (skipped without one), at random points, and must agree with adcli's own gradient
(``adcli.compile(...).gradient``, what ``eval`` prints) — Python bit for bit with evaluating the
``adcli diff`` text, every language to a few ulps of eval.  One of the programs has 10^4 nodes.
Form: golden files for the C and LaTeX of small programs (regenerate with
``ADCLI_REGENERATE_GOLDEN=1``), determinism, linear size, and every primitive spelled in every
language.  adcli itself never runs what it writes; only these tests do.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_adcli

from adcli import compile as compile_program
from adcli.codegen import generate
from adcli.codegen.spellings import HELPERS, LANGUAGE_COLUMN
from adcli.primitives import TABLE

GOLDEN = Path(__file__).resolve().parent / "golden" / "codegen"


def symbolic(program):
    from adcli.engine import symbolic_gradient

    return symbolic_gradient(program)


def big_program(lines: int = 600) -> str:
    """About 10^4 nodes: a recurrence that mixes every kind of primitive and stays bounded."""
    funcs = ["tanh", "sigmoid", "atan", "erf", "sin", "softplus", "cos", "asinh"]
    out = ["h0 = x", "h1 = y"]
    for k in range(2, lines):
        f, g = funcs[k % len(funcs)], funcs[(3 * k + 1) % len(funcs)]
        out.append(
            f"h{k} = {f}(0.7*h{k - 1} - 0.3*h{k - 2}*z) + 0.25*{g}(h{k - 2} + {k % 7}) "
            f"+ 0.01*hypot(h{k - 1}, z)"
        )
    out.append(f"h{lines - 1} + max(h{lines - 2}, x) * 0.5")
    return "\n".join(out)


# (program, range of every input): the ranges keep every value and partial defined.
PROGRAMS = [
    ("x*y + sin(x)", (-3.0, 3.0)),
    ("h = tanh(w*x + b); (h - t)^2 + sigmoid(h) * softplus(b) - h/(1 + h^2)", (-2.0, 2.0)),
    ("xlogy(x, y) + log(y, x + 2) + log2(y) + log10(x + 3) + ln(y)", (0.2, 2.0)),
    ("sign(x) * y + step(x) * relu(y) + abs(x - y) + erf(x * y)", (-2.0, 2.0)),
    ("atan2(y, x) + hypot(x, y) + min(x, y) * max(x, 2*y) + cbrt(x*y)", (0.1, 3.0)),
    ("asin(x/4) + acos(y/4) + atan(x) + sinh(x) + cosh(y) + asinh(x*y)", (-2.0, 2.0)),
    ("acosh(x + 2.6) + atanh(y/3) + exp(-x^2) + sqrt(y + 3) + tan(x/2)", (-1.5, 1.5)),
    ("lambda * int + in * sin + pi * e + -2 * x^-1.5", (0.5, 2.0)),
    ("t1 = x*x; t2 = t1*t1; t3 = t2*t2; t3 + t2 + t1 + x^3", (-1.2, 1.2)),
    ("log1p(x*y) + expm1(x) + exp2(y) + stop(x)*y", (-0.5, 1.5)),
    (
        "where(x < y, x^2, y) + where(x <= y, 1, y) * (x > 0) + (x >= y) * x + (x == y) + (x != y)",
        (-1.0, 1.0),
    ),
    (big_program(), (-1.0, 1.0)),
]


# The helpers at their edges: ties of min/max, relu/step/sign/abs at 0, xlogy with x = 0,
# sigmoid and softplus far out (where a naive formula overflows), at these exact points.
EDGES = (
    "min(x, y) + max(x, 2*y) + relu(x) + step(x) + sign(y) + abs(x) + xlogy(x, y + 1.5)"
    " + sigmoid(800*x - 1) + softplus(-800*x + 1) + log(y + 2, x + 3) + log(x + 3)"
)
EDGE_POINTS = [(0.0, 0.0), (0.5, 0.5), (-1.0, -1.0), (1.0, 0.5), (-0.0, 0.25), (2.0, 1.0)]


def points(source: str, low: float, high: float, count: int, seed: int) -> list[dict]:
    program = compile_program(source)
    rng = random.Random(seed)
    return [{n: rng.uniform(low, high) for n in program.inputs} for _ in range(count)]


def adcli_numbers(source: str, pts: list[dict]) -> list[tuple[float, list[float]]]:
    """What adcli eval gives: the value and every partial."""
    program = compile_program(source)
    out = []
    for point in pts:
        result = program.gradient(point)
        out.append((result.value, [result.gradient[n] for n in program.inputs]))
    return out


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b), 1e-300) + 1e-300


def assert_agree(source, got, expected, rel):
    for (gv, gg), (ev, eg) in zip(got, expected):
        assert close(gv, ev, rel), (source[:60], gv, ev)
        for a, b in zip(gg, eg):
            assert close(a, b, rel), (source[:60], a, b)


# ---- every primitive, every language ----------------------------------------------------------


def test_every_primitive_has_a_spelling_in_every_language():
    for language, column in LANGUAGE_COLUMN.items():
        for p in TABLE:
            assert len(p.code) == len(LANGUAGE_COLUMN), p
            word = p.code[column]
            assert word, (language, p)
            if word.startswith("_") or word.startswith("adcli_"):
                assert word in HELPERS[language], (language, word)


def test_helpers_are_emitted_only_when_used():
    graph_plain = symbolic(compile_program("x*y + sin(x)"))
    for language in ("python", "numpy", "c"):
        text = generate(graph_plain, ["x", "y"], language)
        assert "def _" not in text and "static double" not in text
    program = compile_program("sigmoid(x) + relu(x)")
    text = generate(symbolic(program), ["x"], "c")
    assert "adcli_sigmoid" in text and "adcli_relu" in text and "adcli_softplus" not in text


# ---- numbers ---------------------------------------------------------------------------------


def _run_python(tmp_path: Path, language: str, cases) -> list:
    """Write each case's module and one driver; run them in one subprocess; read JSON back."""
    driver = ["import json, sys, importlib", "sys.path.insert(0, sys.argv[1])", "out = []"]
    for k, (text, pts) in enumerate(cases):
        (tmp_path / f"gen_{language}_{k}.py").write_text(text)
        driver.append(f"m = importlib.import_module('gen_{language}_{k}')")
        driver.append(f"pts = json.loads({json.dumps(json.dumps(pts))})")
        if language == "numpy":
            driver.append("import numpy as np")
            driver.append("cols = [np.array([p[n] for p in pts]) for n in pts[0]]")
            driver.append("v, g = m.f(*cols)")
            driver.append(
                "out.append([[float(v[i]), [float(c[i]) for c in g]] for i in range(len(pts))])"
            )
        else:
            driver.append("res = [m.f(*p.values()) for p in pts]")
            driver.append("out.append([[v, list(g)] for v, g in res])")
    driver.append("print(json.dumps(out))")
    script = tmp_path / f"driver_{language}.py"
    script.write_text("\n".join(driver) + "\n")
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def cases():
    out = []
    for k, (source, (low, high)) in enumerate(PROGRAMS):
        program = compile_program(source)
        pts = points(source, low, high, 6 if len(source) > 1000 else 25, seed=k)
        out.append((source, program, symbolic(program), pts, adcli_numbers(source, pts)))
    pts = [{"x": x, "y": y} for x, y in EDGE_POINTS]
    program = compile_program(EDGES)
    out.insert(0, (EDGES, program, symbolic(program), pts, adcli_numbers(EDGES, pts)))
    return out


def test_the_programs_use_every_primitive(cases):
    from adcli.primitives import BY_CODE, FIRST_PRIMITIVE

    used = {
        (BY_CODE[k].name, BY_CODE[k].arity)
        for _, program, _, _, _ in cases
        for k in set(program.tape.op)
        if k >= FIRST_PRIMITIVE
    }
    assert used == {(p.name, p.arity) for p in TABLE}, {(p.name, p.arity) for p in TABLE} - used


@pytest.mark.parametrize("language", ["python", "numpy"])
def test_python_and_numpy_agree_with_eval(tmp_path, cases, language):
    texts = [(generate(g, list(p.inputs), language, s), pts) for s, p, g, pts, _ in cases]
    results = _run_python(tmp_path, language, texts)
    for (source, _, _, _, expected), got in zip(cases, results):
        # math and numpy's own sin, exp... may differ from each other in the last bit or two.
        assert_agree(source, got, expected, 1e-12 if language == "python" else 1e-10)


def test_python_is_the_diff_graph_bit_for_bit(tmp_path, cases):
    """The generated Python computes exactly what evaluating `adcli diff`'s text does."""
    source, program, graph, pts, _ = cases[2]
    text = generate(graph, list(program.inputs), "python", source)
    got = _run_python(tmp_path, "python", [(text, pts)])[0]
    result = run_adcli("diff", source, "--json")
    assert result.returncode == 0, result.stderr
    partials = {n: compile_program(t) for n, t in json.loads(result.stdout).items()}
    for point, (_, grad) in zip(pts, got):
        for name, value in zip(program.inputs, grad):
            bound = {k: v for k, v in point.items() if k in partials[name].inputs}
            assert value == partials[name].value(bound), name


def test_c_agrees_with_eval(tmp_path, cases):
    compiler = shutil.which("cc")
    if compiler is None:
        pytest.skip("no C compiler (cc) on PATH")
    units, calls = [], []
    for k, (source, program, graph, pts, _) in enumerate(cases):
        (tmp_path / f"gen_{k}.c").write_text(generate(graph, list(program.inputs), "c", source))
        unit = tmp_path / f"unit_{k}.c"
        unit.write_text(f'#define f f_{k}\n#include "gen_{k}.c"\n')
        units.append(str(unit))
        n = len(program.inputs)
        calls.append(f"double f_{k}(const double *in, double *grad);")
        for point in pts:
            values = ", ".join(float(v).hex() for v in point.values())
            calls.append(
                f"{{ double in[{n}] = {{{values}}}, g[{n}]; double v = f_{k}(in, g);"
                f' printf("%.17g", v); for (int i = 0; i < {n}; i++) printf(" %.17g", g[i]);'
                ' printf("\\n"); }'
            )
    main = tmp_path / "main.c"
    declarations = [c for c in calls if c.startswith("double")]
    body = [c for c in calls if not c.startswith("double")]
    main.write_text(
        "#include <stdio.h>\n"
        + "\n".join(declarations)
        + "\nint main(void)\n{\n"
        + "\n".join(body)
        + "\nreturn 0;\n}\n"
    )
    exe = tmp_path / "check"
    flags = ["-std=c99", "-O0", "-Wall", "-Wextra", "-pedantic", "-Werror"]
    done = subprocess.run(
        [compiler, *flags, "-o", str(exe), str(main), *units, "-lm"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = iter(subprocess.run([str(exe)], capture_output=True, text=True).stdout.splitlines())
    for source, _, _, pts, expected in cases:
        got = []
        for _ in pts:
            numbers = [float(w) for w in next(lines).split()]
            got.append((numbers[0], numbers[1:]))
        assert_agree(source, got, expected, 1e-10)


def test_the_big_program_stays_linear(cases):
    source, program, graph, _, _ = cases[-1]
    assert len(program.tape) >= 10_000
    for language in ("python", "numpy", "c", "latex"):
        text = generate(graph, list(program.inputs), language, source)
        # Each node of the gradient graph is written at most once: a few dozen bytes a node.
        assert len(text) < 60 * len(graph.tape), (language, len(text), len(graph.tape))


# ---- form ------------------------------------------------------------------------------------

GOLDEN_CASES = [
    ("seed", "x*y + sin(x)"),
    ("layer", "h = tanh(w*x + b); (h - t)^2 / 2 + sqrt(w^2 + 1e-8) + sigmoid(alpha1 * h)"),
]


@pytest.mark.parametrize("name,source", GOLDEN_CASES)
@pytest.mark.parametrize("language,suffix", [("c", "c"), ("latex", "tex")])
def test_golden(name, source, language, suffix):
    program = compile_program(source)
    text = generate(symbolic(program), list(program.inputs), language, source)
    path = GOLDEN / f"{name}.{suffix}"
    if os.environ.get("ADCLI_REGENERATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def test_each_language_is_deterministic():
    source = GOLDEN_CASES[1][1]
    for language in ("python", "numpy", "c", "latex"):
        first, second = (
            generate(symbolic(p), list(p.inputs), language, source)
            for p in (compile_program(source), compile_program(source))
        )
        assert first == second
    done = run_adcli("diff", source, "--to", "c")
    assert done.returncode == 0 and done.stdout == (GOLDEN / "layer.c").read_text()
    assert (
        run_adcli("diff", "x*y + sin(x)", "--to", "adcli").stdout
        == run_adcli("diff", "x*y + sin(x)").stdout
    )


def test_cli_refuses_unknown_language_and_json():
    done = run_adcli("diff", "x", "--to", "fortran")
    assert done.returncode == 2 and "python" in done.stderr
    done = run_adcli("diff", "x", "--to", "c", "--json")
    assert done.returncode == 2 and "--json" in done.stderr


def test_wrt_picks_the_partials():
    program = compile_program("x*y + sin(x)")
    text = generate(symbolic(program), ["y"], "c", "x*y + sin(x)")
    assert "grad[0] = x;" in text and "grad[1]" not in text


def test_names_that_clash_are_renamed():
    program = compile_program("lambda + int + in + sin + math + grad")
    graph = symbolic(program)
    py = generate(graph, list(program.inputs), "python")
    assert "def f(lambda_, int, in_, sin, math_, grad_):" in py
    c = generate(graph, list(program.inputs), "c")
    assert "const double int_ = in[1];" in c and "const double sin_ = in[3];" in c


def test_comments_cannot_be_closed_by_the_program():
    source = "x # */ \\\n+ 1"
    program = compile_program(source)
    graph = symbolic(program)
    c = generate(graph, ["x"], "c", source)
    assert c.count("*/") == 1  # the header's own end
    py = generate(graph, ["x"], "python", source)
    assert py.splitlines()[0].startswith("# ") and "\n+ 1" not in py


def test_latex_names_and_forms():
    program = compile_program("alpha1 * x_2 / rate + sqrt(x_2) + theta^2")
    text = generate(symbolic(program), list(program.inputs), "latex")
    assert r"\frac{\partial f}{\partial \alpha_{1}}" in text
    assert r"\frac{\partial f}{\partial \mathit{rate}}" in text
    assert r"\frac{\partial f}{\partial x_{2}}" in text
    assert r"2 \cdot \theta" in text


def test_latex_templates_parenthesise_a_lone_factor():
    program = compile_program("z * where(x > 1, y + z, 0)")
    text = generate(symbolic(program), ["x", "y", "z"], "latex")
    # where's taken branch is an Iverson bracket times the branch: a sum there is wrapped.
    assert r"\ne 0\right] \left(y + z\right)" in text, text
