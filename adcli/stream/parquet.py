"""Parquet in and out for ``--batch`` (the optional extra ``adcli[parquet]``: pyarrow).

In: the file is read a record batch at a time (``ParquetFile.iter_batches``), only the columns
named like the program's inputs; each becomes a float64 numpy column handed to the replay as
it is — no Python object per cell.  A null cell takes the command line's default (as an empty
CSV cell does).  Out: one record batch per chunk through ``ParquetWriter``, columns ``value``,
``d_<name>`` per reported partial (float64; null on a failed row) and ``error`` (``kind:
message``, null when the row is fine) — the CSV output's columns.  Memory stays flat in the
number of rows: a chunk at a time in, a chunk at a time out.

pyarrow is imported only here, and this module only when Parquet is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import UsageError

READ_ROWS = 1 << 16  # rows per record batch read (the replay runs them in its own chunks)
INSTALL = "pip install 'adcli[parquet]' (or pip install pyarrow)"


def pyarrow(what: str):
    """The modules ``pyarrow`` and ``pyarrow.parquet``, or a status-2 install hint."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(f"{what} needs pyarrow, which is not installed: {INSTALL}") from None
    return pa, pq


def is_parquet(path: str) -> bool:
    return path.lower().endswith((".parquet", ".pq"))


def _open(path: str):
    pa, pq = pyarrow(f"reading {path}")
    if path == "-":
        raise UsageError("Parquet is read from a file, not from stdin: --batch FILE.parquet")
    try:
        return pa, pq.ParquetFile(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except pa.ArrowException as exc:
        raise UsageError(f"{path}: not a Parquet file ({exc})") from None


def _numeric(pa, path: str, field) -> None:
    t = field.type
    if not (pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_decimal(t)):
        raise UsageError(
            f"{path}: column '{field.name}' holds {t}, not numbers (an input column must be "
            "float, integer or decimal)"
        )


def read_columns(
    path: str, inputs: list[str], defaults: dict[str, float], warn_unused, rows: int = READ_ROWS
) -> Iterator[tuple[int, dict, dict]]:
    """Chunks of the file as ``(n, columns, missing)``: ``columns`` maps each input present in
    the file to a float64 numpy array (nulls filled with the default, else nan), ``missing`` maps
    an input to the boolean mask of its null cells without a default (None when there are none).
    Inputs without a column take their default; an input with neither is a status-2 error."""
    pa, parquet = _open(path)
    import numpy as np

    schema = parquet.schema_arrow
    present = [name for name in inputs if name in schema.names]
    for name in schema.names:
        if name not in inputs:
            warn_unused(name)
    for name in present:
        _numeric(pa, path, schema.field(name))
    absent = [name for name in inputs if name not in present and name not in defaults]
    if absent:
        raise UsageError(
            f"{path} has no column {', '.join(repr(n) for n in absent)} and the command line "
            f"binds no default for it: add a column or --{absent[0]} VALUE"
        )
    if not present:  # no input columns: still one output row per input row
        for batch in parquet.iter_batches(batch_size=rows, columns=[]):
            yield batch.num_rows, {}, {}
        return
    try:
        for batch in parquet.iter_batches(batch_size=rows, columns=present):
            columns, missing = {}, {}
            for name, column in zip(present, batch.columns):
                values, valid = floats(np, column.cast(pa.float64()))
                if valid is not None:
                    default = defaults.get(name)
                    if default is None:
                        missing[name] = ~valid
                    else:
                        values = np.where(valid, values, default)
                columns[name] = values
            yield batch.num_rows, columns, missing
    except pa.ArrowException as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


# pyarrow's own conversions (Array.to_numpy, pa.array) import pandas when it is installed, which
# costs more than a whole batch of 10^5 rows: the columns go through their buffers instead.


def floats(np, column):
    """A float64 Arrow array as (numpy values, validity mask or None when no cell is null)."""
    n, offset = len(column), column.offset
    validity, data = column.buffers()
    values = np.frombuffer(data, dtype=np.float64, count=n + offset)[offset:]
    if not column.null_count:
        return values, None
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    return values, bits[offset : offset + n].astype(bool)


def float_array(pa, np, values, failed):
    """A float64 Arrow array of ``values``, null where ``failed`` (None: no nulls)."""
    data = pa.py_buffer(np.ascontiguousarray(values, dtype=np.float64))
    if failed is None:
        return pa.Array.from_buffers(pa.float64(), len(values), [None, data])
    validity = pa.py_buffer(np.packbits(~failed, bitorder="little"))
    return pa.Array.from_buffers(pa.float64(), len(values), [validity, data], int(failed.sum()))


def string_array(pa, np, texts: dict[int, str], n: int):
    """A string Arrow array of ``n`` nulls but for ``texts`` {position: text}."""
    if not texts:
        return pa.nulls(n, type=pa.string())
    positions = sorted(texts)
    encoded = [texts[j].encode() for j in positions]
    lengths = np.zeros(n, dtype=np.int32)
    lengths[positions] = [len(b) for b in encoded]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    valid = np.zeros(n, dtype=bool)
    valid[positions] = True
    buffers = [
        pa.py_buffer(np.packbits(valid, bitorder="little")),
        pa.py_buffer(offsets),
        pa.py_buffer(b"".join(encoded)),
    ]
    return pa.Array.from_buffers(pa.string(), n, buffers, n - len(positions))


def read_rows(path: str, inputs, warn_unused, rows: int = 1024) -> Iterator[list[dict]]:
    """Chunks of the file as lists of ``{column: number}`` (a null cell left out), for the
    commands that answer one point at a time."""
    pa, parquet = _open(path)
    schema = parquet.schema_arrow
    for name in schema.names:
        if name not in inputs:
            warn_unused(name)
        else:
            _numeric(pa, path, schema.field(name))
    columns = [name for name in schema.names if name in inputs]
    try:
        for batch in parquet.iter_batches(batch_size=rows, columns=columns):
            cast = [c.cast(pa.float64()).to_pylist() for c in batch.columns]
            yield (
                [{k: v for k, v in zip(columns, row) if v is not None} for row in zip(*cast)]
                if cast
                else [{}] * batch.num_rows
            )
    except pa.ArrowException as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


class ParquetSink:
    """Results as Parquet: ``value``, ``d_<name>`` ..., ``error``, one record batch per chunk."""

    def __init__(self, path: str, names: list[str]) -> None:
        pa, pq = pyarrow("--output parquet")
        self.pa = pa
        fields = [("value", pa.float64()), *((f"d_{n}", pa.float64()) for n in names)]
        self.schema = pa.schema([*fields, ("error", pa.string())])
        try:
            # Dictionary encoding pays off for the error texts only; on columns of distinct
            # doubles it is tried and dropped, and costs 8x the write.
            self.writer = pq.ParquetWriter(path, self.schema, use_dictionary=["error"])
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None

    def write(self, results) -> None:
        import numpy as np

        pa = self.pa
        value = np.array(results.values, dtype=float)
        partials = [np.array(p, dtype=float) for p in results.partials]
        errors: dict[int, str] = {}
        failed = np.zeros(len(value), dtype=bool)
        for j, s in results.special.items():
            if s.error is not None:
                failed[j] = True
                errors[j] = f"{s.error.kind}: {s.error.message}"
            else:
                value[j] = s.value
                for column, partial in zip(partials, s.gradient):
                    column[j] = partial
        mask = failed if failed.any() else None
        arrays = [float_array(pa, np, c, mask) for c in (value, *partials)]
        arrays.append(string_array(pa, np, errors, len(value)))
        self.writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


class ObjectSink:
    """The per-point commands' ``--json`` objects as Parquet: their fields flattened into columns
    named by their path (``value``, ``gradient.x``, ``hessian.x.y``, ``check.x.rel_error``, ``ok``;
    an array's elements ``gradient.x[0]``), fixed by the first answered point, and ``error``
    (``kind: message``, null when the point is fine).  A field another point lacks is null."""

    def __init__(self, path: str) -> None:
        self.pa, self.pq = pyarrow("--output parquet")
        self.path = path
        self.writer = None
        self.pending: list[dict] = []  # objects before the first answered point fixes the columns

    def write(self, objects: list[dict]) -> None:
        self.pending += objects
        if self.writer is None:
            first = next((o for o in self.pending if "error" not in o), None)
            if first is None:
                return
            self._open(flatten(first))
        rows, self.pending = self.pending, []
        self._write(rows)

    def _open(self, first: dict) -> None:
        pa = self.pa
        types = {bool: pa.bool_(), str: pa.string()}
        fields = [(k, types.get(type(v), pa.float64())) for k, v in first.items() if k != "error"]
        self.schema = pa.schema([*fields, ("error", pa.string())])
        try:
            self.writer = self.pq.ParquetWriter(self.path, self.schema)
        except OSError as exc:
            raise UsageError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def _write(self, rows: list[dict]) -> None:
        if not rows:
            return
        pa = self.pa
        flat = [flatten(o) if "error" not in o else {} for o in rows]
        errors = [
            f"{o['error']['kind']}: {o['error']['message']}" if "error" in o else None for o in rows
        ]
        columns = [
            [f.get(field.name) for f in flat] for field in self.schema if field.name != "error"
        ]
        arrays = [pa.array(c, type=f.type) for c, f in zip(columns, self.schema)]
        arrays.append(pa.array(errors, type=pa.string()))
        self.writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        if self.writer is None:  # no point answered: the columns are unknown, write ``error`` only
            pa = self.pa
            self.schema = pa.schema([("error", pa.string())])
            self.writer = self.pq.ParquetWriter(self.path, self.schema)
            rows, self.pending = self.pending, []
            self._write(rows)
        self.writer.close()


def flatten(obj: dict, prefix: str = "") -> dict:
    """Nested objects as one level, keys joined by '.'; nested lists by element: ``x[0]``,
    ``W[1,0]`` (row-major, as adcli names elements)."""
    out: dict = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            for index, item in _elements(value):
                out[f"{name}[{index}]"] = item
        else:
            out[name] = value
    return out


def _elements(items: list, index: str = ""):
    for i, item in enumerate(items):
        here = f"{index},{i}" if index else str(i)
        if isinstance(item, list):
            yield from _elements(item, here)
        else:
            yield here, item
