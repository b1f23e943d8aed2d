"""adcli plot: the sampled numbers (against eval, gaps where undefined, kinks), the terminal
drawing, the figures (matplotlib where installed; a status-2 hint where not) and the samples
for scripts.  In-process where it can be: sampling is called directly."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from conftest import run_adcli

from adcli import cli
from adcli import compile as compile_program
from adcli.commands.plot import parse_range, sample, split_ranges
from adcli.errors import EvaluationError, UsageError


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def eval_at(source: str, point: dict) -> tuple[float | None, dict]:
    """What eval says at one point: (value, gradient), None where it refuses."""
    program = compile_program(source)
    try:
        result = program.gradient(point)
    except EvaluationError:
        try:
            return program.value(point), dict.fromkeys(program.inputs)
        except EvaluationError:
            return None, dict.fromkeys(program.inputs)
    return result.value, result.gradient


@pytest.mark.parametrize(
    "source,bound",
    [
        ("x*y + sin(x)", {"y": 4.2}),
        ("h = tanh(w*x + b); (h - t)^2 + sigmoid(h) * softplus(x)", {"w": 0.5, "b": 0.1, "t": 1}),
        ("sqrt(x) + log(x - 0.5) + abs(x - 1) + 1/(x - 2)", {}),
    ],
)
def test_samples_equal_eval(source, bound):
    program = compile_program(source)
    samples = sample(program, {"x": (-1.0, 3.0)}, bound, 101)
    xs = samples.axes["x"]
    assert len(xs) == 101 and xs[0] == -1.0 and xs[-1] == 3.0
    for k in range(101):
        value, gradient = eval_at(source, {**bound, "x": float(xs[k])})
        got_v, got_d = float(samples.value[k]), float(samples.partials["x"][k])
        if value is None:
            assert math.isnan(got_v) and math.isnan(got_d)
            continue
        assert close(got_v, value), (k, got_v, value)
        if gradient["x"] is None:
            assert math.isnan(got_d)
        else:
            assert close(got_d, gradient["x"]), (k, got_d, gradient["x"])


def test_gaps_not_errors_and_kinks_exact():
    samples = sample(compile_program("sqrt(x) + abs(x - 0.5)"), {"x": (-1.0, 1.0)}, {}, 9)
    value = samples.value.tolist()
    d = samples.partials["x"].tolist()
    # x = -1, -0.75, ..., 1: undefined below 0; at 0 the value is defined but sqrt' is not.
    assert all(math.isnan(v) for v in value[:4]) and all(math.isnan(v) for v in d[:5])
    assert value[4] == 0.5
    # abs' at its kink is 0 (adcli's convention), -1 to its left, +1 to its right.
    assert d[6] == 0.5 / math.sqrt(0.5) + 0.0
    assert d[5] == 0.5 / math.sqrt(0.25) - 1.0 and d[7] == 0.5 / math.sqrt(0.75) + 1.0


def test_two_inputs_grid_runs_first_input_fastest():
    samples = sample(compile_program("x^2 - 3*y"), {"x": (-1.0, 1.0), "y": (0.0, 2.0)}, {}, 5)
    assert samples.value.shape == (5, 5)
    # row j: y = ys[j]; column i: x = xs[i]
    assert samples.value[1, 3] == 0.5**2 - 3 * 0.5
    assert samples.partials["x"][1, 3] == 1.0 and samples.partials["y"][1, 3] == -3.0
    done = run_adcli("plot", "x^2 - 3*y", "--x", "-1:1", "--y", "0:2", "--points", "5", "--json")
    data = json.loads(done.stdout)
    assert data["inputs"]["x"][:6] == [-1.0, -0.5, 0.0, 0.5, 1.0, -1.0]
    assert data["inputs"]["y"][:6] == [0.0] * 5 + [0.5]
    assert data["value"][8] == 0.25 - 1.5 and data["gradient"]["y"][8] == -3.0


def test_json_and_csv_samples():
    done = run_adcli("plot", "log(x)", "--x", "-1:1", "--points", "5", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["inputs"]["x"] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert data["value"][:3] == [None, None, None] and data["value"][4] == 0.0
    assert data["gradient"]["x"][3:] == [2.0, 1.0]
    done = run_adcli("plot", "log(x)", "--x", "-1:1", "--points", "5", "--output", "csv")
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["x", "value", "d/dx"] and len(rows) == 6
    assert rows[1] == ["-1.0", "", ""] and rows[5] == ["1.0", "0.0", "1.0"]


def test_csv_and_json_files(tmp_path):
    for suffix in ("csv", "json"):
        target = tmp_path / f"s.{suffix}"
        done = run_adcli("plot", "x^2", "--x", "0:1", "--points", "3", "--output", str(target))
        assert done.returncode == 0 and done.stdout == "", done.stderr
        text = target.read_text()
        assert ("0.25" in text) and ("1.0" in text)


def test_terminal_drawing_shows_gaps():
    done = run_adcli("plot", "log(x)", "--x", "-1:1", "--points", "200", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("f(x)") and any(line.startswith("∂f/∂x") for line in lines)
    plot_rows = [
        line.split("│", 1)[-1].split("┤", 1)[-1] for line in lines if "│" in line or "┤" in line
    ]
    assert any(any(0x2801 <= ord(c) <= 0x28FF for c in row) for row in plot_rows)
    # No dot in the left half: log is undefined there (the rows are cut at the margin).
    width = max(len(row) for row in plot_rows)
    assert all(not row[: width // 2 - 2].strip("\u2800 ") for row in plot_rows)
    assert "undefined (gaps): f at 100, ∂f/∂x at 100 of 200 points" in done.stdout


def test_terminal_heat_map_without_colour():
    done = run_adcli("plot", "x*y", "--x", "-1:1", "--y", "-1:1", "--points", "21")
    assert done.returncode == 0, done.stderr
    assert "@" in done.stdout and "value from -1 " in done.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["x*y"], "nothing to sweep"),
        (["x*y", "--z", "0:1", "--y", "1"], "not an input"),
        (["x*y", "--x", "0:1"], "'y' not bound"),
        (["x", "--x", "3:1"], "LO < HI"),
        (["x+y+z", "--x", "0:1", "--y", "0:1", "--z", "0:1"], "one or two"),
        (["x", "--x", "0:one"], "not a number"),
        (["x", "--x", "0:1", "--points", "1"], "--points"),
        (["x", "--x", "0:1", "--output", "a.gif"], ".svg"),
    ],
)
def test_usage_errors(args, message):
    done = run_adcli("plot", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_ranges():
    assert parse_range("-pi:2pi", "--x") == (-math.pi, 2 * math.pi)
    assert parse_range("-1e-3:.5", "--x") == (-0.001, 0.5)
    assert parse_range("0:2*e", "--x") == (0.0, 2 * math.e)
    sweeps, rest = split_ranges(["x*y", "--x", "-1:1", "y=2", "--output", "a:b.svg", "t=0:1"])
    assert sweeps == {"x": (-1.0, 1.0), "t": (0.0, 1.0)} and rest == [
        "x*y",
        "y=2",
        "--output",
        "a:b.svg",
    ]
    with pytest.raises(UsageError):
        parse_range("1", "--x")


# ---- figures -------------------------------------------------------------------------------


def _matplotlib():
    return pytest.importorskip("matplotlib", reason="matplotlib (adcli[plot]) is not installed")


@pytest.mark.parametrize("suffix", ["svg", "png", "pdf"])
def test_figures(tmp_path, suffix):
    _matplotlib()
    target = tmp_path / f"plot.{suffix}"
    status = cli.run(["plot", "abs(x) + log(x + 1)", "--x", "-2:2", "--output", str(target)])
    assert status == 0
    data = target.read_bytes()
    if suffix == "svg":
        assert ElementTree.fromstring(data).tag.endswith("svg")
    elif suffix == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
    else:
        assert data.startswith(b"%PDF") and len(data) > 2000


def test_heat_map_figure_is_deterministic(tmp_path):
    _matplotlib()
    paths = [tmp_path / "a.svg", tmp_path / "b.svg"]
    for path in paths:
        args = ["plot", "x^2 - y^2", "--x", "-2:2", "--y", "-2:2", "--points", "20"]
        assert cli.run([*args, "--output", str(path)]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert ElementTree.fromstring(paths[0].read_bytes()).tag.endswith("svg")


def test_missing_matplotlib_is_an_install_hint(tmp_path, monkeypatch, capsys):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    target = tmp_path / "plot.svg"
    assert cli.run(["plot", "x^2", "--x", "0:1", "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'adcli[plot]'" in err and not target.exists()


def test_eval_does_not_import_plotting():
    code = (
        "import sys, io, contextlib; from adcli import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.run(['eval', 'x*y + sin(x)', '--x', '0.5', '--y', '4.2', '--json'])\n"
        "bad = [m for m in ('matplotlib', 'adcli.render.plot', 'adcli.commands.plot', 'adcli.codegen')"
        " if m in sys.modules]\n"
        "print(bad)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_docs_pictures_page_is_current():
    """docs/pictures.md's generated blocks (the --to outputs, the terminal plot, the CSV) are
    what adcli prints today: `python docs/make_pictures.py` rewrites them."""
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location(
        "make_pictures", ROOT / "docs" / "make_pictures.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--check"]) == 0
    for picture in ("seed-plot.svg", "kinks.svg", "saddle.png", "seed-graph.svg", "tree-html.png"):
        path = ROOT / "docs" / "pictures" / picture
        assert path.stat().st_size > 1000 and picture in script.PAGE.read_text()


def test_array_syntax_is_lowered_first():
    done = run_adcli("plot", "sum([x, 2*x, x^2])", "--x", "0:1", "--points", "3", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["value"] == [0.0, 1.75, 4.0] and data["gradient"]["x"] == [3.0, 4.0, 5.0]
