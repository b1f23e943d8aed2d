"""``--batch`` for the commands that answer one point at a time (hessian, jvp, check): the
options and the wiring into ``adcli.stream.run_points``.  Not a command itself."""

from __future__ import annotations

from ..arguments import CommandLine, Option, choice
from ..errors import UsageError
from ..graph import Program
from . import point

BATCH = Option(
    ("--batch",),
    "batch",
    "answer at every point of FILE ('-': stdin), one JSON object of bindings per line (or CSV "
    "with a header), streamed, one JSON line out per line in; the command line's bindings are "
    "defaults; a line over --max-size is an error",
    "FILE|-",
)
INPUT_FORMAT = Option(
    ("--input-format",),
    "input_format",
    "--batch input: jsonl or csv (default: csv for a .csv file, else jsonl)",
    "jsonl|csv",
    choice("jsonl", "csv"),
)
OPTIONS = (BATCH, INPUT_FORMAT)


def check_batch_line(line: CommandLine) -> bool:
    """True when the command line asks for --batch; usage errors for options that need it or
    that it excludes."""
    if line.batch is None:
        if line.input_format:
            raise UsageError("--input-format goes with --batch FILE")
        return False
    if line.batch == "-" and (line.program == "-" or line.program_file == "-"):
        raise UsageError("the program and the --batch points cannot both come from stdin")
    if line.digits is not None:
        raise UsageError("--digits rounds the table; --batch writes JSON, which keeps every digit")
    return True


def run_per_point(line: CommandLine, program: Program, answer, known=()) -> int:
    """Run ``answer(bindings, extra_names) -> (json_object, failure_or_None)`` at every point
    of --batch; the command line's bindings are the defaults."""
    from ..stream import run_points

    return run_points(
        line.batch,
        program.inputs,
        point(program, line),  # warns about command-line bindings the program does not use
        answer,
        max_size=line.max_size,
        input_format=line.input_format,
        quiet=line.quiet,
        known=known,
    )


def with_extra(names: list[str], extra: tuple[str, ...], line: CommandLine) -> list[str]:
    """The reported names for one line: the command line's, then names only this line binds
    (as a single run with those bindings would report them), unless --wrt chose."""
    if line.options.get("wrt"):
        return names
    return names + [n for n in extra if n not in names]
