"""Bound values: a float or an ``ArrayValue`` (a vector or a matrix of doubles, row-major).

This module owns what a value IS and how one is checked: a JSON value (from ``--x '[1, 2]'``,
``--at``, a batch line) becomes ``float | ArrayValue`` or a usage error naming the binding; a
flat list of partials becomes nested lists shaped like its input (for JSON gradients); and an
array input's elements get their names (``x[0]``, ``W[1,0]``, row-major) for Hessians and tables.

Layer 0: stdlib only. Messages speak of names and values, never of flags; callers pass ``what``
(the binding as the user wrote it, e.g. ``"--at: W"``) so a message says which binding is wrong.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence

from .errors import UsageError
from .text import clip

Shape = tuple[int] | tuple[int, int]

MAX_DIMENSIONS = 2


class ArrayValue:
    """A vector (``shape == (n,)``) or a matrix (``shape == (rows, cols)``) of finite doubles,
    stored flat and row-major in ``data`` so a 10^6-element input costs 8 MB, not 10^6 objects."""

    __slots__ = ("data", "shape")

    def __init__(self, shape: Shape, data: array) -> None:
        shape = tuple(shape)
        if not 1 <= len(shape) <= MAX_DIMENSIONS or any(n < 1 for n in shape):
            raise ValueError(f"an array's shape is 1 or 2 positive sizes, not {shape}")
        if len(data) != math.prod(shape):
            raise ValueError(f"{len(data)} elements do not fill the shape {shape}")
        self.shape: Shape = shape  # type: ignore[assignment]
        self.data = data if isinstance(data, array) and data.typecode == "d" else array("d", data)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def tolist(self) -> list:
        """Nested lists of floats, as JSON writes the value."""
        return nested(self.shape, self.data)

    def element_names(self, name: str) -> list[str]:
        return element_names(name, self.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArrayValue):
            return NotImplemented
        return self.shape == other.shape and self.data == other.data

    __hash__ = None  # type: ignore[assignment]  # mutable data, like a list

    def __repr__(self) -> str:
        shown = list(self.data[:6])
        more = ", ..." if len(self.data) > 6 else ""
        return f"ArrayValue({self.shape}, [{', '.join(map(repr, shown))}{more}])"


Value = float | ArrayValue


def describe_shape(shape: tuple[int, ...]) -> str:
    """``a scalar``, ``a vector of 3``, ``a 2×3 matrix``: for messages about shapes."""
    if not shape:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]:,}"
    if len(shape) == 2:
        return f"a {shape[0]:,}×{shape[1]:,} matrix"
    return f"a {len(shape)}-D array of shape {'×'.join(map(str, shape))}"


def direction_blocks(direction: dict, layout: dict, error: type = UsageError) -> dict:
    """A direction (name → float or ``ArrayValue``) as blocks ``(shape, item)`` for
    ``adcli.elements.Flat``: each component must have its input's shape (``layout``: the array
    inputs' shapes), else ``error`` says so ("the direction for 'x' must be a vector of 2, like
    x; got a scalar"): a scalar is not spread over an array, nor an array cut to fit."""
    blocks: dict = {}
    for name, v in direction.items():
        shape = layout.get(name) or ()
        got = v.shape if isinstance(v, ArrayValue) else ()
        if got != shape:
            raise error(
                f"the direction for '{name}' must be {describe_shape(shape)}, like {name}; "
                f"got {describe_shape(got)}"
            )
        blocks[name] = (shape, v.data) if shape else ((), v)
    return blocks


def shape_of(value: Value) -> tuple[int, ...]:
    """``()`` for a scalar, else the array's shape."""
    return value.shape if isinstance(value, ArrayValue) else ()


def value_from_json(value: object, what: str) -> Value:
    """A decoded JSON value as a binding: a finite number (``float``) or a non-empty, non-ragged
    array of finite numbers at most 2-D (``ArrayValue``); anything else is a ``UsageError``
    whose message starts with ``what``."""
    if isinstance(value, list):
        return _array_from_json(value, what)
    return json_number(value, what)


def value_from_text(text: str, what: str) -> ArrayValue:
    """An array binding written as JSON text (``'[1, 2, 3]'``, ``'[[1, 2], [3, 4]]'``)."""
    data = loads_strict(text, what)
    if not isinstance(data, list):
        raise UsageError(f"{what}: expected a number or a JSON array such as [1, 2, 3]")
    return _array_from_json(data, what)


def loads_strict(text: str, what: str) -> object:
    """``json.loads`` that refuses ``NaN``/``Infinity`` and numbers too large for a double, and
    reads every number as a float (never a Python big integer)."""
    import json  # here, not at module level: eval --json never reads JSON (start-up time)

    def reject_constant(token: str) -> float:
        raise UsageError(f"{what}: {token} is not a finite number")

    def finite(token: str) -> float:
        number = float(token)  # int() of a 5,000-digit literal would raise: float() does not
        if not math.isfinite(number):
            raise UsageError(f"{what}: the number {clip(token, 40)} is too large for a double")
        return number

    try:
        # The C parser first (a Python call per number costs 1 s per 10^6); only a document
        # with a number too large for a double is read again, by the hooks, to name it.
        data = json.loads(text, parse_constant=reject_constant, parse_int=float)
        if not _all_finite(data):
            data = json.loads(
                text, parse_constant=reject_constant, parse_int=finite, parse_float=finite
            )
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{what}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise UsageError(f"{what}: JSON nested too deeply") from None
    return data


def _all_finite(data: object) -> bool:
    """No infinite float anywhere in decoded JSON (a list of floats is checked in C)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if type(item) is float:
            if not math.isfinite(item):
                return False
        elif type(item) is list:
            if set(map(type, item)) == {float}:
                if not all(map(math.isfinite, item)):
                    return False
            else:
                stack.extend(item)
        elif type(item) is dict:  # as a list: a wide object's floats are checked in C
            stack.append(list(item.values()))
    return True


def nested(shape: tuple[int, ...], flat: Sequence[float]) -> list:
    """Row-major ``flat`` as nested lists of ``shape`` (``[1.0, 2.0]`` or ``[[...], [...]]``)."""
    if len(shape) == 1:
        return list(flat)
    rows, cols = shape
    return [list(flat[r * cols : (r + 1) * cols]) for r in range(rows)]


def element_names(name: str, shape: tuple[int, ...]) -> list[str]:
    """Row-major element names: ``x[0]``, ``x[1]``, ... or ``W[0,0]``, ``W[0,1]``, ...;
    ``[name]`` for a scalar."""
    if not shape:
        return [name]
    if len(shape) == 1:
        return [f"{name}[{i}]" for i in range(shape[0])]
    rows, cols = shape
    return [f"{name}[{r},{c}]" for r in range(rows) for c in range(cols)]


def element_name(name: str, shape: tuple[int, ...], k: int) -> str:
    """The name of the ``k``-th element (row-major) of an input of ``shape``."""
    if not shape:
        return name
    if len(shape) == 1:
        return f"{name}[{k}]"
    return f"{name}[{k // shape[1]},{k % shape[1]}]"


def flat_names(point: dict[str, Value], names: Iterable[str]) -> list[str]:
    """Every element name of ``names`` in order, arrays flattened row-major (Hessian rows)."""
    out: list[str] = []
    for name in names:
        value = point.get(name)
        out.extend(element_names(name, shape_of(value)) if value is not None else [name])
    return out


def json_number(value: object, what: str, *, plain: bool = False) -> float:
    """A decoded JSON value as a finite float, or a ``UsageError`` starting with ``what``.
    ``plain`` shows a string as its JSON text alone (a scalar binding: ``"[1]" is not a number``);
    otherwise it is named (an array element: ``the string "2" is not a number``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        import json

        shown = clip(json.dumps(value), 40) if plain else _describe(value)
        raise UsageError(f"{what}: {shown} is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise UsageError(f"{what}: the number is too large for a double") from None
    if not math.isfinite(number):
        raise UsageError(f"{what}: {number} is not a finite number")
    return number


def _array_from_json(items: list, what: str) -> ArrayValue:
    if not items:
        raise UsageError(f"{what}: an empty array; an input needs at least one element")
    if isinstance(items[0], list):
        return _matrix(items, what)
    data = _row(items, what, "")
    return ArrayValue((len(data),), data)


def _matrix(rows: list, what: str) -> ArrayValue:
    cols = len(rows[0])
    data = array("d")
    for r, row in enumerate(rows):
        if not isinstance(row, list):
            raise UsageError(
                f"{what}: a ragged array (row 0 is a list, element {r} is {_describe(row)}); "
                "give a vector [1, 2] or a matrix [[1, 2], [3, 4]]"
            )
        if not row:
            raise UsageError(f"{what}: row {r} is empty; an input needs at least one element")
        if any(isinstance(item, list) for item in row):
            raise UsageError(f"{what}: a 3-D array; inputs are at most 2-D (a vector or a matrix)")
        if len(row) != cols:
            raise UsageError(
                f"{what}: a ragged array (row 0 has {cols} elements, row {r} has {len(row)}); "
                "every row needs the same length"
            )
        data.extend(_row(row, what, f"row {r}, "))
    return ArrayValue((len(rows), cols), data)


def _row(items: list, what: str, where: str) -> array:
    """One list of numbers as doubles; checks every item (bool is an int in Python: refuse it)."""
    if set(map(type, items)) == {float}:  # what loads_strict produces: the fast path, in C
        data = array("d", items)
        if all(map(math.isfinite, data)):
            return data
    for i, item in enumerate(items):
        if isinstance(item, list):
            raise UsageError(
                f"{what}: a ragged array ({where}element {i} is a list, element 0 is not); "
                "give a vector [1, 2] or a matrix [[1, 2], [3, 4]]"
            )
        json_number(item, f"{what}: {where}element {i}")
    return array("d", map(float, items))


def _describe(value: object) -> str:
    import json

    if isinstance(value, str):
        return f"the string {clip(json.dumps(value), 40)}"
    return clip(json.dumps(value), 40)
