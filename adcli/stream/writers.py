"""Batch results out: a chunk's ``Results`` (columns of numbers plus the ``Special`` rows:
errors, extra names) written as JSON Lines or CSV text (here) or Parquet (``parquet``), to
stdout or to a file, a chunk at a time."""

from __future__ import annotations

import csv
import io
import json
import sys

from ..errors import AdcliError, UsageError


class Special:
    """An output line off the fast path: an error, or numbers with extra (unused) names."""

    __slots__ = ("error", "extra", "gradient", "shaped", "value")

    def __init__(
        self, value=None, gradient=None, error: AdcliError | None = None, extra=(), shaped=None
    ):
        self.value = value
        self.gradient = gradient  # list of partials, in the reported names' order
        self.error = error
        self.extra = extra  # names this line bound that the program does not use (partial 0.0)
        self.shaped = shaped  # {name: partial}, an array input's as nested lists (JSON only)


class Results:
    """A chunk's results as columns (value, then one list per reported partial) plus the rows
    that are ``Special``, by position."""

    __slots__ = ("partials", "special", "values")

    def __init__(self, values: list, partials: list[list], special: dict[int, Special]) -> None:
        self.values = values  # a list, or a numpy array (columnar input)
        self.partials = partials
        self.special = special

    def as_lists(self) -> Results:
        """The same results with plain lists of floats (what the text writers format)."""
        if type(self.values) is list:
            return self
        return Results(self.values.tolist(), [p.tolist() for p in self.partials], self.special)


class TextSink:
    """A text writer (JSON Lines, CSV) on stdout or a file: header first, flushed per chunk."""

    def __init__(self, writer, path: str | None = None, stdout=None) -> None:
        self.writer = writer
        self.pending = writer.header()
        if path is None:
            stdout = sys.stdout if stdout is None else stdout
            self.stream, self.close_stream = stdout, lambda: None
        else:
            try:
                self.stream = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
            self.close_stream = self.stream.close

    def write(self, results: Results) -> None:
        self.stream.write(self.pending + self.writer.lines(results.as_lists()))
        self.stream.flush()
        self.pending = ""

    def close(self) -> None:
        if self.pending:  # an empty batch: a CSV output still gets its header
            self.stream.write(self.pending)
            self.stream.flush()
        self.close_stream()


def open_sink(output: str | None, names: list[str], path: str | None = None, stdout=None):
    """Where results go: ``output`` is jsonl (default), csv or parquet; ``path`` a file (``stdout``,
    default the process's, when None; Parquet needs a file)."""
    if output == "parquet":
        if path is None:
            raise UsageError("--output parquet writes a file: add --out FILE.parquet")
        from .parquet import ParquetSink

        return ParquetSink(path, names)
    return TextSink(CsvWriter(names) if output == "csv" else JsonlWriter(names), path, stdout)


class JsonlWriter:
    """Results as JSON Lines: eval's ``--json`` object per line, or ``{"error": {...}}``."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        fields = ", ".join(f"{json.dumps(n)}: %r" for n in names)
        self.template = '{"value": %r, "gradient": {' + fields + "}}\n"

    def header(self) -> str:
        return ""

    def lines(self, results: Results) -> str:
        template = self.template
        out = [template % row for row in zip(results.values, *results.partials)]
        for j, s in results.special.items():
            if s.error is not None:
                out[j] = json.dumps({"error": s.error.as_json()}) + "\n"
            elif s.extra or s.shaped is not None:
                gradient = s.shaped or dict(zip(self.names, s.gradient))
                gradient.update((n, 0.0) for n in s.extra if n not in gradient)
                out[j] = json.dumps({"value": s.value, "gradient": gradient}) + "\n"
            else:
                out[j] = template % (s.value, *s.gradient)
        return "".join(out)


class CsvWriter:
    """Results as CSV: ``value,d_x,d_y,error``; a failed row has empty numbers and its error as
    ``kind: message``."""

    def __init__(self, names: list[str]) -> None:
        self.names = names

    def header(self) -> str:
        return self._format([["value", *(f"d_{n}" for n in self.names), "error"]])

    def lines(self, results: Results) -> str:
        rows = [[*map(repr, row), ""] for row in zip(results.values, *results.partials)]
        blank = [""] * (len(self.names) + 1)
        for j, s in results.special.items():
            if s.error is not None:
                rows[j] = [*blank, f"{s.error.kind}: {s.error.message}"]
            else:
                rows[j] = [repr(s.value), *map(repr, s.gradient), ""]
        return self._format(rows)

    @staticmethod
    def _format(rows: list[list[str]]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()
