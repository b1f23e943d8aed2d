"""``--batch`` for the commands that answer one point at a time (hessian, jvp, check): the
wiring into ``adcli.stream.run_points`` (the options are declared in ``adcli.commands``, which
eval reads without importing this module).  Not a command itself."""

from __future__ import annotations

from ..arguments import CommandLine
from ..errors import UsageError
from ..graph import Program
from . import point, with_binding_hint

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment


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
