"""Gradients over a Dask DataFrame: one program, every partition replayed where it lives.

>>> import adcli, adcli.dask, dask.dataframe as dd            # doctest: +SKIP
>>> points = dd.read_parquet("points/")                          # doctest: +SKIP
>>> out = adcli.dask.gradients("x*y + sin(x)", points)           # doctest: +SKIP
>>> out.to_parquet("gradients/")                                 # doctest: +SKIP

Each partition (a pandas DataFrame with a column per input) goes through
``Function.batch_frame``: the array replay of ``adcli eval --batch``, so every row carries the
numbers the CLI prints for it, bit for bit.  The program travels to the workers as its text and
is parsed once per worker process (a parsed tape is not shipped).  The same per-partition
function serves Spark's ``mapInPandas`` and Ray Data's ``map_batches`` (see ``docs/api.md``).

Layer 4, beside ``adcli.api``; dask and pandas are imported only when a function here is called
(the ``adcli[dask]`` extra).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .api import Function, compile
from .errors import UsageError

INSTALL = "pip install 'adcli[dask]'"


@lru_cache(maxsize=64)
def _compiled(text: str) -> Function:
    return compile(text)


def partition(frame: Any, text: str, prefix: str = "d_") -> Any:
    """``value``, ``d_<input>``..., ``error`` for one pandas partition of points (what
    ``map_partitions`` calls on each worker; ``text`` is the program's source)."""
    return _compiled(text).batch_frame(frame, prefix=prefix)


def meta(program: Function | str, prefix: str = "d_") -> Any:
    """The empty pandas DataFrame that describes ``partition``'s output (Dask's ``meta``)."""
    import pandas as pd

    function = _function(program)
    columns = {"value": pd.Series(dtype=float)}
    columns.update((prefix + name, pd.Series(dtype=float)) for name in function.inputs)
    columns["error"] = pd.Series(dtype=object)
    return pd.DataFrame(columns)


def gradients(program: Function | str, frame: Any, *, prefix: str = "d_") -> Any:
    """A lazy Dask DataFrame of ``value``, ``d_<input>``... and ``error`` (None when the row is
    fine, else ``"kind: message"``), partitioned and indexed like ``frame``, whose columns name
    the program's inputs (other columns are ignored).  ``program`` is a ``Function`` or text."""
    try:
        import dask.dataframe  # noqa: F401
    except ImportError:
        raise UsageError(f"adcli.dask needs dask[dataframe]: {INSTALL}") from None
    function = _function(program)
    missing = [name for name in function.inputs if name not in frame.columns]
    if missing:
        from .api import BindingError

        raise BindingError(
            f"no column for input {', '.join(repr(n) for n in missing)} "
            f"(its inputs: {', '.join(function.inputs)})"
        )
    return frame.map_partitions(
        partition, function.source, prefix, meta=meta(function, prefix), align_dataframes=False
    )


def _function(program: Function | str) -> Function:
    if isinstance(program, str):
        return _compiled(program)
    if isinstance(program, Function):
        return program
    raise TypeError("program must be adcli.compile(...)'s result or the program's text")
