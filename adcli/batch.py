"""Batch mode (``adcli eval --batch``): one compiled program replayed over a stream of points.

Owns the stream — JSON Lines or CSV in, JSON Lines or CSV out, one output line per input line
in the same order, written and flushed a chunk at a time, never the whole input in memory — and
the replay of the tape over a chunk of points with numpy arrays: a forward sweep (values and
g_weights, by the table's ``vfn`` and partial rules on arrays) and a reverse sweep (adjoint
arrays), a few numpy calls per node per chunk.

The float engine stays the reference.  A row whose numbers are not all finite, or that is not
plainly a set of finite numbers for the program's inputs, is re-run alone through
``Program.gradient``: that gives the row exactly the error (or the value) single ``eval`` gives.
The other rows equal ``eval``'s to the last bit: the same operations in the same order, on the
C library's functions (see ``adcli.numeric``).  numpy is imported only here, and this module only on the
batch path; without numpy every row takes the reference path (slower, same output).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import select
import stat
import sys

from .arguments import bindings_from_json, check_name, json_number, parse_number
from .engine import needed_partials
from .errors import AdcliError, LimitError, UsageError
from .graph import Program
from .numeric import rules_namespace, vector_fn
from .output import warn
from .primitives import BY_CODE, FIRST_PRIMITIVE, INPUT, OPERATORS

CHUNK_ROWS = 4096  # points per replay: large enough to amortise numpy's per-call cost
CHUNK_BYTES = 64 * 1024 * 1024  # arrays of one chunk (values, g_weights, adjoints) stay below this
MIN_ROWS = 64  # a tape so large that fewer rows fit is replayed point by point instead
BLOCK = 1 << 16  # bytes per read
TOO_LONG = object()  # stands for a line over --max-size (its bytes were dropped unread)

# g_weights of these are finite wherever the row's values are (constants, an argument's value,
# or 1/y with y != 0), so a zero adjoint times them is already 0 and needs no mask.
_FINITE_WEIGHTS = frozenset(OPERATORS[k] for k in ("add", "sub", "mul", "div", "neg"))
_NUMBERS = frozenset((float, int))
# Batch results should equal eval's to the last bit, and eval calls the C library (libm) through
# ``math``.  numpy's AVX-512 loops (SVML) differ from libm in the last bits for exp, log, sinh,
# cbrt, asin, ... (up to half of all points, 1-3 ulps, measured by bench/batch.py); without them
# numpy's float64 loops call libm.  So batch turns them off for its own process (unless the user
# chose otherwise); ``adcli.numeric`` replaces the few ufuncs that are not libm's even then.
_NO_SVML = "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR X86_V4"


def run_batch(program: Program, line) -> int:
    """Evaluate ``program`` at every point of ``line.batch``; 1 if any line failed, else 0."""
    source = line.batch
    fmt = line.input_format or ("csv" if source.lower().endswith(".csv") else "jsonl")
    names = _reported(program, line)
    batch = Batch(program, line.bindings, names, bool(line.options.get("wrt")), line.quiet)
    batch.limit = line.max_size  # bytes per line, as for a program
    writer = CsvWriter(names) if line.output == "csv" else JsonlWriter(names)
    records = CsvRecords(batch) if fmt == "csv" else JsonRecords(batch)
    out = sys.stdout
    header = writer.header()
    with LineReader.open(source, line.max_size) as reader:
        while True:
            lines = reader.take(batch.rows)
            if not lines:
                break
            first = records.lineno + 1 + (records.lineno == 0 and fmt == "csv")
            results = batch.evaluate(records.parse(lines), first, lines if fmt == "jsonl" else None)
            out.write(header + writer.lines(results))
            out.flush()
            header = ""
    if header:  # an empty batch: a CSV output still gets its header
        out.write(header)
        out.flush()
    return batch.report()


def _reported(program: Program, line) -> list[str]:
    from .commands import point, reported_names

    point(program, line)  # warns about command-line bindings the program does not use
    return reported_names(program, line)


class LineReader:
    """Lines of a file or of stdin, as bytes without their newline, read a block at a time.

    ``take(n)`` waits for the first line, then takes only lines that are ready: from a pipe or a
    terminal, what ``select`` says can be read without waiting (so an interactive producer gets
    each answer as soon as its line is in); from a regular file, up to ``n``.  A line longer than
    ``limit`` bytes becomes ``TOO_LONG`` and its bytes are dropped as they arrive.
    """

    def __init__(self, name: str, read, fd: int | None, limit: int) -> None:
        self.name = name
        self.read = read  # bytes -> at most BLOCK bytes, b"" at the end
        self.fd = fd  # polled with select when it is a pipe or a terminal; None: never polled
        self.limit = limit
        self.pending: list = []  # complete lines not taken yet
        self.partial: list[bytes] = []  # pieces of the line being read
        self.partial_size = 0
        self.skipping = False  # inside a line over the limit
        self.eof = False
        self.close = lambda: None

    @classmethod
    def open(cls, source: str, limit: int) -> LineReader:
        """A reader of the file ``source``, or of stdin for '-' (a file object without a file
        descriptor, as in tests, is read without polling)."""
        if source != "-":
            try:
                fd = os.open(source, os.O_RDONLY)
            except OSError as exc:
                raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
            reader = cls(source, lambda: os.read(fd, BLOCK), _pollable(fd), limit)
            reader.close = lambda: os.close(fd)
            return reader
        try:
            fd = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            stream = getattr(sys.stdin, "buffer", sys.stdin)
            read = getattr(stream, "read1", stream.read)
            return cls("stdin", lambda: read(BLOCK), None, limit)
        return cls("stdin", lambda: os.read(fd, BLOCK), _pollable(fd), limit)

    def __enter__(self) -> LineReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def take(self, n: int) -> list:
        """Up to ``n`` lines; an empty list at the end of the input."""
        out: list = []
        while len(out) < n:
            if self.pending:
                room = n - len(out)
                out += self.pending[:room]
                del self.pending[:room]
                continue
            if self.eof or (out and not self._ready()):
                break
            self._fill()
        return out

    def _ready(self) -> bool:
        if self.fd is None:
            return True
        return bool(select.select([self.fd], [], [], 0)[0])

    def _fill(self) -> None:
        try:
            data = self.read()
        except OSError as exc:
            raise UsageError(f"cannot read {self.name}: {exc.strerror or exc}") from None
        if not data:
            self.eof = True
            if self.partial or self.skipping:  # a last line without a newline is a line
                self._end_line(b"")
            return
        pieces = data.split(b"\n")
        last = pieces.pop()
        if pieces:
            self._end_line(pieces[0])  # it ends the line begun in earlier blocks
            complete = pieces[1:]
            if self.limit < BLOCK:  # only then can a line within one block be over the limit
                complete = [p if len(p) <= self.limit else TOO_LONG for p in complete]
            self.pending += complete
        self._extend(last)

    def _end_line(self, piece: bytes) -> None:
        if self.skipping:
            self.pending.append(TOO_LONG)
            self.skipping = False
            return
        if self.partial:
            piece = b"".join((*self.partial, piece))
            self.partial.clear()
            self.partial_size = 0
        self.pending.append(piece if len(piece) <= self.limit else TOO_LONG)

    def _extend(self, piece: bytes) -> None:
        if self.skipping or not piece:
            return
        self.partial.append(piece)
        self.partial_size += len(piece)
        if self.partial_size > self.limit:
            self.partial.clear()
            self.partial_size = 0
            self.skipping = True


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
        out[name] = json_number(value, f"{what}: {name}")
    return out


def _refuse_constant(token: str) -> float:
    raise ValueError(f"{token} is not a finite number")  # NaN, Infinity: the slow path says so


class JsonRecords:
    """JSON Lines → one entry per line: a plain ``dict`` when the line is plainly an object of
    numbers for the program's inputs (the fast path), else its ``Checked`` bindings or the
    ``AdcliError`` that stands for it."""

    def __init__(self, batch: Batch) -> None:
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
            return Checked(bindings_from_json(_decode(n, raw), f"line {n}"))
        except AdcliError as exc:
            return exc


class CsvRecords:
    """CSV → one entry per data line (``Checked`` bindings or an ``AdcliError``): the first line
    is a header of input names; an empty cell leaves its name to the command line's default."""

    def __init__(self, batch: Batch) -> None:
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


class Special:
    """An output line off the fast path: an error, or numbers with extra (unused) names."""

    __slots__ = ("error", "extra", "gradient", "value")

    def __init__(self, value=None, gradient=None, error: AdcliError | None = None, extra=()):
        self.value = value
        self.gradient = gradient  # list of partials, in the reported names' order
        self.error = error
        self.extra = extra  # names this line bound that the program does not use (partial 0.0)


class Results:
    """A chunk's results as columns (value, then one list per reported partial) plus the rows
    that are ``Special``, by position."""

    __slots__ = ("partials", "special", "values")

    def __init__(self, values: list, partials: list[list], special: dict[int, Special]) -> None:
        self.values = values
        self.partials = partials
        self.special = special


class Batch:
    """The program compiled for replay, the defaults, and the count of lines that failed."""

    def __init__(
        self, program: Program, defaults: dict[str, float], names: list[str], wrt: bool, quiet: bool
    ) -> None:
        self.program = program
        self.defaults = defaults
        self.names = names  # reported partials
        self.wrt = wrt
        self.quiet = quiet
        self.inputs = frozenset(program.inputs)
        self.limit = 0  # bytes a line may have (--max-size)
        self.failed = 0
        self.total = 0
        self.first_failure: tuple[int, str] | None = None
        self.warned: set[str] = set(defaults)  # command-line names were warned about already
        self.replay = Replay.compile(program)
        self.rows = self.replay.rows if self.replay else CHUNK_ROWS

    def unused(self, name: str, lineno: int) -> None:
        """Warn once per name a line binds that the program does not use."""
        if name not in self.inputs and name not in self.warned:
            self.warned.add(name)
            warn(
                f"'{name}' (first on line {lineno}) is bound but the program does not use it "
                "(its partial is 0.0)",
                self.quiet,
            )

    def evaluate(self, entries: list, first: int, lines: list | None = None) -> Results:
        """Results of a chunk of entries (``first`` is the line number of the first); ``lines``
        are their raw JSON lines, re-read for eval's message when a plain line fails."""
        n = len(entries)
        good = [j for j, e in enumerate(entries) if not isinstance(e, AdcliError)]
        if self.replay is not None and good:
            values, partials, bad = self._replay([entries[j] for j in good], n, good)
        else:
            values, partials, bad = [0.0] * n, [[0.0] * n for _ in self.names], good
        special = {}
        for j, e in enumerate(entries):
            if isinstance(e, AdcliError):
                special[j] = Special(error=e)
        for j in bad:
            special[j] = self._reference(entries[j], first + j, lines[j] if lines else None)
        for j in good:
            e = entries[j]
            if type(e) is Checked:
                extra = self._extra(e, first + j)
                if extra:
                    s = special.get(j) or Special(values[j], [c[j] for c in partials])
                    if s.error is None:
                        s.extra = extra
                        special[j] = s
        for j in sorted(special):
            if special[j].error is not None:
                self._failed(first + j, special[j].error)
        self.total += n
        return Results(values, partials, special)

    def _extra(self, bindings: Checked, lineno: int) -> tuple[str, ...]:
        extra = tuple(name for name in bindings if name not in self.inputs)
        for name in extra:
            self.unused(name, lineno)
        if self.wrt:
            return ()
        return tuple(name for name in extra if name not in self.names)

    def _replay(self, rows: list, n: int, positions: list[int]):
        """Values and reported partials by the array replay, spread over ``n`` positions, and
        the positions whose numbers were not all finite (for the reference path)."""
        replay = self.replay
        columns = []
        for name in self.program.inputs:
            default = self.defaults.get(name)  # None: unbound → nan → the reference path explains
            columns.append(replay.column([r.get(name, default) for r in rows]))
        value, partials, bad = replay.run(columns, len(rows))
        by_input = dict(zip(self.program.inputs, partials))
        if len(rows) == n:
            spread = lambda array: array.tolist()
        else:  # errors in between: numbers at the good positions (the rest are overwritten)
            spread = lambda array: _spread(array.tolist(), positions, n)
        values = spread(value)
        out = [spread(by_input[name]) if name in by_input else [0.0] * n for name in self.names]
        return values, out, [positions[k] for k in bad.tolist()]

    def _reference(self, bindings, lineno: int, raw: bytes | None = None) -> Special:
        """A row through the float engine, alone: eval's numbers or eval's error."""
        try:
            if type(bindings) is not Checked:  # a plain line: now checked as --at checks
                what = f"line {lineno}"
                if raw is not None:
                    bindings = bindings_from_json(raw.decode(), what)
                else:
                    bindings = checked_bindings(bindings, what)
            result = self.program.gradient({**self.defaults, **bindings})
        except AdcliError as exc:
            return Special(error=exc)
        return Special(result.value, [result.gradient.get(n, 0.0) for n in self.names])

    def _failed(self, lineno: int, error: AdcliError) -> None:
        self.failed += 1
        if self.first_failure is None:
            self.first_failure = (lineno, error.message)

    def report(self) -> int:
        """The exit status, after a note on stderr if any line failed."""
        if not self.failed:
            return 0
        lineno, message = self.first_failure
        if not message.startswith(f"line {lineno}:"):
            message = f"line {lineno}: {message}"
        warn(f"{self.failed:,} of {self.total:,} lines failed; the first: {message}", self.quiet)
        return 1


def _spread(values: list, positions: list[int], n: int) -> list:
    out = [0.0] * n
    for k, j in enumerate(positions):
        out[j] = values[k]
    return out


class Replay:
    """The tape as steps over numpy arrays: forward fills values and g_weights for a chunk of
    points at once, backward fills adjoint arrays in one reverse loop.

    Nodes that do not depend on any input (constants and constant subexpressions) are computed
    once, with the float functions — the very numbers ``eval`` uses.  Only the active nodes are
    replayed; activity comes from the engine's ``needed_partials``.
    """

    def __init__(self, program: Program, np, numpy_ns) -> None:
        self.np = np
        self.F = numpy_ns
        tape = program.tape
        self.output = program.output
        self.size = len(tape)
        self.inputs = list(program.inputs.values())
        need = needed_partials(tape)
        self.template: list = list(tape.const)  # inactive values; the active ones per chunk
        self.broken = False  # a constant subexpression fails: every row gets eval's error
        self.steps = []
        active = 0
        for i, (k, a, b, m) in enumerate(zip(tape.op, tape.arg0, tape.arg1, need)):
            if k < FIRST_PRIMITIVE:
                active += k == INPUT
                continue
            p = BY_CODE[k]
            if m == 0:
                self._fold(p, i, a, b)
                continue
            active += 1
            rules = p.partials
            self.steps.append((i, vector_fn(np, p), rules[0], rules[-1], a, b, m, k))
        # values, g_weights and adjoints: about four arrays of 8-byte numbers per active node
        fit = CHUNK_BYTES // (32 * max(active, 1))
        self.rows = min(CHUNK_ROWS, fit)

    @classmethod
    def compile(cls, program: Program) -> Replay | None:
        """The replay, or None when numpy is missing or the tape is too large to pay off."""
        os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", _NO_SVML)
        try:
            import numpy as np
        except (ImportError, RuntimeError):  # RuntimeError: a build whose baseline is AVX-512
            return None
        # The rules run on the same array functions as the values (F.pow is float_power too).
        rules = rules_namespace(np)
        replay = cls(program, np, rules)
        if replay.broken or replay.rows < MIN_ROWS:
            return None
        return replay

    def _fold(self, p, i: int, a: int, b: int) -> None:
        values = self.template
        args = (values[a],) if b < 0 else (values[a], values[b])
        try:
            v = p.fn(*args)
        except (ArithmeticError, ValueError, TypeError):
            self.broken = True
            return
        if not math.isfinite(v):
            self.broken = True
        values[i] = v

    def column(self, values: list):
        """Input numbers as an array: an unbound (None) or unusable entry becomes nan."""
        np = self.np
        try:
            return np.array(values, dtype=float)
        except (OverflowError, TypeError, ValueError):
            return np.array([_number_or_nan(v) for v in values], dtype=float)

    def run(self, columns: list, n: int):
        """Value, partials (one array per input, in order) and the indices of the rows whose
        numbers are not all finite, at ``n`` points."""
        np = self.np
        with np.errstate(all="ignore"):
            values = list(self.template)
            total = 0.0
            for node, column in zip(self.inputs, columns):
                values[node] = column
                total = total + column
            g0: dict[int, object] = {}
            g1: dict[int, object] = {}
            F = self.F
            for i, f, rule0, rule1, a, b, m, _ in self.steps:
                x = values[a]
                if b < 0:
                    v = values[i] = f(x)
                    g0[i] = rule0(F, x, v)
                else:
                    y = values[b]
                    v = values[i] = f(x, y)
                    if m & 1:
                        g0[i] = rule0(F, x, y, v)
                    if m & 2:
                        g1[i] = rule1(F, x, y, v)
                total = total + v
            value = np.broadcast_to(values[self.output], (n,))
            del values
            adjoint = self._backward(g0, g1)
            partials = []
            for node in self.inputs:
                g = adjoint[node]
                g = np.zeros(n) if g is None else np.broadcast_to(g, (n,))
                partials.append(g)
                total = total + g
            bad = np.flatnonzero(~np.isfinite(np.broadcast_to(total, (n,))))
        return value, partials, bad

    def _backward(self, g0: dict, g1: dict) -> list:
        """Adjoint arrays (None for zero), accumulated in the float engine's order."""
        adjoint: list = [None] * self.size
        adjoint[self.output] = 1.0
        output = self.output
        for i, _, _, _, a, b, m, k in reversed(self.steps):
            if i > output:
                continue
            g = adjoint[i]
            if g is None:
                continue
            finite = k in _FINITE_WEIGHTS
            if m & 1:
                self._accumulate(adjoint, a, g, g0.pop(i), finite)
            if m & 2:
                self._accumulate(adjoint, b, g, g1.pop(i), finite)
        return adjoint

    def _accumulate(self, adjoint: list, a: int, g, w, finite: bool) -> None:
        np = self.np
        if type(w) is float:
            if w == 1.0:
                c = g
            elif math.isfinite(w):
                c = g * w
            else:
                c = np.where(g == 0.0, 0.0, g * w)
        elif finite:
            c = g * w
        else:
            # A zero adjoint contributes nothing, even through an infinite g_weight (sqrt at 0
            # on an untaken branch): 0·∞ would be NaN, the float engine skips it.
            c = np.where(g == 0.0, 0.0, g * w)
        prior = adjoint[a]
        # 0.0 + c, as the float engine's zero-initialised sums: -0.0 becomes 0.0 the same way.
        adjoint[a] = 0.0 + c if prior is None else prior + c


def _pollable(fd: int) -> int | None:
    """``fd`` if reading it can wait (a pipe, a terminal, a socket); None for a regular file."""
    return None if stat.S_ISREG(os.fstat(fd).st_mode) else fd


def _number_or_nan(value) -> float:
    if type(value) in _NUMBERS:
        try:
            return float(value)
        except OverflowError:
            pass
    return math.nan


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
            elif s.extra:
                gradient = dict(zip(self.names, s.gradient))
                gradient.update((n, 0.0) for n in s.extra)
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
