"""Parquet in and out for ``--batch`` (pyarrow, the ``adcli[parquet]`` extra): the same numbers
as the JSON Lines path and single ``eval``, per-row errors, nulls take the defaults, a clear
status-2 install hint without pyarrow."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from conftest import run_adcli, strict_json

pa = pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (pip install 'adcli[parquet]')")
pq = pytest.importorskip("pyarrow.parquet")
np = pytest.importorskip("numpy")

from adcli import compile  # noqa: E402

PROGRAM = "log(x) * y + sin(x)"


def write(path, **columns) -> None:
    pq.write_table(pa.table(columns), path, row_group_size=25_000)


def random_points(n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.05, 4.0, n), rng.uniform(-3.0, 3.0, n)


def test_parquet_in_and_out_equals_the_float_engine_bit_for_bit(tmp_path):
    x, y = random_points(70_000)  # three row groups, two record batches, many replay chunks
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    write(source, x=x, y=y)
    done = run_adcli(
        "eval", PROGRAM, "--batch", str(source), "--output", "parquet", "--out", str(out)
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    table = pq.read_table(out)
    assert table.column_names == ["value", "d_x", "d_y", "error"]
    assert table.num_rows == len(x)
    assert table.column("error").null_count == len(x)
    value, dx, dy = (table.column(c).to_numpy() for c in ("value", "d_x", "d_y"))
    program = compile(PROGRAM)
    for j in range(
        0, len(x), 997
    ):  # every row against numpy's vectorised closed form, some exactly
        expected = program.gradient({"x": float(x[j]), "y": float(y[j])})
        assert (value[j], dx[j], dy[j]) == (
            expected.value,
            expected.gradient["x"],
            expected.gradient["y"],
        )
    with np.errstate(all="ignore"):
        assert np.allclose(value, np.log(x) * y + np.sin(x), rtol=1e-13, atol=1e-13)
        assert np.allclose(dx, y / x + np.cos(x), rtol=1e-13, atol=1e-13)


def test_parquet_in_gives_the_json_lines_of_the_jsonl_path_byte_for_byte(tmp_path):
    x, y = random_points(300, seed=3)
    source = tmp_path / "in.parquet"
    write(source, x=x, y=y)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"x": a, "y": b}) + "\n" for a, b in zip(x.tolist(), y.tolist()))
    )
    from_parquet = run_adcli("eval", PROGRAM, "--batch", str(source))
    from_jsonl = run_adcli("eval", PROGRAM, "--batch", str(jsonl))
    assert from_parquet.returncode == from_jsonl.returncode == 0
    assert from_parquet.stdout == from_jsonl.stdout


def test_nulls_take_defaults_integers_are_numbers_and_bad_rows_fail_alone(tmp_path):
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    x = pa.array([2.0, None, -1.0, float("inf"), 3.0])
    y = pa.array([1, 2, None, 1, 1], type=pa.int64())
    write(source, x=x, y=y, id=pa.array(["a", "b", "c", "d", "e"]))
    done = run_adcli(
        "eval",
        PROGRAM,
        "--y",
        "10",
        "--batch",
        str(source),
        "--out",
        str(out),
        "--output",
        "parquet",
    )
    assert done.returncode == 1
    assert "column 'id' of" in done.stderr and "ignored" in done.stderr
    assert "3 of 5 rows failed; the first: row 2: unbound name 'x'" in done.stderr
    rows = pq.read_table(out).to_pylist()
    assert rows[0]["value"] == math.log(2.0) + math.sin(2.0) and rows[0]["error"] is None
    assert rows[1]["value"] is None and rows[1]["error"].startswith("name: unbound name 'x'")
    assert rows[2]["error"].startswith("domain: log at 1:1: argument -1")
    assert rows[3]["error"] == "usage: row 4: x: inf is not a finite number"
    assert rows[4]["d_y"] == math.log(3.0)


def test_csv_and_json_lines_can_be_written_to_a_file_too(tmp_path):
    out = tmp_path / "out.csv"
    done = run_adcli(
        "eval", "x^2", "--batch", "-", "--output", "csv", "--out", str(out), input='{"x": 3}\n'
    )
    assert (done.returncode, done.stdout) == (0, "")
    assert out.read_text() == "value,d_x,error\n9.0,6.0,\n"


@pytest.mark.parametrize(
    "setup, args, message",
    [
        ({"y": [1.0]}, (), "has no column 'x' and the command line binds no default"),
        ({"x": ["a"]}, ("--y", "1"), "column 'x' holds string, not numbers"),
        (None, ("--y", "1"), "not a Parquet file"),
        ({"x": [1.0]}, ("--y", "1", "--output", "parquet"), "--output parquet writes a file"),
    ],
)
def test_usage_errors(tmp_path, setup, args, message):
    source = tmp_path / "in.parquet"
    if setup is None:
        source.write_text("x,y\n1,2\n")
    else:
        write(source, **setup)
    done = run_adcli("eval", "x*y", "--batch", str(source), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_hessian_jvp_and_check_read_parquet(tmp_path):
    source = tmp_path / "in.parquet"
    write(source, x=[0.5, 2.0], y=[4.0, None])
    for command, extra in (("hessian", ()), ("jvp", ("--dx", "1")), ("check", ())):
        done = run_adcli(command, PROGRAM, "--y", "3", *extra, "--batch", str(source))
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines(keepends=True)
        for line, point in zip(lines, ({"x": 0.5, "y": 4.0}, {"x": 2.0, "y": 3.0})):
            single = run_adcli(command, PROGRAM, *extra, "--at", json.dumps(point), "--json")
            assert line == single.stdout
        assert len(lines) == 2 and strict_json(lines[1])["value"] == math.log(2) * 3 + math.sin(2)


def test_without_pyarrow_a_status_2_install_hint(tmp_path):
    source = tmp_path / "in.parquet"
    write(source, x=[1.0])
    probe = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None\n"
        "from adcli.cli import main; sys.argv = ['adcli'] + sys.argv[1:]; main()"
    )
    for args in (
        ("--batch", str(source)),
        ("--batch", "-", "--output", "parquet", "--out", "o.pq"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", probe, "eval", "x", *args],
            capture_output=True,
            text=True,
            input="",
            cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1"},
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert "needs pyarrow, which is not installed: pip install 'adcli[parquet]'" in done.stderr
        assert "Traceback" not in done.stderr


def test_hessian_and_check_write_parquet_columns_named_by_their_json_fields(tmp_path):
    lines = '{"x": 1, "y": 2}\n{"x": -1, "y": 2}\n{"x": 3, "y": 0.5}\n'
    out = tmp_path / "h.parquet"
    done = run_adcli(
        "hessian",
        "log(x) * y",
        "--batch",
        "-",
        "--output",
        "parquet",
        "--out",
        str(out),
        input=lines,
    )
    assert done.returncode == 1 and done.stdout == ""
    table = pq.read_table(out)
    assert table.column_names == [
        "value",
        "gradient.x",
        "gradient.y",
        "hessian.x.x",
        "hessian.x.y",
        "hessian.y.x",
        "hessian.y.y",
        "error",
    ]
    as_json = run_adcli("hessian", "log(x) * y", "--batch", "-", input=lines)
    for row, line in zip(table.to_pylist(), as_json.stdout.splitlines()):
        expected = json.loads(line)
        if "error" in expected:
            assert row["error"] == f"{expected['error']['kind']}: {expected['error']['message']}"
            assert row["value"] is None
        else:
            assert row["error"] is None and row["value"] == expected["value"]
            assert row["hessian.x.x"] == expected["hessian"]["x"]["x"]
            assert row["gradient.y"] == expected["gradient"]["y"]
    checks = tmp_path / "c.parquet"
    done = run_adcli(
        "check", "x*y", "--batch", "-", "--output", "parquet", "--out", str(checks), input=lines
    )
    assert done.returncode == 0
    rows = pq.read_table(checks).to_pylist()
    assert [r["ok"] for r in rows] == [True, True, True]
    assert rows[0]["check.x.method"] == "central"
