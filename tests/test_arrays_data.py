"""Array values and data (contract v0.2, issue 12 points 4-7): bindings, CSV columns,
shaped gradients, element names, tables."""

from __future__ import annotations

from array import array

import pytest

from adcli.errors import UsageError
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
