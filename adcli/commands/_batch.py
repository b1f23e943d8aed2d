"""``--batch`` for the commands that answer one point at a time (hessian, jvp, check): the
options and the wiring into ``adcli.stream.run_points``.  Not a command itself."""

from __future__ import annotations

from ..arguments import CommandLine, Option, choice
from ..errors import UsageError
from ..graph import Program
from . import point, with_binding_hint

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment

BATCH = Option(
    ("--batch",),
    "batch",
    "answer at every point of FILE ('-': stdin): one JSON object of bindings per line, a CSV "
    "file with a header, or a Parquet file (columns named like the inputs), streamed, one "
    "result per point in order; the command line's bindings are defaults",
    "FILE|-",
)
INPUT_FORMAT = Option(
    ("--input-format",),
    "input_format",
    "--batch input: jsonl, csv or parquet (default: from the suffix .csv, .parquet; else jsonl)",
    "jsonl|csv|parquet",
    choice("jsonl", "csv", "parquet"),
)
OUTPUT = Option(
    ("--output",),
    "output",
    "--batch output: jsonl (default), csv or parquet (columns value, d_<input>..., error; "
    "needs --out FILE)",
    "jsonl|csv|parquet",
    choice("jsonl", "csv", "parquet"),
)
OUTPUT_FILE = Option(
    ("--output-file", "--out"),
    "output_file",
    "--batch: write the results to FILE instead of stdout",
    "FILE",
)
POINTS_OUTPUT = Option(
    ("--output",),
    "output",
    "--batch output: jsonl (default: one --json object per line) or parquet (the object's "
    "fields as columns: value, gradient.x, ..., error; needs --out FILE)",
    "jsonl|parquet",
    choice("jsonl", "parquet"),
)
OPTIONS = (BATCH, INPUT_FORMAT, POINTS_OUTPUT, OUTPUT_FILE)  # the per-point commands
EVAL_OPTIONS = (BATCH, INPUT_FORMAT, OUTPUT, OUTPUT_FILE)


def check_batch_line(command_line: CommandLine) -> bool:
    """True when the command line asks for --batch; usage errors for options that need it or
    that it excludes."""
    if command_line.batch is None:
        if command_line.input_format or command_line.output or command_line.output_file:
            raise UsageError("--input-format, --output and --out go with --batch FILE")
        return False
    if command_line.batch == "-" and (
        command_line.program == "-" or command_line.program_file == "-"
    ):
        raise UsageError("the program and the --batch points cannot both come from stdin")
    if command_line.digits is not None:
        raise UsageError("--digits rounds the table; --batch writes JSON, which keeps every digit")
    return True


def run_per_point(
    command_line: CommandLine, program: Program, answer, env: Environment, known=()
) -> int:
    """Run ``answer(bindings, extra_names) -> (json_object, failure_or_None)`` at every point
    of --batch; the command line's bindings are the defaults."""
    from ..stream import run_points

    return run_points(
        command_line.batch,
        program.inputs,
        # warns about command-line bindings the program does not use
        point(program, command_line, env),
        answer,
        max_size=command_line.max_size,
        input_format=command_line.input_format,
        quiet=command_line.quiet,
        known=known,
        env=env,
        hint=with_binding_hint,
        output=command_line.output,
        output_file=command_line.output_file,
    )


def with_extra(names: list[str], extra: tuple[str, ...], command_line: CommandLine) -> list[str]:
    """The reported names for one line: the command line's, then names only this line binds
    (as a single run with those bindings would report them), unless --wrt chose."""
    if command_line.options.get("wrt"):
        return names
    return names + [n for n in extra if n not in names]
