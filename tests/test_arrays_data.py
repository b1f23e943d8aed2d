"""Array values and data (contract v0.2, issue 12 points 4-7): bindings, CSV columns,
shaped gradients, element names, tables."""

from __future__ import annotations

import json
from array import array

import pytest
from conftest import run_adcli, strict_json

from adcli.arguments import COMMON, parse_command_line
from adcli.errors import UsageError
from adcli.render.tables import Clipped, element_rows, gradient_table, hessian_table
from adcli.stream.csvdata import read_columns
from adcli.values import (
    ArrayValue,
    describe_shape,
    element_name,
    element_names,
    flat_names,
    nested,
    value_from_json,
    value_from_text,
)


def vec(*items: float) -> ArrayValue:
    return ArrayValue((len(items),), array("d", items))


# --- values.py -------------------------------------------------------------------------------


def test_vector_and_matrix_from_text():
    x = value_from_text("[1, 2.5, -3]", "--x")
    assert x.shape == (3,) and list(x.data) == [1.0, 2.5, -3.0]
    assert x.data.typecode == "d"
    w = value_from_text("[[1, 2], [3, 4], [5, 6]]", "--W")
    assert w.shape == (3, 2) and list(w.data) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert w.tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def test_json_value_scalar_stays_float():
    assert value_from_json(3, "x") == 3.0 and type(value_from_json(3, "x")) is float
    assert value_from_json([7], "x") == ArrayValue((1,), array("d", [7.0]))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[]", "empty"),
        ("[[]]", "empty"),
        ("[[1, 2], [3]]", "ragged"),
        ("[[1], 2]", "ragged"),
        ("[1, [2]]", "ragged"),
        ("[[[1]]]", "3-D"),
        ('[1, "a"]', "string"),
        ("[1, true]", "true is not a number"),
        ("[null]", "null is not a number"),
        ("[1, NaN]", "NaN is not a finite number"),
        ("[1, Infinity]", "Infinity is not a finite number"),
        ("[1e999]", "too large"),
        ("[1, 2", "not valid JSON"),
        ('{"a": 1}', "expected a number or a JSON array"),
    ],
)
def test_bad_array_text_is_a_usage_error_naming_the_binding(text, says):
    with pytest.raises(UsageError) as info:
        value_from_text(text, "--x")
    assert info.value.status == 2
    assert info.value.message.startswith("--x: ")
    assert says in info.value.message


@pytest.mark.parametrize("bad", [[1.0, float("nan")], [float("inf")], [1, "2"], [False], [None]])
def test_bad_decoded_json_values(bad):
    # Decoded by another reader (a batch line), not loads_strict: the checks still hold.
    with pytest.raises(UsageError, match=r"^b: "):
        value_from_json(bad, "b")


def test_nested_and_element_names_are_row_major():
    assert nested((2, 3), array("d", range(6))) == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert nested((3,), [1.0, 2.0, 3.0]) == [1.0, 2.0, 3.0]
    assert element_names("W", (2, 2)) == ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]"]
    assert element_names("x", (3,)) == ["x[0]", "x[1]", "x[2]"]
    assert element_names("c", ()) == ["c"]
    assert element_name("W", (2, 3), 4) == "W[1,1]"
    point = {"x": value_from_text("[1, 2]", "x"), "c": 1.0}
    assert flat_names(point, ["x", "c", "unused"]) == ["x[0]", "x[1]", "c", "unused"]


def test_describe_shape():
    assert describe_shape(()) == "a scalar"
    assert describe_shape((3,)) == "a vector of 3"
    assert describe_shape((2, 3)) == "a 2×3 matrix"


def test_array_value_checks_its_shape():
    with pytest.raises(ValueError):
        ArrayValue((2, 2), array("d", [1.0]))
    with pytest.raises(ValueError):
        ArrayValue((0,), array("d"))


# --- bindings: every form takes a JSON array (arguments.py) ----------------------------------


def bindings(*args: str) -> dict:
    return parse_command_line(args, COMMON).bindings


@pytest.mark.parametrize(
    "args",
    [
        ("sum(x)", "--x", "[1, 2, 3]"),
        ("sum(x)", "--x=[1, 2, 3]"),
        ("sum(x)", "--x=[1,2,3]"),
        ("sum(x)", "x=[1,2,3]"),
        ("x=[1, 2, 3]", "sum(x)"),
        ("--x", "[1, 2, 3]", "sum(x)"),
        ("sum(x)", "--at", '{"x": [1, 2, 3]}'),
        ("--", "sum(x)", "x=[1,2,3]"),
    ],
)
def test_every_binding_form_takes_a_vector(args):
    command_line = parse_command_line(args, COMMON)
    assert command_line.program == "sum(x)"
    assert command_line.bindings == {"x": vec(1, 2, 3)}


def test_at_binds_matrices_vectors_and_scalars_together(tmp_path):
    text = '{"W": [[1, 2], [3, 4]], "b": [0, 1], "c": 2}'
    inline = bindings("p", "--at", text)
    path = tmp_path / "at.json"
    path.write_text(text)
    from_file = bindings("p", "--at", str(path))
    for got in (inline, from_file):
        assert got["W"] == ArrayValue((2, 2), array("d", [1, 2, 3, 4]))
        assert got["b"] == vec(0, 1)
        assert got["c"] == 2.0 and type(got["c"]) is float


def test_scalars_bind_as_before():
    got = bindings("x*y", "--x", "-1.5", "y=2", "--z=3e2")
    assert got == {"x": -1.5, "y": 2.0, "z": 300.0}
    assert all(type(v) is float for v in got.values())


def test_a_program_with_brackets_is_not_taken_for_a_binding():
    assert parse_command_line(("y=[1, x][0]",), COMMON).program == "y=[1, x][0]"
    assert parse_command_line(("y = [1, 2]",), COMMON).program == "y = [1, 2]"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("p", "--x", "[[1, 2], [3]]"), "--x: a ragged array"),
        (("p", "--x=[]"), "--x: an empty array"),
        (("p", "x=[[[1]]]"), "x: a 3-D array"),
        (("p", "--x", '[1, "2"]'), '--x: element 1: the string "2" is not a number'),
        (("p", "--x", "[1, NaN]"), "--x: NaN is not a finite number"),
        (("p", "--x", "[1, 2"), "--x: not valid JSON"),
        (("p", "x=[1, 2"), "x: not valid JSON"),
        (("p", "--at", '{"x": [1, NaN]}'), "--at: NaN is not a finite number"),
        (("p", "--at", '{"x": [1, null]}'), "--at: x: element 1: null is not a number"),
        (("p", "--at", '{"W": [[1], [2, 3]]}'), "--at: W: a ragged array"),
        (("p", "--at", '{"W": [[[1]]]}'), "--at: W: a 3-D array"),
        (("p", "--at", '{"x": []}'), "--at: x: an empty array"),
        (("p", "--at", '{"x": "[1]"}'), '--at: x: "[1]" is not a number'),
        (("p", "--at", '{"x": true}'), "--at: x: true is not a number"),
    ],
)
def test_bad_array_bindings_are_usage_errors(args, says):
    with pytest.raises(UsageError) as info:
        parse_command_line(args, COMMON)
    assert info.value.status == 2
    assert says in info.value.message, info.value.message


# --- --data FILE.csv (stream/csvdata.py) ----------------------------------------------------


def test_data_binds_each_column_as_a_vector(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x, y\r\n1, 2\r\n3,4\r\n\r\n5e0,-6.5\r\n")
    assert read_columns(str(path)) == {"x": vec(1, 3, 5), "y": vec(2, 4, -6.5)}
    got = bindings("sum(x*y)", "--data", str(path), "--y", "[0, 0, 1]")
    assert got == {"x": vec(1, 3, 5), "y": vec(0, 0, 1)}  # a later binding wins


def test_data_quoted_cells_and_one_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('"t"\n"1"\n2\n')
    assert read_columns(str(path)) == {"t": vec(1, 2)}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("x,y\n1,2\n3,abc\n", "line 3 (data row 2), column 2 'y': 'abc' is not a number"),
        ("x,y\n1,\n", "line 2 (data row 1), column 2 'y': an empty cell is not a number"),
        ("x,y\n1,2\n3,nan\n", "column 2 'y': 'nan' is not a number"),
        ("x,y\n1,inf\n", "column 2 'y': 'inf' is not a number"),
        ("x,y\n1,1e999\n", "column 2 'y': 1e999 is too large for a double"),
        ("x,y\n1,1_0\n", "column 2 'y': '1_0' is not a number"),
        ("x,y\n1,١\n", "column 2 'y': '١' is not a number"),
        ("x,y,z\n1,2,3\n3,4\n", "line 3 (data row 2): a ragged row of 2 cells, the header has 3"),
        ("x,y\n1,2\n3,4,5\n", "line 3 (data row 2): a ragged row of 3 cells"),
        ("x,pi\n1,2\n", "line 1, column 2: 'pi' is a constant"),
        ("x,x\n1,2\n", "the name 'x' heads two columns"),
        ("x,a b\n1,2\n", "column 2: 'a b' is not a valid input name"),
        ("1,2\n3,4\n", "must be a header of input names"),
        ("x,y\n", "a header but no rows"),
        ("\n\n", "empty"),
    ],
)
def test_bad_csv_is_a_usage_error_naming_row_and_column(tmp_path, text, says):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        bindings("sum(x)", "--data", str(path))
    assert info.value.status == 2
    assert says in info.value.message, info.value.message
    assert str(path) in info.value.message


def test_data_bad_cell_far_into_a_file_names_its_line(tmp_path):
    path = tmp_path / "long.csv"
    rows = [f"{i},{i % 7}" for i in range(200_000)]
    rows[150_000] = "1,x"
    path.write_text("a,b\n" + "\n".join(rows) + "\n")
    with pytest.raises(UsageError, match=r"line 150002 \(data row 150001\), column 2 'b'"):
        read_columns(str(path))


def test_data_missing_file(tmp_path):
    with pytest.raises(UsageError, match="cannot read it"):
        bindings("sum(x)", "--data", str(tmp_path / "none.csv"))


def test_data_with_a_million_rows_costs_doubles_not_objects(tmp_path):
    np = pytest.importorskip("numpy")
    n = 1_000_000
    a = np.arange(n) % 97
    b = np.arange(n) % 13 - 6
    path = tmp_path / "big.csv"
    with open(path, "w") as handle:
        handle.write("a,b\n")
        handle.write("".join(f"{i},{j}\n" for i, j in zip(a.tolist(), b.tolist())))
    got = bindings("sum(a*b)", "--data", str(path))
    assert list(got) == ["a", "b"]
    for name, expected in (("a", a), ("b", b)):
        column = got[name]
        assert column.shape == (n,)
        assert isinstance(column.data, array) and column.data.typecode == "d"
        assert np.array_equal(np.frombuffer(column.data, dtype=float), expected)


# --- the human table: one row per element, long arrays clipped (render/tables.py) ------------


def rendered(table) -> str:
    import io

    from rich.console import Console

    console = Console(width=200, color_system=None, file=io.StringIO())
    console.print(table)
    return console.file.getvalue()


def test_element_rows_one_per_element_row_major():
    w = ArrayValue((2, 2), array("d", [1, 2, 3, 4]))
    rows = element_rows("W", w, [0.5, 0.0, 1.5, 2.0])
    assert rows == [
        ("W[0,0]", 1.0, 0.5),
        ("W[0,1]", 2.0, 0.0),
        ("W[1,0]", 3.0, 1.5),
        ("W[1,1]", 4.0, 2.0),
    ]
    assert element_rows("c", 2.0, 1.0) == [("c", 2.0, 1.0)]
    assert element_rows("u", None, [0.0, 0.0]) == [("u[0]", None, 0.0), ("u[1]", None, 0.0)]


def test_long_vectors_are_clipped_in_the_middle_and_say_so():
    n = 1000
    x = ArrayValue((n,), array("d", range(n)))
    rows = element_rows("x", x, [2.0 * k for k in range(n)], keep=3)
    assert [r[0] for r in rows[:3]] == ["x[0]", "x[1]", "x[2]"]
    assert isinstance(rows[3], Clipped)
    assert (rows[3].first, rows[3].last, rows[3].count) == ("x[3]", "x[996]", 994)
    assert [r[0] for r in rows[4:]] == ["x[997]", "x[998]", "x[999]"]
    text = rendered(gradient_table("sum(x^2)", 1.0, rows))
    assert "x[3] … x[996]" in text and "994 rows not shown" in text
    assert "--wrt" in text and "--json" in text
    assert "x[999]" in text and "1998.0" in text and "x[500]" not in text
    # Not clipped when clipping would hide a single row.
    assert len(element_rows("x", None, [0.0] * 7, keep=3)) == 7


def test_hessian_table_clips_rows_and_columns():
    names = [f"x[{k}]" for k in range(30)]
    matrix = {r: {c: float(i == j) for j, c in enumerate(names)} for i, r in enumerate(names)}
    text = rendered(hessian_table("p", 0.0, dict.fromkeys(names, 1.0), matrix, None, keep=2))
    assert "x[2] … x[27]" in text and "26 rows and columns" in text and "--wrt" in text
    assert "∂²f/∂·∂x[29]" in text and "∂²f/∂·∂x[5]" not in text
    small = rendered(hessian_table("p", 0.0, {"a": 1.0}, {"a": {"a": 2.0}}, None))
    assert "not shown" not in small


# --- through the command line: shaped gradients, Hessian element names, tables ---------------


def ok_json(done) -> dict:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return strict_json(done.stdout)


def usage_error(done, *fragments: str) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == "" and "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in done.stderr, done.stderr
    return done.stderr


@pytest.mark.parametrize(
    "forms",
    [
        ("--x", "[1, 2, 3]", "--W", "[[1, 2], [3, 4]]", "--c", "2"),
        ("--x=[1, 2, 3]", "--W=[[1,2],[3,4]]", "c=2"),
        ("x=[1,2,3]", "W=[[1, 2], [3, 4]]", "--c=2"),
        ("--at", '{"W": [[1, 2], [3, 4]], "x": [1, 2, 3], "c": 2}'),
    ],
)
def test_json_gradient_is_shaped_like_the_inputs(adcli, forms):
    # f = c*sum(x^2) + sum(W @ x[:2]) + W[1, 0]*c: closed-form partials below.
    done = adcli("eval", "c*sum(x^2) + sum(W @ x[:2]) + W[1, 0]*c", *forms, "--json")
    out = ok_json(done)
    x, w, c = [1.0, 2.0, 3.0], [[1.0, 2.0], [3.0, 4.0]], 2.0
    value = c * sum(v * v for v in x) + sum(w[i][j] * x[j] for i in range(2) for j in range(2))
    assert out["value"] == value + w[1][0] * c
    assert out["gradient"] == {
        "c": sum(v * v for v in x) + w[1][0],
        "x": [2 * c * x[0] + w[0][0] + w[1][0], 2 * c * x[1] + w[0][1] + w[1][1], 2 * c * x[2]],
        "W": [[x[0], x[1]], [x[0] + c, x[1]]],
    }
    assert list(out["gradient"]) == ["c", "x", "W"]  # order of first appearance


def test_at_file_with_arrays_and_wrt_takes_whole_names(adcli, tmp_path):
    path = tmp_path / "at.json"
    path.write_text(json.dumps({"W": [[1, 2], [3, 4]], "b": [0, 1], "x": [1, 1]}))
    out = ok_json(adcli("eval", "sum(W @ x + b)", "--at", str(path), "--json", "--wrt", "b,W"))
    assert out == {"value": 11.0, "gradient": {"b": [1.0, 1.0], "W": [[1.0, 1.0], [1.0, 1.0]]}}


def test_unused_bound_array_gets_zeros_of_its_shape_and_a_warning(adcli):
    done = adcli("eval", "x*2", "--x", "3", "--z", "[[1, 2]]", "--json")
    assert ok_json(done)["gradient"] == {"x": 2.0, "z": [[0.0, 0.0]]}
    assert "warning: 'z' is bound but the program does not use it" in done.stderr


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--x", "[[1, 2], [3]]"), ("--x", "ragged")),
        (("--x", "[]"), ("--x", "empty")),
        (("--x", "[[[1]]]"), ("--x", "3-D")),
        (("--x", '[1, "a"]'), ("--x", "string")),
        (("x=[1, true]",), ("x: element 1: true is not a number",)),
        (("--at", '{"x": [1, NaN]}'), ("NaN is not a finite number",)),
        (("--at", '{"x": [1, Infinity]}'), ("Infinity is not a finite number",)),
        (("--at", '{"x": [[1, 2], [3]]}'), ("--at: x: a ragged array",)),
        (("--at", '{"x": [[[1]]]}'), ("--at: x: a 3-D array",)),
        (("--at", '{"x": []}'), ("--at: x: an empty array",)),
    ],
)
def test_bad_array_bindings_through_the_cli(adcli, args, fragments):
    usage_error(adcli("eval", "sum(x)", *args, "--json"), *fragments)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("x,y\n1,2\n3,abc\n", ("line 3 (data row 2), column 2 'y'", "'abc' is not a number")),
        ("x,y\n1,2\n3\n", ("line 3 (data row 2)", "ragged row", "column 2 'y' is missing")),
    ],
)
def test_bad_csv_through_the_cli(adcli, tmp_path, text, fragments):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    usage_error(adcli("eval", "sum(x*y)", "--data", str(path), "--json"), *fragments)


def test_data_binds_columns_through_the_cli(adcli, tmp_path):
    # Least squares over a data set: f = sum((w*x + b - y)^2), closed-form partials.
    rows = [(0.0, 1.0), (1.0, 2.5), (2.0, 5.5), (3.0, 6.0)]
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "".join(f"{x},{y}\n" for x, y in rows))
    w, b = 1.5, 0.5
    out = ok_json(
        adcli("eval", "sum((w*x + b - y)^2)", "--data", str(path), f"--w={w}", f"b={b}", "--json")
    )
    r = [w * x + b - y for x, y in rows]
    assert out["value"] == pytest.approx(sum(e * e for e in r), rel=1e-15)
    assert out["gradient"]["w"] == pytest.approx(sum(2 * e * x for e, (x, _) in zip(r, rows)))
    assert out["gradient"]["b"] == pytest.approx(sum(2 * e for e in r))
    assert out["gradient"]["x"] == pytest.approx([2 * e * w for e in r])
    assert out["gradient"]["y"] == pytest.approx([-2 * e for e in r])


def test_hessian_json_flattens_arrays_into_element_names(adcli):
    done = adcli(
        "hessian",
        "sum(x^2)*c + W[1, 0]*x[0]",
        "--x",
        "[1, 2]",
        "--c",
        "3",
        "--W",
        "[[5, 6], [7, 8]]",
        "--json",
    )
    out = ok_json(done)
    names = ["x[0]", "x[1]", "c", "W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]"]
    assert list(out["hessian"]) == names
    assert all(list(row) == names for row in out["hessian"].values())
    assert out["gradient"] == {
        "x": [2 * 1 * 3 + 7.0, 2 * 2 * 3.0],
        "c": 5.0,
        "W": [[0.0, 0.0], [1.0, 0.0]],
    }
    h = out["hessian"]
    assert h["x[0]"]["x[0]"] == 6.0 and h["x[1]"]["x[1]"] == 6.0 and h["x[0]"]["x[1]"] == 0.0
    assert h["x[0]"]["c"] == h["c"]["x[0]"] == 2.0 and h["x[1]"]["c"] == 4.0
    assert h["x[0]"]["W[1,0]"] == h["W[1,0]"]["x[0]"] == 1.0
    assert h["W[0,0]"] == dict.fromkeys(names, 0.0)
    wrt = ok_json(
        adcli("hessian", "sum(x^2)*c", "--x", "[1, 2]", "--c", "3", "--wrt", "x", "--json")
    )
    assert wrt["hessian"] == {
        "x[0]": {"x[0]": 6.0, "x[1]": 0.0},
        "x[1]": {"x[0]": 0.0, "x[1]": 6.0},
    }
    assert wrt["gradient"] == {"x": [6.0, 12.0]}


def test_table_has_a_row_per_element_and_clips_long_vectors(adcli):
    done = adcli("eval", "sum(W @ x)", "--W", "[[1, 2], [3, 4]]", "--x", "[5, 6]")
    assert done.returncode == 0, done.stderr
    for row in ("W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "x[0]", "x[1]"):
        assert row in done.stdout
    long = adcli("eval", "sum(x^2)", "--x", json.dumps(list(range(500))))
    assert long.returncode == 0, long.stderr
    assert "x[0]" in long.stdout and "x[499]" in long.stdout and "998.0" in long.stdout
    assert "x[250]" not in long.stdout
    assert "rows not shown" in long.stdout and "--wrt" in long.stdout
    assert max(map(len, long.stdout.splitlines())) <= 100  # COLUMNS=100 in run_adcli


def test_wrt_takes_whole_names_not_elements(adcli):
    usage_error(
        adcli("eval", "sum(x)", "--x", "[1, 2]", "--wrt", "x[0]", "--json"),
        "--wrt: expected whole input names",
    )


def test_forward_mode_gives_the_same_shaped_gradient(adcli):
    args = ("eval", "sum(W @ x)", "--W", "[[1, 2], [3, 4]]", "--x", "[5, 6]", "--json")
    reverse = ok_json(adcli(*args))
    assert ok_json(adcli(*args, "--mode", "forward")) == reverse
    assert reverse["gradient"] == {"W": [[5.0, 6.0], [5.0, 6.0]], "x": [4.0, 6.0]}


@pytest.mark.parametrize("token", ["1e999", "-1e999", "1" * 400, "1" * 5000])
def test_numbers_too_large_for_a_double_are_named_in_arrays_and_scalars(token):
    for text in (f"[1, {token}]", f"[[1], [{token}]]"):
        with pytest.raises(UsageError, match="too large for a double"):
            value_from_text(text, "--x")
    with pytest.raises(UsageError, match=r"^--at: the number .* is too large for a double"):
        bindings("p", "--at", f'{{"x": {token}}}')


def test_data_with_a_byte_order_mark_and_a_non_utf8_file(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfx,y\r\n1,2\r\n")
    assert read_columns(str(path)) == {"x": vec(1), "y": vec(2)}
    path.write_bytes(b"x,y\n1,\xff\n")
    with pytest.raises(UsageError, match="not UTF-8"):
        read_columns(str(path))


# --- check's gradient and jvp's direction: shaped like the inputs (contract "Arrays and data") ---


def test_check_json_gradient_is_shaped_like_eval_and_its_batch_lines_too():
    args = ("sum(W @ x) + y", "--W", "[[1, 2], [3, 4]]", "--y", "3", "--json")
    check = strict_json(run_adcli("check", *args, "--x", "[1, 2]").stdout)
    gradient = strict_json(run_adcli("eval", *args, "--x", "[1, 2]").stdout)["gradient"]
    assert (
        check["gradient"] == gradient == {"W": [[1.0, 2.0], [1.0, 2.0]], "x": [4.0, 6.0], "y": 1.0}
    )
    assert list(check["check"]) == ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "x[0]", "x[1]", "y"]
    lines = '{"x": [1, 2]}\n{"x": [3, 4]}\n'
    done = run_adcli("check", *args, "--batch", "-", input=lines)
    reports = [strict_json(text) for text in done.stdout.splitlines()]
    assert done.returncode == 0 and [r["gradient"]["x"] for r in reports] == [[4.0, 6.0]] * 2
    assert reports[0]["gradient"] == gradient and "x[0]" in reports[1]["check"]


def test_jvp_direction_shape_messages_describe_shapes_as_every_other_message():
    from adcli.commands.jvp import element_direction

    with pytest.raises(UsageError, match="must be a vector of 2, like x; got a vector of 3"):
        element_direction({"x": vec(1.0, 0.0, 1.0)}, {"x": (2,)})
    with pytest.raises(UsageError, match="must be a vector of 2, like x; got a scalar"):
        element_direction({"x": 1.0}, {"x": (2,)})
    with pytest.raises(UsageError, match="must be a scalar, like y; got a vector of 2"):
        element_direction({"y": vec(1.0, 2.0)}, {})
