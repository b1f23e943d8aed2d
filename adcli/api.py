"""The library API behind ``import adcli``: a program compiled once, evaluated from Python.

``adcli.compile(text)`` parses the text into a ``Function`` (a ``Program`` that evaluates
itself): ``.gradient``, ``.value``, ``.hessian``, ``.jvp`` and ``.diff`` at one point, and
``.batch`` over columns of points (numpy arrays, pandas or Arrow columns), vectorised by the
same replay as ``adcli eval --batch`` — the same numbers as the CLI, bit for bit.

Layer 4: it may import every layer below but never the CLI, so its errors speak of names and
values (``adcli.BindingError: 'x': inf is not a finite number``), never of flags.  numpy is
imported only by ``.batch``; ``import adcli`` stays as cheap as the parser.
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any

from .arrays import ArrayProgram, lower
from .elements import Flat
from .engine import Gradient, hessian, symbolic_gradient, tangent_sweep
from .engine import gradient as _gradient
from .engine import value as _value
from .errors import AdcliError, UsageError
from .graph import Program
from .parse import parse
from .values import ArrayValue, direction_blocks, value_from_json

_AT = re.compile(r"\bat (\d+):(\d+)\b")


class BindingError(UsageError):
    """A value given for an input cannot be used: not a number, not finite, not an input of
    the program, or a column of the wrong shape (``kind`` "usage", ``status`` 2)."""


class Hessian:
    """Value, gradient and Hessian at a point: ``hessian[row][col]`` = ∂²f/∂row∂col."""

    __slots__ = ("gradient", "hessian", "value")

    def __init__(self, value: float, gradient: dict[str, float], hessian: dict) -> None:
        self.value = value
        self.gradient = gradient
        self.hessian = hessian

    def __repr__(self) -> str:
        return (
            f"Hessian(value={self.value!r}, gradient={self.gradient!r}, hessian={self.hessian!r})"
        )


class JVP:
    """Value and directional derivative ∇f·v at a point (``jvp``), and the full direction."""

    __slots__ = ("direction", "jvp", "value")

    def __init__(self, value: float, jvp: float, direction: dict[str, float]) -> None:
        self.value = value
        self.jvp = jvp
        self.direction = direction

    def __repr__(self) -> str:
        return f"JVP(value={self.value!r}, jvp={self.jvp!r}, direction={self.direction!r})"


class BatchResult:
    """Results over n points as numpy arrays: ``value`` (n,), ``gradient[name]`` (n,), and
    ``errors`` {row index: AdcliError} for the rows that failed (their numbers are nan)."""

    __slots__ = ("errors", "gradient", "value")

    def __init__(self, value, gradient: dict, errors: dict[int, AdcliError]) -> None:
        self.value = value
        self.gradient = gradient
        self.errors = errors

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return f"BatchResult({len(self)} points, {len(self.errors)} errors)"


class Function(Program):
    """A parsed program that evaluates itself.  ``inputs`` maps each input's name to its node,
    in order of first appearance (iterate it for the names)."""

    __slots__ = ()

    @classmethod
    def of(cls, program: Program) -> Function:
        if isinstance(program, ArrayProgram):
            return ArrayFunction(
                program.tape,
                program.output,
                program.inputs,
                program.source,
                program.bindings,
                program.arrays,
            )
        return cls(program.tape, program.output, program.inputs, program.source, program.bindings)

    def gradient(self, point: Mapping[str, Any] | None = None, **values: Any) -> Gradient:
        """Value and every partial derivative at a point, by one forward and one reverse sweep.

        >>> from adcli import compile
        >>> result = compile("x*y + sin(x)").gradient(x=0.5, y=4.2)
        >>> result.value
        2.579425538604203
        >>> result.gradient
        {'x': 5.077582561890373, 'y': 0.5}

        An array value (a list, nested lists, a numpy array) gets its partials in the same
        shape: nested lists for lists, a numpy array for a numpy array.

        >>> compile("sum(x^2) + y").gradient(x=[1, 2, 3], y=1).gradient
        {'x': [2.0, 4.0, 6.0], 'y': 1.0}
        """
        at = self._point(point, values)
        with _located():
            lowered = lower(self, at)
            result = _gradient(lowered.program, lowered.point)
        if not lowered.layout:
            return result
        shaped = _like(lowered.shaped(result.gradient, list(self.inputs)), point, values)
        return Gradient(result.value, shaped, result.sweep, result.adjoint)

    def value(self, point: Mapping[str, Any] | None = None, **values: Any) -> float:
        """The output's value at a point (a forward sweep only)."""
        at = self._point(point, values)
        with _located():
            lowered = lower(self, at)
            return _value(lowered.program, lowered.point)

    def hessian(self, point: Mapping[str, Any] | None = None, **values: Any) -> Hessian:
        """Value, gradient and every second partial derivative at a point, exactly (reverse
        over reverse on the gradient's graph).

        >>> from adcli import compile
        >>> compile("x^2 * y").hessian(x=3, y=2).hessian
        {'x': {'x': 4.0, 'y': 6.0}, 'y': {'x': 6.0, 'y': 0.0}}
        """
        at = self._point(point, values)
        with _located():
            lowered = lower(self, at)
            names = lowered.names(self.inputs)  # array inputs as their elements: x[0], x[1]
            result, matrix = hessian(lowered.program, lowered.point, names)
        shaped = lowered.shaped(result.gradient, list(self.inputs))  # as .gradient's; matrix: x[0]
        return Hessian(result.value, _like(shaped, point, values), matrix)

    def jvp(self, point: Mapping[str, Any], direction: Mapping[str, Any]) -> JVP:
        """Value and directional derivative ∇f·v at ``point`` along ``direction`` (inputs left
        out of it get 0; an array input's is an array of its shape), by one forward pass.

        >>> from adcli import compile
        >>> compile("x*y + sin(x)").jvp({"x": 0.5, "y": 4.2}, {"x": 1}).jvp
        5.077582561890373
        """
        at = self._point(point, {})
        v = self._point(direction, {}, what="direction")
        with _located():
            lowered = lower(self, at)
            # Each array as one block (its elements x[0], x[1] by name, none made here).
            flat = Flat(direction_blocks(v, lowered.layout, BindingError))
            value, derivative = tangent_sweep(lowered.program, lowered.point, flat)
        full = lowered.shaped(flat, list(self.inputs))  # arrays as nested lists, 0 if left out
        return JVP(value, derivative, _like(full, direction))

    def diff(self, wrt: str) -> str:
        """∂output/∂wrt as the text of a program adcli reads back (what ``adcli diff`` prints).

        >>> from adcli import compile
        >>> compile("x*y + sin(x)").diff("x")
        'y + cos(x)'
        """
        from .printer import program_text

        if isinstance(self, ArrayProgram):
            raise UsageError(
                "diff prints a scalar program; this one uses array syntax (take its gradient "
                "at a point with .gradient)"
            )
        if wrt not in self.inputs:
            raise BindingError(f"'{wrt}' is not an input of the program{self._listing()}")
        graph = symbolic_gradient(self)
        texts = program_text(graph.tape, {wrt: graph.gradient[wrt]}, reserved=set(self.inputs))
        return texts[wrt]

    def batch(self, columns: Mapping[str, Any], *, errors: str = "raise") -> BatchResult:
        """Value and gradient at n points given as columns, one per input: numpy arrays, lists,
        or anything with ``__array__`` (pandas Series, Arrow arrays).  Vectorised by the array
        replay; each row equals ``.gradient`` at that row, bit for bit.  Columns that are not
        inputs are ignored.  A row that fails has an error whose message starts with ``row J:``
        (0-based): ``errors="raise"`` raises the first; ``errors="nan"`` leaves nan in that
        row's numbers and the error in ``.errors``.

        >>> import numpy as np
        >>> from adcli import compile
        >>> out = compile("x*y + sin(x)").batch({"x": np.array([0.5, 1.0]), "y": [4.2, 2.0]})
        >>> out.value.tolist(), out.gradient["y"].tolist()
        ([2.579425538604203, 2.8414709848078967], [0.5, 1.0])
        """
        if errors not in ("raise", "nan"):
            raise ValueError("errors must be 'raise' or 'nan'")
        if isinstance(self, ArrayProgram):
            raise UsageError(
                "batch replays programs of scalar inputs; this one uses array syntax (call "
                ".gradient per point)"
            )
        import numpy as np

        from .stream.driver import Batch

        cols = self._columns(columns, np)
        n = len(next(iter(cols.values()))) if cols else _length(columns, np)
        driver = Batch(self, {}, list(self.inputs), wrt=False, quiet=True)
        results = driver.evaluate_columns(cols, {}, n, 0)
        value = np.array(results.values, dtype=float)
        partials = [np.array(p, dtype=float) for p in results.partials]
        failed: dict[int, AdcliError] = {}
        for j in sorted(results.special):
            s = results.special[j]
            if s.error is not None:
                failed[j] = error = _locate(s.error)
                if not error.message.startswith("row "):
                    error.message = f"row {j}: {error.message}"
                    error.args = (error.message,)
                value[j] = math.nan
                for column in partials:
                    column[j] = math.nan
            else:
                value[j] = s.value
                for column, partial in zip(partials, s.gradient):
                    column[j] = partial
        if failed and errors == "raise":
            raise next(iter(failed.values()))
        return BatchResult(value, dict(zip(self.inputs, partials)), failed)

    def batch_frame(self, frame: Any, *, prefix: str = "d_") -> Any:
        """A pandas DataFrame of ``value``, ``d_<input>`` ... and ``error`` (None, or
        ``"kind: message"``) for the rows of ``frame`` (a pandas DataFrame with a column per
        input), on the same index: what ``map_partitions`` (Dask), ``mapInPandas`` (Spark) or
        ``map_batches`` (Ray) call per partition."""
        import pandas as pd

        out = self.batch({name: frame[name] for name in self.inputs}, errors="nan")
        data = {"value": out.value}
        data.update((prefix + name, out.gradient[name]) for name in self.inputs)
        messages = [None] * len(out)
        for j, error in out.errors.items():  # the row is the frame's index: no "row J: "
            messages[j] = f"{error.kind}: {error.message.removeprefix(f'row {j}: ')}"
        data["error"] = pd.Series(messages, index=frame.index, dtype=object)
        return pd.DataFrame(data, index=frame.index)

    # ---- checking what the caller gave ----------------------------------------------------

    def _listing(self) -> str:
        return f" (its inputs: {', '.join(self.inputs) or 'none'})"

    def _point(
        self, point: Mapping[str, Any] | None, values: dict[str, Any], what: str = "point"
    ) -> dict[str, float | ArrayValue]:
        """The inputs' values in ``point`` and keywords as floats or ``ArrayValue``s, every
        number finite.  Other names are ignored in a point (a row may carry more than the
        program reads) and refused in a direction (a typo there would give a wrong answer)."""
        if point is not None and not isinstance(point, Mapping):
            raise BindingError(f"the {what} must be a mapping of input names to numbers")
        out = {}
        for name, v in {**(point or {}), **values}.items():
            if name in self.inputs:
                out[name] = _binding(name, v)
            elif what == "direction":
                raise BindingError(f"'{name}' is not an input of the program{self._listing()}")
        return out

    def _columns(self, columns: Mapping[str, Any], np) -> dict:
        if not isinstance(columns, Mapping) and not hasattr(columns, "columns"):
            raise BindingError("columns must be a mapping of input names to arrays")
        names = set(columns.keys()) if hasattr(columns, "keys") else set(columns.columns)
        missing = [n for n in self.inputs if n not in names]
        if missing:
            raise BindingError(
                f"no column for input {', '.join(repr(n) for n in missing)}{self._listing()}"
            )
        out, length = {}, None
        for name in self.inputs:
            try:
                array = np.asarray(columns[name], dtype=float)
            except (TypeError, ValueError) as exc:
                raise BindingError(f"column '{name}' is not numbers ({exc})") from None
            if array.ndim != 1:
                raise BindingError(f"column '{name}' has shape {array.shape}; expected (n,)")
            if length is not None and len(array) != length:
                raise BindingError(f"column '{name}' has {len(array)} values, the others {length}")
            length = len(array)
            out[name] = np.ascontiguousarray(array)
        return out


class ArrayFunction(Function, ArrayProgram):
    """A ``Function`` whose text uses array syntax: lowered onto scalars at each point's shapes."""

    __slots__ = ()


def _length(columns: Mapping[str, Any], np) -> int:  # a program without inputs: any column's
    for column in columns.values():
        return len(np.asarray(column))
    return 0


def _binding(name: str, v: Any) -> float | ArrayValue:
    """A bound value: a number, or an array (list, nested lists, numpy array, ArrayValue)."""
    if isinstance(v, ArrayValue):
        return v
    if isinstance(v, (list, tuple)):
        return value_from_json(_lists(v), f"'{name}'")
    if getattr(v, "ndim", 0):  # a numpy (or numpy-like) array
        import numpy as np

        a = np.asarray(v, dtype=float)
        if a.ndim > 2 or a.size == 0:
            raise BindingError(
                f"'{name}': an array of shape {a.shape}; inputs are vectors or matrices"
            )
        if not np.isfinite(a).all():
            raise BindingError(f"'{name}': an element is not a finite number")
        return ArrayValue(a.shape, array("d", a.ravel().tobytes()))
    return _number(name, v)


def _lists(v: Any) -> Any:
    return [_lists(item) for item in v] if isinstance(v, (list, tuple)) else v


def _like(shaped: dict, *given: Mapping[str, Any] | None) -> dict:
    """Arrays given as numpy arrays come back as numpy arrays (lists stay nested lists)."""
    np = sys.modules.get("numpy")
    if np is None:
        return shaped
    for source in given:
        for name, v in (source or {}).items():
            if isinstance(v, np.ndarray) and v.ndim and name in shaped:
                shaped[name] = np.asarray(shaped[name], dtype=float)
    return shaped


def _number(name: str, v: Any) -> float:
    if isinstance(v, (bool, str, bytes)):
        raise BindingError(f"'{name}': {v!r} is not a number")
    try:
        number = float(v)
    except (TypeError, ValueError):
        raise BindingError(f"'{name}': a {type(v).__name__} is not a number") from None
    except OverflowError:
        raise BindingError(f"'{name}': {v} is too large for a double") from None
    if not math.isfinite(number):
        raise BindingError(f"'{name}': {number!r} is not a finite number")
    return number


def _locate(error: AdcliError) -> AdcliError:
    """Give ``error.position`` (line, column) in the program's text when its message says
    where (``log at 1:5: ...``, ``syntax error at 2:3: ...``)."""
    if error.position is None:
        m = _AT.search(error.message)
        error.position = (int(m[1]), int(m[2])) if m else None
    return error


@contextmanager
def _located():
    """Errors leaving a sweep carry their position."""
    try:
        yield
    except AdcliError as exc:
        _locate(exc)
        raise


def compile(text: str) -> Function:
    """Parse a program's text into a ``Function``, ready to evaluate at any number of points.

    >>> from adcli import compile
    >>> f = compile("h = tanh(w*x + b); (h - t)^2")
    >>> list(f.inputs)
    ['w', 'x', 'b', 't']
    """
    if not isinstance(text, str):
        raise TypeError("compile() takes the program's text (a str)")
    with _located():
        return Function.of(parse(text))
