"""``adcli eval``: the value and every partial derivative at a point (or at many: --batch)."""

from __future__ import annotations

from ..arguments import COMMON, JSON, Option, choice, parse_command_line
from ..errors import UsageError
from . import (
    DIGITS,
    EVAL_BATCH_OPTIONS,
    WRT,
    input_shapes,
    load_program,
    lowered,
    partials,
    point,
    reported_names,
    shaped,
    title,
    with_binding_hint,
)

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment


MODE = Option(
    ("--mode",),
    "mode",
    "reverse (default: one sweep), forward (one dual-number pass per input) or auto",
    "reverse|forward|auto",
    choice("reverse", "forward", "auto"),
    "reverse",
)
OPTIONS = (*COMMON, JSON, DIGITS, WRT, MODE, *EVAL_BATCH_OPTIONS)

HELP = """Evaluate PROGRAM and every partial derivative at a point, by reverse-mode AD.

PROGRAM is an expression or a small program: [bold]h = tanh(w*x + b); (h - t)^2[/bold].
Bind each input with [bold]--x 0.5[/bold], [bold]--x=0.5[/bold], [bold]x=0.5[/bold] or
[bold]--at '{"x": 0.5}'[/bold] (or --at FILE.json), before or after the program. A program
starting with '-' works as it is; '--' ends the options.

Any of these binds a vector or a matrix too: [bold]--x '[1, 2, 3]'[/bold], [bold]W=[[1,2],[3,4]][/bold],
[bold]--at '{"W": [[1, 2], [3, 4]]}'[/bold]; [bold]--data FILE.csv[/bold] binds each column of a CSV
file (a header row of names, then numbers) as a vector named by its header. An array input's
partial is an array of its shape in --json; the table shows one row per element (x[0], W[1,0]).
"""

EXAMPLES = """adcli eval "x*y + sin(x)" --x 0.5 --y 4.2
adcli eval "x*y + sin(x)" x=0.5 y=4.2 --json
adcli eval "h = tanh(w*x + b); (h - t)^2" --at '{"w": 0.5, "x": 2, "b": -0.3, "t": 1}' --digits 6
adcli eval "sum(W @ x) + c*norm(x)" --W '[[1, 2], [3, 4]]' --x '[0.5, -1]' --c 2 --json
printf '{"x": 0.5}\\n{"x": 1}\\n' | adcli eval "x*y + sin(x)" --y 4.2 --batch -"""


def run(args: list[str], env: Environment) -> int:
    command_line = parse_command_line(args, OPTIONS, stdin=env.stdin)
    if command_line.digits is not None and (command_line.json or command_line.batch is not None):
        raise UsageError("--digits rounds the table; JSON output always keeps every digit")
    if (
        command_line.batch is not None
        or command_line.input_format
        or command_line.output
        or command_line.output_file
    ):
        return run_batch(command_line, env)
    program = load_program(command_line, env)
    scalar = lowered(program, command_line, env)
    if command_line.json and _written_in_order(program, scalar, command_line, env):
        return 0
    result = gradient_by_mode(scalar.program, scalar.point, command_line.mode)
    names = reported_names(program, command_line)
    shapes = input_shapes(names, scalar.layout, command_line.bindings)
    gradient = partials(shapes, result.gradient)
    value = result.value
    # The answer is made: let the tape and the sweeps' arrays (~50 bytes a node) go before the
    # output is built, so a 10^6-element program does not hold both at once.
    del result, scalar
    if command_line.json:
        env.write_json({"value": value, "gradient": shaped(shapes, gradient)})
        return 0
    from ..render.tables import element_rows, gradient_table, print_tables

    rows = [
        row for n in names for row in element_rows(n, command_line.bindings.get(n), gradient[n])
    ]
    print_tables(
        env.console(),
        gradient_table(title(command_line, program), value, rows, command_line.digits),
    )
    return 0


def run_batch(command_line, env: Environment) -> int:
    """--batch: JSON Lines (or CSV) in and out, streamed; numpy is imported only here."""
    if command_line.batch is None:
        raise UsageError("--input-format, --output and --out go with --batch FILE")
    if command_line.batch == "-" and (
        command_line.program == "-" or command_line.program_file == "-"
    ):
        raise UsageError("the program and the --batch points cannot both come from stdin")
    if command_line.mode == "forward":
        raise UsageError(
            "--batch replays the reverse sweep over arrays; --mode forward is for one point"
        )
    from ..stream import run_batch

    program = load_program(command_line, env)
    # warns about command-line bindings the program does not use
    defaults = point(program, command_line, env)
    return run_batch(
        program,
        command_line.batch,
        reported_names(program, command_line),
        defaults,
        max_size=command_line.max_size,
        input_format=command_line.input_format,
        output=command_line.output,
        output_file=command_line.output_file,
        wrt=bool(command_line.options.get("wrt")),
        quiet=command_line.quiet,
        env=env,
        hint=with_binding_hint,
    )


# Past this many inputs eval --json's partials are written by the compiled core (adcli._cjson);
# fewer do not load it (start-up time).
COMPILED_FROM = 256


def _written_in_order(program, scalar, command_line, env: Environment) -> bool:
    """``--json`` of a scalar program whose reported names are its inputs in order (no --wrt,
    nothing else bound), by the reverse sweep: the partials written straight from the adjoints
    (``environment.dumps_gradient``: no dict of 10^6 names, the same bytes); False where this
    does not apply, and nothing is written."""
    inputs = scalar.program.inputs
    if scalar.layout or type(inputs) is not dict or not inputs or command_line.mode != "reverse":
        return False
    names = reported_names(program, command_line)
    if names != list(inputs):
        return False
    from ..engine import gradient
    from ..environment import dumps_gradient
    from ..native import load

    result = gradient(scalar.program, scalar.point, by_name=False)
    result.sweep = None  # the values and g_weights (24 bytes a node) go before the text is made
    cjson = load("_cjson") if len(inputs) >= COMPILED_FROM else None
    # In C, the same bytes from the adjoint array (no float or str per input), else in Python.
    text = cjson.gradient(result.value, inputs, result.adjoint) if cjson is not None else None
    if text is None:
        text = dumps_gradient(result.value, names, map(result.adjoint.__getitem__, inputs.values()))
    if text is None:  # not expected (names are plain, partials finite): the general path
        return False
    env.stdout.write(text)  # not text + "\n": a copy of 8 MB for 250,000 partials
    env.write("\n")
    return True


def gradient_by_mode(program, at: dict[str, float], mode: str):
    """Reverse mode, or forward mode (one pass per input); auto picks forward for one input."""
    if mode == "forward" or (mode == "auto" and len(program.inputs) == 1):
        from ..engine import forward_gradient

        return forward_gradient(program, at)
    from ..engine import gradient

    return gradient(program, at)
