"""``adcli eval --batch``: JSON Lines and CSV in and out, streamed, per-line errors, and the
array replay agreeing with the float engine (single ``eval``)."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys

import pytest
from conftest import adcli_command, run_adcli, strict_json

from adcli import compile
from adcli.engine import replay as replay_module
from adcli.engine.replay import Replay
from adcli.stream import Batch

SEED = "x*y + sin(x)"


def jsonl(*objects) -> str:
    return "".join(json.dumps(o) + "\n" for o in objects)


def output_lines(done) -> list:
    return [strict_json(line) for line in done.stdout.splitlines()]


# ---- the contract ------------------------------------------------------------------------------


def test_batch_lines_equal_single_eval_byte_for_byte(tmp_path):
    points = [{"x": 0.5, "y": 4.2}, {"x": -1.25, "y": 3}, {"x": 1e-300, "y": -7.5}]
    path = tmp_path / "points.jsonl"
    path.write_text(jsonl(*points))
    done = run_adcli("eval", SEED, "--batch", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    singles = [run_adcli("eval", SEED, "--at", json.dumps(p), "--json").stdout for p in points]
    assert done.stdout == "".join(singles)


def test_golden_line_from_stdin():
    done = run_adcli("eval", SEED, "--batch", "-", input='{"x": 0.5, "y": 4.2}\n')
    assert done.returncode == 0
    assert done.stdout == (
        '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}\n'
    )


def test_command_line_bindings_are_defaults_each_line_may_override():
    done = run_adcli(
        "eval",
        SEED,
        "--y",
        "2",
        "--x",
        "1",
        "--batch",
        "-",
        input=jsonl({"x": 0.5}, {"y": 4.2, "x": 0.5}, {}),
    )
    assert done.returncode == 0, done.stderr
    got = output_lines(done)
    assert [g["gradient"]["x"] for g in got] == [
        2 + math.cos(0.5),
        4.2 + math.cos(0.5),
        2 + math.cos(1.0),
    ]
    assert list(got[0]["gradient"]) == ["x", "y"]


def test_json_is_implied_and_accepted():
    done = run_adcli("eval", "x^2", "--batch", "-", "--json", input='{"x": 3}\n')
    assert done.stdout == '{"value": 9.0, "gradient": {"x": 6.0}}\n'


PER_LINE_ERRORS = [
    ("not json", "usage", "line 1: not valid JSON"),
    ("[1, 2]", "usage", 'line 1: expected a JSON object such as {"x": 0.5}'),
    ('{"x": "1"}', "usage", 'line 1: x: "1" is not a number'),
    ('{"x": true}', "usage", "line 1: x: true is not a number"),
    ('{"x": null}', "usage", "line 1: x: null is not a number"),
    ('{"x": NaN}', "usage", "line 1: NaN is not a finite number"),
    ('{"x": 1e999}', "usage", "line 1: the number 1e999 is too large for a double"),
    ('{"pi": 1, "x": 1}', "usage", "line 1: 'pi' is a constant and cannot be bound"),
    ('{"x y": 1}', "usage", "line 1: 'x y' is not a valid input name"),
    ('{"y": 1}', "name", "unbound name 'x' at 1:5: bind it with --x VALUE (or x=VALUE)"),
    ('{"x": -1, "y": 1}', "domain", "log at 1:1: argument -1 is not > 0"),
    ('{"x": 0, "y": 1}', "domain", "log at 1:1: argument 0 is not > 0"),
]


@pytest.mark.parametrize("text, kind, message", PER_LINE_ERRORS)
def test_each_bad_line_gets_its_own_error_line_and_the_rest_go_on(text, kind, message):
    lines = '{"x": 2, "y": 1}\n' + text + '\n{"x": 3, "y": 1}\n'
    done = run_adcli("eval", "log(x) * y", "--batch", "-", input=lines)
    assert done.returncode == 1
    got = output_lines(done)
    assert len(got) == 3
    assert got[0]["value"] == math.log(2) and got[2]["value"] == math.log(3)
    assert list(got[1]) == ["error"]
    assert got[1]["error"]["kind"] == kind
    assert got[1]["error"]["message"].startswith(message.replace("line 1", "line 2")), got[1]
    assert "1 of 3 lines failed" in done.stderr
    assert "Traceback" not in done.stderr


def test_evaluation_errors_have_the_messages_of_single_eval():
    cases = [("log(x)", -1), ("sqrt(x)", 0), ("1/x", 0), ("exp(x)", 1000), ("x^0.5", -2)]
    for program, x in cases:
        single = run_adcli("eval", program, "--x", str(x), "--json")
        assert single.returncode == 1
        done = run_adcli("eval", program, "--batch", "-", input=jsonl({"x": x}))
        assert done.returncode == 1
        error = output_lines(done)[0]["error"]
        assert single.stderr.splitlines()[0] == f"adcli: {error['message']}"


def test_quiet_keeps_the_error_lines_and_drops_the_summary():
    done = run_adcli("eval", "log(x)", "--batch", "-", "--quiet", input=jsonl({"x": -1}))
    assert done.returncode == 1
    assert done.stderr == ""
    assert output_lines(done)[0]["error"]["kind"] == "domain"


def test_a_name_the_program_does_not_use_warns_once_and_gets_a_zero_partial():
    lines = jsonl({"x": 1, "z": 5}, {"x": 2, "z": 6}, {"x": 3})
    done = run_adcli("eval", "x^2", "--batch", "-", input=lines)
    assert done.returncode == 0
    assert done.stderr.count("warning") == 1
    assert "'z' (first on line 1) is bound but the program does not use it" in done.stderr
    got = output_lines(done)
    assert got[0]["gradient"] == {"x": 2.0, "z": 0.0}  # as `adcli eval x^2 --x 1 --z 5`
    assert got[2]["gradient"] == {"x": 6.0}
    single = run_adcli("eval", "x^2", "--x", "1", "--z", "5", "--json", "--quiet")
    assert done.stdout.splitlines()[0] == single.stdout.strip()
    assert run_adcli("eval", "x^2", "--batch", "-", "--quiet", input=lines).stderr == ""


def test_wrt_restricts_the_partials():
    done = run_adcli("eval", SEED, "--wrt", "y", "--batch", "-", input=jsonl({"x": 0.5, "y": 4.2}))
    assert output_lines(done) == [{"value": 2.579425538604203, "gradient": {"y": 0.5}}]
    bad = run_adcli("eval", SEED, "--wrt", "q", "--batch", "-", input=jsonl({"x": 1, "y": 1}))
    assert bad.returncode == 2 and bad.stdout == ""


# ---- line handling -----------------------------------------------------------------------------


def test_blank_lines_crlf_bom_and_a_last_line_without_newline():
    raw = b'\xef\xbb\xbf{"x": 1}\r\n\r\n{"x": 2}\n   \n{"x": 3}'
    done = run_adcli("eval", "x^2", "--batch", "-", input=raw)
    assert done.returncode == 1  # the two blank lines
    got = output_lines(done)
    assert len(got) == 5
    assert [g.get("value") for g in got] == [1.0, None, 4.0, None, 9.0]
    assert got[1]["error"] == {
        "kind": "usage",
        "message": "line 2: blank line (expected a JSON object of bindings)",
    }
    assert done.stdout.count("\r") == 0


def test_a_bom_after_the_first_line_is_an_error():
    done = run_adcli("eval", "x", "--batch", "-", input=b'{"x": 1}\n\xef\xbb\xbf{"x": 2}\n')
    assert [("error" in g) for g in output_lines(done)] == [False, True]


def test_not_utf8_is_a_line_error():
    done = run_adcli("eval", "x", "--batch", "-", input=b'{"x": 1}\n{"x": "\xff"}\n{"x": 3}\n')
    got = output_lines(done)
    assert got[1]["error"]["message"] == "line 2: not UTF-8 text (byte 8)"
    assert got[2]["value"] == 3.0


def test_empty_input_gives_no_lines():
    done = run_adcli("eval", "x", "--batch", "-", input="")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_line_over_max_size_is_an_error_and_is_skipped_unread():
    huge = '{"x": ' + " " * 200_000 + "1}"
    lines = '{"x": 1}\n' + huge + '\n{"x": 2}\n'
    done = run_adcli("eval", "x", "--batch", "-", "--max-size", "1K", input=lines)
    assert done.returncode == 1
    got = output_lines(done)
    assert got[0]["value"] == 1.0 and got[2]["value"] == 2.0
    assert got[1]["error"]["kind"] == "limit"
    assert (
        "line 2: over the limit of 1,024 bytes; raise it with --max-size"
        in (got[1]["error"]["message"])
    )


def test_many_lines_across_chunks_keep_their_order(tmp_path):
    rng = random.Random(7)
    objects = []
    for i in range(9000):
        if i % 997 == 0:
            objects.append({"x": -1.0})  # a domain error now and then
        else:
            objects.append({"x": rng.uniform(0.1, 10)})
    path = tmp_path / "many.jsonl"
    path.write_text(jsonl(*objects))
    done = run_adcli("eval", "sqrt(x) + x^2", "--batch", str(path), "--quiet")
    assert done.returncode == 1
    got = done.stdout.splitlines()
    assert len(got) == len(objects)
    program = compile("sqrt(x) + x^2")  # IEEE-exact and libm's pow: bit for bit
    for obj, line in zip(objects, got):
        result = strict_json(line)
        if obj["x"] < 0:
            assert result["error"]["kind"] == "domain"
        else:
            assert result["value"] == program.gradient(obj).value


def test_streams_each_answer_as_soon_as_its_line_is_in():
    """An interactive producer: the next line is written only after the last answer is read."""
    proc = subprocess.Popen(
        [*adcli_command(), "eval", "x^2", "--batch", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for x in (1, 2, 3):
            proc.stdin.write(json.dumps({"x": x}) + "\n")
            proc.stdin.flush()
            assert json.loads(proc.stdout.readline())["value"] == x * x
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_program_and_points_cannot_both_come_from_stdin():
    done = run_adcli("eval", "-", "--batch", "-", input="x\n")
    assert done.returncode == 2
    assert "both come from stdin" in done.stderr


def test_batch_options_need_batch_and_a_missing_file_is_a_usage_error(tmp_path):
    assert run_adcli("eval", "x", "--x", "1", "--output", "csv").returncode == 2
    assert run_adcli("eval", "x", "--x", "1", "--input-format", "csv").returncode == 2
    done = run_adcli("eval", "x", "--batch", str(tmp_path / "nope.jsonl"))
    assert done.returncode == 2
    assert done.stderr.startswith("adcli: cannot read")


def test_an_input_named_batch_is_bound_with_the_other_forms():
    done = run_adcli("eval", "batch * 2", "batch=3", "--json")
    assert strict_json(done.stdout)["gradient"] == {"batch": 2.0}


# ---- CSV ---------------------------------------------------------------------------------------


def test_csv_in_jsonl_out(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y\n0.5,4.2\n1,\n")
    done = run_adcli("eval", SEED, "--y", "2", "--batch", str(path))
    assert done.returncode == 0, done.stderr
    got = output_lines(done)
    assert got[0] == {"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}
    assert got[1]["gradient"]["y"] == 1.0  # the empty cell took the default y = 2


def test_csv_out_with_an_error_row_and_input_format_for_stdin():
    text = "x, y\r\n0.5,4.2\r\n-1,abc\r\n1,2,3\n\n2,1"
    done = run_adcli(
        "eval", "log(x) * y", "--batch", "-", "--input-format", "csv", "--output", "csv", input=text
    )
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "value,d_x,d_y,error",
        f"{math.log(0.5) * 4.2!r},{4.2 / 0.5!r},{math.log(0.5)!r},",
        ",,,usage: line 3: y: 'abc' is not a number",
        ',,,"usage: line 4: 3 fields, but the header has 2 (x,y)"',
        ",,,usage: line 5: blank line (expected a row of numbers)",
        f"{math.log(2.0)!r},0.5,{math.log(2.0)!r},",
    ]


def test_csv_output_rows_line_up_with_csv_input_rows(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x\n1\n-1\n4\n")
    done = run_adcli("eval", "sqrt(x)", "--batch", str(path), "--output", "csv", "--quiet")
    rows = done.stdout.splitlines()
    assert len(rows) == 4 and rows[0] == "value,d_x,error"
    assert rows[2].startswith(",,domain: sqrt at 1:1")


def test_csv_header_problems_are_usage_errors():
    for header in ("x,pi", "x,x", "x,a b"):
        done = run_adcli(
            "eval", "x", "--batch", "-", "--input-format", "csv", input=header + "\n1,2\n"
        )
        assert done.returncode == 2, header
        assert done.stdout == ""


def test_empty_csv_output_is_just_the_header():
    done = run_adcli("eval", "x", "--batch", "-", "--output", "csv", input="")
    assert done.stdout == "value,d_x,error\n"


# ---- the array replay agrees with the float engine ---------------------------------------------

EXACT = [  # IEEE-exact operations (and libm calls numpy shares on this path): bit for bit
    "x*y + sin(x)",
    "x/y - y/x + x*x*y",
    "-(x - y)^2 + sqrt(x*x + y*y)",
    "h = x*y; g = h*h - x; g/(1 + abs(y)) + relu(x) - max(x, y) + min(x, y)",
    "max(x, sqrt(y*y)) + 0*sqrt(x - x)",  # a zero adjoint times an infinite g_weight
    "x^3 + y^2",
]
CLOSE = [  # transcendental: in this process numpy may run its AVX-512 loops (last bits differ)
    "tanh(w*x + b)",
    "exp(x) * log(y) + atan2(y, x) + hypot(x, y)",
    "sigmoid(x) + softplus(y) + erf(x) + cbrt(y) + log2(y) + log10(y) + log(y, 3)",
    "asinh(x) + acosh(y + 2) + atanh(x / 10) + asin(x / 10) + acos(x / 10) + atan(y)",
    "sinh(x) * cosh(y) + tan(x) + cos(y) + sign(x) * step(y) + pow(y, x)",
]


def replay_vs_float(program_text: str, n: int = 300):
    program = compile(program_text)
    rng = random.Random(program_text)
    rows = [{name: rng.uniform(0.1, 3.0) for name in program.inputs} for _ in range(n)]
    names = list(program.inputs)
    engine = Batch(program, {}, names, wrt=False, quiet=True)
    assert engine.replay is not None
    results = engine.evaluate(rows, 1)
    for j, row in enumerate(rows):
        expected = program.gradient(row)
        special = results.special.get(j)
        if special is not None:
            got_value, got_gradient = special.value, special.gradient
        else:
            got_value = results.values[j]
            got_gradient = [column[j] for column in results.partials]
        yield (got_value, expected.value)
        for name, got in zip(names, got_gradient):
            yield (got, expected.gradient[name])


@pytest.mark.parametrize("program_text", EXACT)
def test_replay_equals_the_float_engine_bit_for_bit(program_text):
    for got, expected in replay_vs_float(program_text):
        assert got == expected and math.copysign(1, got) == math.copysign(1, expected)


@pytest.mark.parametrize("program_text", CLOSE)
def test_replay_agrees_with_the_float_engine_to_a_few_ulps(program_text):
    for got, expected in replay_vs_float(program_text):
        assert math.isclose(got, expected, rel_tol=1e-13, abs_tol=1e-13), (got, expected)


@pytest.mark.parametrize("program_text", CLOSE)
def test_batch_equals_eval_bit_for_bit_for_every_primitive(program_text, tmp_path):
    """Through the console script numpy runs without its AVX-512 loops (see adcli.engine.replay), so
    even the transcendental functions give libm's numbers, as eval does."""
    program = compile(program_text)
    rng = random.Random(program_text)
    points = [{name: rng.uniform(0.1, 3.0) for name in program.inputs} for _ in range(200)]
    path = tmp_path / "points.jsonl"
    path.write_text(jsonl(*points))
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    done = subprocess.run(
        [*adcli_command(), "eval", program_text, "--batch", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for point, line in zip(points, done.stdout.splitlines()):
        expected = program.gradient(point)
        assert json.loads(line) == {"value": expected.value, "gradient": expected.gradient}


def test_zero_adjoint_through_an_infinite_g_weight_contributes_zero():
    done = run_adcli(
        "eval",
        "max(x, sqrt(y)) + 0*sqrt(x - 1)",
        "--batch",
        "-",
        input=jsonl({"x": 1, "y": 0}, {"x": 2, "y": 0}),
    )
    assert done.returncode == 0, done.stdout
    assert [g["gradient"] for g in output_lines(done)] == [
        {"x": 1.0, "y": 0.0},
        {"x": 1.0, "y": 0.0},
    ]


def test_rows_the_replay_flags_are_re_run_through_the_float_engine():
    # x = 0: sqrt's g_weight is infinite and reaches the output: eval's error for that row only.
    program = compile("sqrt(x) + y")
    engine = Batch(program, {}, ["x", "y"], wrt=False, quiet=True)
    results = engine.evaluate([{"x": 4.0, "y": 1.0}, {"x": 0.0, "y": 1.0}], 1)
    assert results.values[0] == 3.0 and 1 in results.special
    assert results.special[1].error.message == "sqrt at 1:1: the derivative is infinite at 0"


def test_without_numpy_every_row_takes_the_float_engine(monkeypatch):
    monkeypatch.setattr(Replay, "compile", classmethod(lambda cls, program: None))
    program = compile(SEED)
    engine = Batch(program, {"y": 4.2}, ["x", "y"], wrt=False, quiet=True)
    results = engine.evaluate([{"x": 0.5}, {"x": "a"}], 1)
    assert results.special[0].value == 2.579425538604203
    assert results.special[1].error.kind == "usage"


def test_a_constant_subexpression_that_fails_fails_every_line():
    done = run_adcli("eval", "x + log(-1)", "--batch", "-", input=jsonl({"x": 1}, {"x": 2}))
    assert done.returncode == 1
    assert [g["error"]["kind"] for g in output_lines(done)] == ["domain", "domain"]


def test_constant_program_and_output_that_is_an_input():
    done = run_adcli("eval", "2 + 3", "--batch", "-", input="{}\n{}\n")
    assert output_lines(done) == [{"value": 5.0, "gradient": {}}] * 2
    done = run_adcli("eval", "x", "--batch", "-", input=jsonl({"x": -0.0}))
    assert done.stdout == '{"value": -0.0, "gradient": {"x": 1.0}}\n'


def test_numpy_is_imported_only_on_the_batch_path():
    probe = (
        "import sys; from adcli.cli import run; "
        "status = run(['eval', 'x*y+sin(x)', '--x', '0.5', '--y', '4.2', '--json']); "
        "sys.stderr.write(str(sorted(m for m in ('numpy', 'rich', 'typer') if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=60,
    )
    assert done.stderr == "[]", done.stderr
    assert replay_module.CHUNK_ROWS >= 1024


def test_chunk_rows_shrink_for_a_large_tape():
    text = " + ".join(f"sin(x*{i})" for i in range(3000))
    replay = Replay.compile(compile(text))
    assert replay is not None and replay.rows < replay_module.CHUNK_ROWS


def test_a_slow_line_does_not_hold_back_the_answers_before_it():
    proc = subprocess.Popen(
        [*adcli_command(), "eval", "x+1", "--batch", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        proc.stdin.write(b'{"x": 1}\n{"x": 2}\n{"x"')  # the third line is still being written
        proc.stdin.flush()
        first_two = proc.stdout.readline() + proc.stdout.readline()
        assert b'"value": 2.0' in first_two and b'"value": 3.0' in first_two
        proc.stdin.write(b": 3}\n")
        proc.stdin.close()
        assert b'"value": 4.0' in proc.stdout.readline()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
