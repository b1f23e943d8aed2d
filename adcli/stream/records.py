"""Batch input lines as bindings: JSON Lines (a fast path for plain objects of numbers) and CSV
(a header of input names, then rows of numbers).  Each line becomes a ``dict`` of numbers, its
``Checked`` bindings, or the ``AdcliError`` that stands for it, so one bad line never stops the
stream.
"""

from __future__ import annotations

import csv
import json

from ..bindings import bindings_from_json, check_name, parse_number
from ..errors import AdcliError, LimitError, UsageError
from ..values import json_number
from .reader import TOO_LONG

_NUMBERS = frozenset((float, int))


class Checked(dict):
    """A line's bindings validated name by name; it may bind names the program does not use."""

    __slots__ = ()


def _line_error(lineno: int, raw, limit: int, expected: str) -> AdcliError | None:
    if raw is TOO_LONG:
        return LimitError(
            f"line {lineno}: over the limit of {limit:,} bytes; raise it with --max-size "
            "(for example --max-size 1G)"
        )
    if not raw.strip():
        return UsageError(f"line {lineno}: blank line (expected {expected})")
    return None


def _decode(lineno: int, raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError as exc:
        raise UsageError(f"line {lineno}: not UTF-8 text (byte {exc.start + 1})") from None


def checked_bindings(obj: object, what: str) -> Checked:
    """A parsed line's bindings, name by name, with ``--at``'s rules and messages."""
    if not isinstance(obj, dict):
        raise UsageError(f'{what}: expected a JSON object such as {{"x": 0.5}}')
    out = Checked()
    for name, value in obj.items():
        check_name(name, what)
        out[name] = json_number(value, f"{what}: {name}", plain=True)
    return out


def _refuse_constant(token: str) -> float:
    raise ValueError(f"{token} is not a finite number")  # NaN, Infinity: the slow path says so


class JsonRecords:
    """JSON Lines → one entry per line: a plain ``dict`` when the line is plainly an object of
    numbers for the program's inputs (the fast path), else its ``Checked`` bindings or the
    ``AdcliError`` that stands for it."""

    def __init__(self, batch) -> None:  # the driver's Lines (not imported: no cycle)
        self.batch = batch
        self.lineno = 0
        # The C scanner under json.loads, without its Python wrapper: the batch's hottest call.
        self.scan = json.JSONDecoder(parse_constant=_refuse_constant).scan_once

    def parse(self, lines: list) -> list:
        entries = []
        append = entries.append
        inputs, scan, numbers = self.batch.inputs, self.scan, _NUMBERS
        for raw in lines:
            self.lineno += 1
            try:
                text = raw.decode()
                obj, end = scan(text, 0)
            except Exception:
                text, end = "", -1  # not plain (or not even a line): the slow path says why
            if (
                end == len(text)
                and type(obj) is dict
                and obj.keys() <= inputs
                and set(map(type, obj.values())) <= numbers
            ):
                append(obj)
            else:
                append(self._slow(self.lineno, raw))
        return entries

    def _slow(self, n: int, raw) -> Checked | AdcliError:
        """Everything but a plain line: BOM, blanks, spaces, other names, errors."""
        if n == 1 and raw is not TOO_LONG and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte order mark before the first line
        error = _line_error(n, raw, self.batch.limit, "a JSON object of bindings")
        if error is not None:
            return error
        try:
            return Checked(bindings_from_json(_decode(n, raw), f"line {n}", arrays=True))
        except AdcliError as exc:
            return exc


class CsvRecords:
    """CSV → one entry per data line (``Checked`` bindings or an ``AdcliError``): the first line
    is a header of input names; an empty cell leaves its name to the command line's default."""

    def __init__(self, batch) -> None:  # the driver's Lines (not imported: no cycle)
        self.batch = batch
        self.lineno = 0
        self.header: list[str] = []

    def parse(self, lines: list) -> list:
        entries = []
        for raw in lines:
            self.lineno += 1
            n = self.lineno
            if n == 1:
                self._read_header(raw)
                continue
            error = _line_error(n, raw, self.batch.limit, "a row of numbers")
            if error is not None:
                entries.append(error)
                continue
            try:
                entries.append(self._cells(n, _decode(n, raw)))
            except AdcliError as exc:
                entries.append(exc)
        return entries

    def _read_header(self, raw) -> None:
        if raw is TOO_LONG:
            raise LimitError("the CSV header is over the limit of --max-size")
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        names = [c.strip() for c in _split(_decode(1, raw), 1)]
        for name in names:
            check_name(name, "CSV header")
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise UsageError(f"CSV header: '{repeated[0]}' appears twice")
        self.header = names
        for name in names:
            self.batch.unused(name, 1)

    def _cells(self, n: int, text: str) -> Checked:
        cells = _split(text, n)
        header = self.header
        if len(cells) != len(header):
            raise UsageError(
                f"line {n}: {len(cells)} fields, but the header has {len(header)} "
                f"({','.join(header)})"
            )
        return Checked(
            (name, parse_number(cell, f"line {n}: {name}"))
            for name, cell in zip(header, cells)
            if cell.strip()
        )


def _split(text: str, n: int) -> list[str]:
    try:
        rows = list(csv.reader((text.rstrip("\r"),), strict=True))
    except csv.Error as exc:
        raise UsageError(f"line {n}: not valid CSV ({exc})") from None
    if len(rows) != 1:
        raise UsageError(f"line {n}: not valid CSV")
    return rows[0]
