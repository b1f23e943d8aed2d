"""The batch driver: a compiled program run over a stream of points, chunk by chunk.

Reads lines (``reader``), turns them into bindings (``records``), replays the tape over each
chunk with numpy (``adcli.engine.replay``), sends the rows the replay cannot vouch for through
the float engine alone (so they get exactly single ``eval``'s value or error), and writes one
output line per input line in order (``writers``), flushed a chunk at a time.  The exit status
is 1 if any line failed, with a note on stderr.

The float engine stays the reference.  A row whose numbers are not all finite, or that is not
plainly a set of finite numbers for the program's inputs, is re-run alone through
``adcli.engine.gradient``: that gives the row exactly the error (or the value) single ``eval`` gives.
The other rows equal ``eval``'s to the last bit (see ``adcli.engine.replay``).
"""

from __future__ import annotations

import math
import sys

from ..arrays import ArrayProgram, lower
from ..bindings import bindings_from_json
from ..engine import gradient
from ..engine.replay import CHUNK_ROWS, Replay, spread
from ..errors import AdcliError, ExitStatus, UsageError
from ..graph import Program
from ..values import ArrayValue
from .reader import LineReader
from .records import Checked, CsvRecords, JsonRecords, checked_bindings
from .writers import Results, Special, open_sink


def format_of(source: str, given: str | None = None) -> str:
    """jsonl, csv or parquet: as given, else from the file's suffix (jsonl by default)."""
    if given:
        return given
    low = source.lower()
    if low.endswith(".csv"):
        return "csv"
    return "parquet" if low.endswith((".parquet", ".pq")) else "jsonl"


def run_batch(
    program: Program,
    source: str,
    names: list[str],
    defaults: dict[str, float],
    *,
    max_size: int,
    input_format: str | None = None,
    output: str | None = None,
    output_file: str | None = None,
    wrt: bool = False,
    quiet: bool = False,
    env=None,
    hint=None,
) -> int:
    """Evaluate ``program`` at every point of the file ``source`` ('-': stdin), reporting the
    partials ``names``; ``defaults`` are the command line's bindings.  Results go to stdout or
    ``output_file`` as ``output`` (jsonl, csv, parquet).  1 if any line failed, else 0.
    ``env`` gives ``stdin``, ``stdout`` and ``warn(message, quiet)`` (the CLI passes its
    Environment); by default, the process's.  ``hint(error)`` may add to an error how to fix it
    (the CLI: how to bind an unbound name)."""
    env = PROCESS if env is None else env
    fmt = format_of(source, input_format)
    batch = Batch(program, defaults, names, wrt, quiet)
    batch.warn = env.warn
    batch.hint = hint or batch.hint
    batch.arrays = output in (None, "jsonl")  # array gradients fit JSON, not columns
    batch.limit = max_size  # bytes per line, as for a program
    sink = open_sink(output, names, output_file, env.stdout)
    try:
        if fmt == "parquet":
            _parquet(batch, source, sink)
        else:
            _lines(batch, source, fmt, sink, max_size, env.stdin)
    finally:
        sink.close()
    return batch.report()


def _lines(batch: Batch, source: str, fmt: str, sink, max_size: int, stdin) -> None:
    records = CsvRecords(batch) if fmt == "csv" else JsonRecords(batch)
    with LineReader.open(source, max_size, stdin) as reader:
        while True:
            lines = reader.take(batch.rows)
            if not lines:
                break
            first = records.lineno + 1 + (records.lineno == 0 and fmt == "csv")
            sink.write(
                batch.evaluate(records.parse(lines), first, lines if fmt == "jsonl" else None)
            )


def _parquet(batch: Batch, source: str, sink) -> None:
    from .parquet import read_columns

    def ignored(name: str) -> None:
        batch.warn(
            f"column '{name}' of {source} is not an input of the program; ignored", batch.quiet
        )

    batch.unit = "row"
    first = 1
    chunks = read_columns(source, list(batch.program.inputs), batch.defaults, ignored)
    for n, columns, missing in chunks:
        sink.write(batch.evaluate_columns(columns, missing, n, first))
        first += n


class ProcessStreams:
    """The process's own stdin and stdout, and warnings on its stderr: the batch drivers' ``env``
    when the caller passes none (the CLI passes its ``Environment``)."""

    @property
    def stdin(self):
        return sys.stdin

    @property
    def stdout(self):
        return sys.stdout

    def warn(self, message: str, quiet: bool = False) -> None:
        if not quiet:
            sys.stderr.write(f"adcli: warning: {message}\n")


PROCESS = ProcessStreams()


def _as_is(error: AdcliError) -> AdcliError:
    return error


class Lines:
    """What every batch counts and says: the defaults, the names a line may bind, the lines
    that failed (the first one is quoted at the end) and the names warned about once."""

    def __init__(self, inputs, defaults: dict[str, float], quiet: bool) -> None:
        self.inputs = frozenset(inputs)
        self.defaults = defaults
        self.quiet = quiet
        self.limit = 0  # bytes a line may have (--max-size)
        self.failed = 0
        self.total = 0
        self.first_failure: tuple[int, str] | None = None
        self.warned: set[str] = set(defaults)  # command-line names were warned about already
        self.unit = "line"  # what a failure names: a line of text, a row of a Parquet file
        self.warn = PROCESS.warn  # the drivers set their env's
        self.hint = _as_is  # the drivers may set the caller's (the CLI's flag hint)

    def unused(self, name: str, lineno: int) -> None:
        """Warn once per name a line binds that the program does not use."""
        if name not in self.inputs and name not in self.warned:
            self.warned.add(name)
            self.warn(
                f"'{name}' (first on line {lineno}) is bound but the program does not use it "
                "(its partial is 0.0)",
                self.quiet,
            )

    def _failed(self, lineno: int, message: str) -> None:
        self.failed += 1
        if self.first_failure is None:
            self.first_failure = (lineno, message)

    def report(self) -> int:
        """The exit status, after a note on stderr if any line failed."""
        if not self.failed:
            return 0
        lineno, message = self.first_failure
        unit = self.unit
        if not message.startswith(f"{unit} {lineno}:"):
            message = f"{unit} {lineno}: {message}"
        self.warn(
            f"{self.failed:,} of {self.total:,} {unit}s failed; the first: {message}", self.quiet
        )
        return int(ExitStatus.EVALUATION)


class Batch(Lines):
    """The program compiled for replay, the defaults, and the count of lines that failed."""

    def __init__(
        self, program: Program, defaults: dict[str, float], names: list[str], wrt: bool, quiet: bool
    ) -> None:
        super().__init__(program.inputs, defaults, quiet)
        self.program = program
        self.names = names  # reported partials
        self.wrt = wrt
        # Array syntax is lowered per point (shapes come from the bindings): no replay for it.
        self.replay = None if isinstance(program, ArrayProgram) else Replay.compile(program)
        self.rows = self.replay.rows if self.replay else CHUNK_ROWS
        self.arrays = True  # lines may bind arrays (their gradients are shaped: JSON only)

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
                self._failed(first + j, special[j].error.message)
        self.total += n
        return Results(values, partials, special)

    def evaluate_columns(self, columns: dict, missing: dict, n: int, first: int) -> Results:
        """Results of ``n`` rows given as numpy columns (``first`` is the number of the first
        row); ``missing`` masks the null cells that have no default, per input."""
        import numpy as np

        inputs = list(self.program.inputs)
        cols = [columns[k] if k in columns else np.full(n, self.defaults[k]) for k in inputs]
        by_input = {}
        if self.replay is None:
            values, bad = np.zeros(n), range(n)
        else:
            values, bad = np.empty(n), []
            by_input = {name: np.empty(n) for name in inputs}
            for start in range(0, n, self.rows):
                stop = min(n, start + self.rows)
                value, partials, flagged = self.replay.run(
                    [c[start:stop] for c in cols], stop - start
                )
                values[start:stop] = value
                for name, partial in zip(inputs, partials):
                    by_input[name][start:stop] = partial
                bad += (flagged + start).tolist()
        zero = np.zeros(n)
        out = [by_input.get(name, zero) for name in self.names]
        special = {}
        for j in bad:
            special[j] = self._reference_row(inputs, cols, missing, j, first + j)
            if special[j].error is not None:
                self._failed(first + j, special[j].error.message)
        self.total += n
        return Results(values, out, special)

    def _reference_row(self, inputs: list[str], cols: list, missing: dict, j: int, row: int):
        """Row ``j`` of the columns through the float engine, alone."""
        bindings = {}
        try:
            for name, column in zip(inputs, cols):
                if name in missing and missing[name][j]:
                    continue  # a null cell without a default: unbound, as eval says
                v = float(column[j])
                if not math.isfinite(v):
                    raise UsageError(f"row {row}: {name}: {v!r} is not a finite number")
                bindings[name] = v
            result = gradient(self.program, bindings)
        except AdcliError as exc:
            return Special(error=self.hint(exc))
        return Special(result.value, [result.gradient.get(n, 0.0) for n in self.names])

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
            place = lambda array: array.tolist()
        else:  # errors in between: numbers at the good positions (the rest are overwritten)
            place = lambda array: spread(array.tolist(), positions, n)
        values = place(value)
        out = [place(by_input[name]) if name in by_input else [0.0] * n for name in self.names]
        return values, out, [positions[k] for k in bad.tolist()]

    def _reference(self, bindings, lineno: int, raw: bytes | None = None) -> Special:
        """A row through the float engine, alone: eval's numbers or eval's error."""
        try:
            if type(bindings) is not Checked:  # a plain line: now checked as --at checks
                what = f"line {lineno}"
                if raw is not None:
                    bindings = bindings_from_json(raw.decode(), what, arrays=True)
                else:
                    bindings = checked_bindings(bindings, what)
            at = {**self.defaults, **bindings}
            if isinstance(self.program, ArrayProgram) or any(
                isinstance(v, ArrayValue) for v in at.values()
            ):
                return self._lowered(at, lineno)
            result = gradient(self.program, at)
        except AdcliError as exc:
            return Special(error=self.hint(exc))
        return Special(result.value, [result.gradient.get(n, 0.0) for n in self.names])

    def _lowered(self, at: dict, lineno: int) -> Special:
        """A point with arrays (or a program with array syntax): lowered at its shapes, its
        gradient shaped like its inputs, as single ``eval --json`` writes it."""
        scalar = lower(self.program, at)
        result = gradient(scalar.program, scalar.point)
        names = self.names
        if not self.wrt:  # names only this line binds, shaped like their values (zeros)
            names = names + [n for n in at if n not in self.inputs and n not in names]
        shaped = scalar.shaped(result.gradient, names)
        if not self.arrays and any(isinstance(v, list) for v in shaped.values()):
            raise UsageError(
                f"line {lineno}: an array's gradient is an array: write JSON Lines (--output jsonl)"
            )
        return Special(result.value, list(shaped.values()), shaped=shaped)
