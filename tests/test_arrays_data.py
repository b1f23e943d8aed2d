"""Array values and data (contract v0.2, issue 12 points 4-7): bindings, CSV columns,
shaped gradients, element names, tables."""

from __future__ import annotations

from array import array

import pytest

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


# --- --data FILE.csv (stream/csvdata.py) ----------------------------------------------------


def test_data_binds_each_column_as_a_vector(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x, y\r\n1, 2\r\n3,4\r\n\r\n5e0,-6.5\r\n")
    assert read_columns(str(path)) == {"x": vec(1, 3, 5), "y": vec(2, 4, -6.5)}


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
        read_columns(str(path))
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
        read_columns(str(tmp_path / "none.csv"))


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
