"""The per-point batch driver: ``hessian``, ``jvp`` and ``check`` over a stream of points.

Each line's bindings, over the command line's defaults, go to the command's own ``answer``
function — the one its single-point run uses — so each output line is that command's ``--json``
object at that point, in input order.  A line that fails becomes ``{"error": {...}}`` and the
stream goes on; the exit status is 1 if any line failed (or, for ``check``, did not pass).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from ..errors import AdcliError, UsageError
from .driver import PROCESS, Lines, format_of
from .reader import LineReader
from .records import Checked, CsvRecords, JsonRecords, checked_bindings

# (bindings, names the line binds that the program does not use) -> (the JSON object, and a
# message when the point does not pass, as a failed gradient check)
Answer = Callable[[dict[str, float], tuple[str, ...]], tuple[dict, str | None]]
ROWS = 256  # lines per read: each point is a few sweeps, so a chunk is written soon


class Points(Lines):
    """Per-point answers for a stream of lines; ``known`` are names a line may bind besides the
    program's inputs without a warning (jvp's ``dx``)."""

    def __init__(
        self,
        inputs: Iterable[str],
        defaults: dict[str, float],
        answer: Answer,
        quiet: bool,
        known: Iterable[str] = (),
    ) -> None:
        super().__init__(inputs, defaults, quiet)
        self.answer = answer
        self.known = frozenset(known)
        self.warned |= self.known  # never "bound but not used"
        self.rows = ROWS

    def answer_entry(self, entry, lineno: int) -> dict:
        """The output object for one entry of ``records``: the command's ``--json`` object, or
        ``{"error": {"kind", "message"}}``."""
        try:
            if isinstance(entry, AdcliError):
                raise entry
            if type(entry) is not Checked:  # a plain line: checked as --at checks
                entry = checked_bindings(entry, f"{self.unit} {lineno}")
            extra = tuple(n for n in entry if n not in self.inputs and n not in self.known)
            for name in extra:
                self.unused(name, lineno)
            obj, failure = self.answer({**self.defaults, **entry}, extra)
        except AdcliError as exc:
            exc = self.hint(exc)
            self._failed(lineno, exc.message)
            return {"error": exc.as_json()}
        if failure is not None:
            self._failed(lineno, failure)
        return obj


class JsonLines:
    """Objects as JSON Lines on a text stream, flushed per chunk."""

    def __init__(self, stream, close=None) -> None:
        self.stream = stream
        self.close_stream = close

    def write(self, objects: list[dict]) -> None:
        self.stream.write("".join(json.dumps(o, allow_nan=False) + "\n" for o in objects))
        self.stream.flush()

    def close(self) -> None:
        if self.close_stream is not None:
            self.close_stream()


def run_points(
    source: str,
    inputs: Iterable[str],
    defaults: dict[str, float],
    answer: Answer,
    *,
    max_size: int,
    input_format: str | None = None,
    quiet: bool = False,
    known: Iterable[str] = (),
    env=None,
    hint=None,
    output: str | None = None,
    output_file: str | None = None,
) -> int:
    """Answer at every point of the file ``source`` ('-': stdin), one JSON line per input line
    (or Parquet row), flushed a chunk at a time; 1 if any line failed, else 0.  ``env`` gives
    ``stdin``, ``stdout`` and ``warn`` (see ``run_batch``); by default, the process's.
    ``output`` parquet writes the objects' fields as columns to ``output_file`` instead."""
    env = PROCESS if env is None else env
    fmt = format_of(source, input_format)
    points = Points(inputs, defaults, answer, quiet, known)
    points.limit = max_size
    points.warn = env.warn
    points.hint = hint or points.hint
    sink = _sink(output, output_file, env.stdout)
    try:
        _answer_all(points, source, fmt, sink, max_size, env, quiet)
    finally:
        sink.close()
    return points.report()


def _sink(output: str | None, path: str | None, stdout):
    if output == "parquet":
        if path is None:
            raise UsageError("--output parquet writes a file: add --out FILE.parquet")
        from .parquet import ObjectSink

        return ObjectSink(path)
    if path is None:
        return JsonLines(stdout)
    try:
        stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by the sink)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return JsonLines(stream, stream.close)


def _answer_all(points: Points, source: str, fmt: str, sink, max_size: int, env, quiet) -> None:
    if fmt == "parquet":
        from .parquet import read_rows

        def ignored(name: str) -> None:
            env.warn(f"column '{name}' of {source} is not an input of the program; ignored", quiet)

        points.unit = "row"
        first = 1
        for rows in read_rows(source, points.inputs | points.known, ignored, points.rows):
            sink.write([points.answer_entry(e, first + j) for j, e in enumerate(rows)])
            first += len(rows)
            points.total += len(rows)
        return
    records = CsvRecords(points) if fmt == "csv" else JsonRecords(points)
    with LineReader.open(source, max_size, env.stdin) as reader:
        while True:
            lines = reader.take(points.rows)
            if not lines:
                break
            first = records.lineno + 1 + (records.lineno == 0 and fmt == "csv")
            entries = records.parse(lines)
            sink.write([points.answer_entry(e, first + j) for j, e in enumerate(entries)])
            points.total += len(entries)
