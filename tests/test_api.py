"""The library API (``import adcli``): the same numbers as the CLI, bit for bit; errors that are
``adcli.AdcliError`` subclasses with kind, status and position, worded for a library user."""

from __future__ import annotations

import importlib
import json
import math
import os
import random
import subprocess
import sys
import types

import pytest
from conftest import run_adcli

import adcli
from adcli import AdcliError, BindingError, compile

PROGRAM = "h = tanh(w*x + b); (h - t)^2 + log(x) * sin(w)"


def cli_json(command: str, program: str, point: dict, *extra: str) -> dict:
    done = run_adcli(command, program, "--at", json.dumps(point), *extra, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_gradient_hessian_jvp_diff_equal_the_cli():
    f = compile(PROGRAM)
    assert list(f.inputs) == ["w", "x", "b", "t"]
    point = {"w": 0.5, "x": 2.0, "b": -0.3, "t": 1.0}
    g = f.gradient(point)
    assert {"value": g.value, "gradient": g.gradient} == cli_json("eval", PROGRAM, point)
    h = f.hessian(point)
    assert {"value": h.value, "gradient": h.gradient, "hessian": h.hessian} == cli_json(
        "hessian", PROGRAM, point
    )
    v = f.jvp(point, {"w": 0.6, "x": 0.8})
    assert {"value": v.value, "jvp": v.jvp, "direction": v.direction} == cli_json(
        "jvp", PROGRAM, point, "--direction", "w=0.6,x=0.8"
    )
    for name in f.inputs:
        done = run_adcli("diff", PROGRAM, "--wrt", name)
        assert f.diff(name) + "\n" == done.stdout


def test_keywords_numpy_scalars_and_integers_are_points():
    np = pytest.importorskip("numpy")
    f = compile("x*y + sin(x)")
    expected = f.gradient({"x": 0.5, "y": 4.2})
    assert f.gradient(x=np.float64(0.5), y=4.2).gradient == expected.gradient
    assert f.gradient({"x": 0.5}, y=4.2).value == expected.value
    assert f.value(x=1, y=2) == 2 + math.sin(1)
    assert f.gradient(x=0.5, y=4.2, z=1.0).gradient == expected.gradient  # z: not read, ignored


BATCH_PROGRAMS = [
    "x*y + sin(x)",
    "exp(x) * log(y) + atan2(y, x) + hypot(x, y)",
    "sigmoid(x) + softplus(y) + erf(x) + cbrt(y) + tanh(x*y) + x^y",
    "max(x, sqrt(y*y)) + 0*sqrt(x - x)",
]


@pytest.mark.parametrize("text", BATCH_PROGRAMS)
def test_batch_equals_gradient_at_every_row_bit_for_bit(text):
    np = pytest.importorskip("numpy")
    f = compile(text)
    rng = random.Random(text)
    rows = [(rng.uniform(0.1, 3.0), rng.uniform(0.1, 3.0)) for _ in range(5000)]
    x = np.array([r[0] for r in rows])
    y = [r[1] for r in rows]  # a list works too
    out = f.batch({"x": x, "y": y})
    assert out.value.shape == (5000,) and not out.errors
    for j in range(0, 5000, 7):
        expected = f.gradient(x=rows[j][0], y=rows[j][1])
        got = (out.value[j], out.gradient["x"][j], out.gradient["y"][j])
        want = (expected.value, expected.gradient["x"], expected.gradient["y"])
        assert [v.hex() for v in map(float, got)] == [v.hex() for v in want]


def test_batch_equals_the_cli_batch_bit_for_bit(tmp_path):
    np = pytest.importorskip("numpy")
    text = "exp(x) * log(y) + atan2(y, x)"
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0.1, 3, 400), rng.uniform(0.1, 3, 400)
    path = tmp_path / "points.jsonl"
    path.write_text(
        "".join(json.dumps({"x": a, "y": b}) + "\n" for a, b in zip(x.tolist(), y.tolist()))
    )
    done = run_adcli("eval", text, "--batch", str(path))
    out = compile(text).batch({"x": x, "y": y})
    for j, line in enumerate(done.stdout.splitlines()):
        row = json.loads(line)
        assert row == {
            "value": out.value[j],
            "gradient": {"x": out.gradient["x"][j], "y": out.gradient["y"][j]},
        }


def test_batch_takes_pandas_and_arrow_columns():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    f = compile("x*y + sin(x)")
    frame = pd.DataFrame({"x": [0.5, 1.0], "y": [4.2, 2.0], "id": ["a", "b"]})
    from_pandas = f.batch(frame)
    from_arrow = f.batch({"x": pa.array([0.5, 1.0]), "y": pa.chunked_array([[4.2], [2.0]])})
    assert (
        from_pandas.value.tolist()
        == from_arrow.value.tolist()
        == [
            f.gradient(x=0.5, y=4.2).value,
            f.gradient(x=1.0, y=2.0).value,
        ]
    )
    table = f.batch_frame(frame.set_index("id"))
    assert list(table.columns) == ["value", "d_x", "d_y", "error"]
    assert list(table.index) == ["a", "b"] and table["error"].isna().all()


def test_batch_rows_that_fail_raise_or_become_nan():
    np = pytest.importorskip("numpy")
    f = compile("log(x) + y")
    columns = {"x": np.array([1.0, -1.0, np.inf, 2.0]), "y": np.array([1.0, 1.0, 1.0, np.nan])}
    with pytest.raises(adcli.EvaluationError) as caught:
        f.batch(columns)
    assert caught.value.message == "row 1: log at 1:1: argument -1 is not > 0"
    assert caught.value.position == (1, 1)
    out = f.batch(columns, errors="nan")
    assert out.value[0] == 1.0 and out.value[3] != out.value[3]
    assert sorted(out.errors) == [1, 2, 3]
    assert out.errors[2].message == "row 2: x: inf is not a finite number"
    assert out.errors[3].kind == "usage"


@pytest.mark.parametrize(
    "call, kind, message",
    [
        (lambda f: f.gradient(x=float("inf"), y=1), "usage", "'x': inf is not a finite number"),
        (lambda f: f.gradient(x=float("nan"), y=1), "usage", "'x': nan is not a finite number"),
        (lambda f: f.gradient(x="1", y=1), "usage", "'x': '1' is not a number"),
        (lambda f: f.gradient(x=True, y=1), "usage", "'x': True is not a number"),
        (lambda f: f.jvp({"x": 1, "y": 1}, {"z": 1}), "usage", "'z' is not an input of the"),
        (lambda f: f.gradient(x=1), "name", "unbound name 'y' at 1:10"),
        (lambda f: f.gradient(x=-1, y=1), "domain", "log at 1:1: argument -1 is not > 0"),
        (lambda f: f.diff("q"), "usage", "'q' is not an input of the program (its inputs: x, y)"),
        (lambda f: f.batch({"x": [1.0]}), "usage", "no column for input 'y'"),
        (lambda f: f.batch({"x": [1.0], "y": [1.0, 2.0]}), "usage", "column 'y' has 2 values"),
    ],
)
def test_errors_are_adcli_errors_worded_for_a_library_user(call, kind, message):
    f = compile("log(x) * y")
    with pytest.raises(AdcliError) as caught:
        call(f)
    error = caught.value
    assert error.kind == kind
    assert error.message.startswith(message), error.message
    assert "--" not in error.message and "VALUE" not in error.message
    assert error.status == (1 if kind == "domain" else 2)
    assert error.position == ((1, 1) if kind == "domain" else (1, 10) if kind == "name" else None)


def test_syntax_errors_carry_their_position():
    with pytest.raises(adcli.AdcliError) as caught:
        compile("y = 1\nx + * 2")
    assert caught.value.kind == "syntax" and caught.value.position == (2, 5)
    assert isinstance(BindingError("m"), adcli.AdcliError)


def test_import_adcli_stays_cheap():
    probe = (
        "import sys, adcli; f = adcli.compile('x*y'); f.gradient(x=1, y=2); "
        "sys.stdout.write(str(sorted(m for m in ('numpy', 'rich', 'typer', 'pyarrow', 'pandas', "
        "'lark') if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=os.environ
    )
    assert done.stdout == "[]", done.stderr


def test_adcli_parse_is_the_parser_module_not_a_function():
    """Issue 10 point 4: no function hides a module of the same name; ``adcli.compile`` is the
    API and ``adcli.parse`` the parser's module."""
    module = importlib.import_module("adcli.parse")
    assert isinstance(module, types.ModuleType) and adcli.parse is module
    assert "parse" not in adcli.__all__
    for name in adcli.__all__:
        assert not isinstance(getattr(adcli, name), types.ModuleType), name


def test_the_examples_in_docs_api_md_run():
    """Every ``>>>`` example of docs/api.md, as written (Spark and Ray are prose: not run)."""
    pytest.importorskip("pandas", reason="docs/api.md shows pandas and Dask examples")
    pytest.importorskip("dask.dataframe", reason="docs/api.md shows a Dask example")
    pytest.importorskip("pyarrow", reason="docs/api.md reads Parquet")
    import doctest
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / "api.md"
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(str(path), module_relative=False, optionflags=flags)
    assert result.attempted > 20 and result.failed == 0


def test_array_values_give_gradients_shaped_like_them():
    np = pytest.importorskip("numpy")
    f = compile("sum(x^2) * y + W[1, 0]")
    W = [[1.0, 2.0], [3.0, 4.0]]
    as_lists = f.gradient(x=[1, 2], y=3, W=W)
    assert as_lists.gradient == {"x": [6.0, 12.0], "y": 5.0, "W": [[0.0, 0.0], [1.0, 0.0]]}
    assert as_lists.value == 18.0
    as_numpy = f.gradient(x=np.array([1.0, 2.0]), y=3, W=np.array(W))
    assert isinstance(as_numpy.gradient["x"], np.ndarray)
    assert as_numpy.gradient["W"].shape == (2, 2)
    assert as_numpy.gradient["W"].tolist() == as_lists.gradient["W"]
    point = {"x": [1, 2], "y": 3, "W": W}
    assert f.hessian(point).hessian["x[0]"]["y"] == 2.0
    assert f.jvp(point, {"x": [1, 0]}).jvp == 6.0
    cli = cli_json("eval", "sum(x^2) * y + W[1, 0]", point)
    assert cli == {"value": as_lists.value, "gradient": as_lists.gradient}
    with pytest.raises(adcli.AdcliError) as caught:
        f.gradient(x=[1, float("inf")], y=1, W=W)
    assert caught.value.kind == "usage" and "not a finite number" in caught.value.message


def test_hessian_gradient_is_shaped_like_gradients():
    np = pytest.importorskip("numpy")
    f = compile("sum(x^2) + y")
    h = f.hessian(x=[1.0, 2.0], y=3)
    assert h.gradient == f.gradient(x=[1.0, 2.0], y=3).gradient == {"x": [2.0, 4.0], "y": 1.0}
    assert h.hessian["x[1]"] == {"x[0]": 0.0, "x[1]": 2.0, "y": 0.0}  # the matrix by element
    as_numpy = f.hessian(x=np.array([1.0, 2.0]), y=3).gradient["x"]
    assert isinstance(as_numpy, np.ndarray) and as_numpy.tolist() == [2.0, 4.0]
    point = {"x": [1.0, 2.0], "y": 3}
    assert {"value": h.value, "gradient": h.gradient, "hessian": h.hessian} == cli_json(
        "hessian", "sum(x^2) + y", point
    )
