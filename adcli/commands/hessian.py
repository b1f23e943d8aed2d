"""``adcli hessian``: value, gradient and every second partial derivative, exactly, at a point."""

from __future__ import annotations

from ..arguments import COMMON, JSON, parse_command_line
from ..values import element_names
from . import (
    BATCH_OPTIONS,
    DIGITS,
    WRT,
    input_shapes,
    load_program,
    partials,
    point,
    reported_names,
    shaped,
    title,
)
from ._batch import check_batch_line, run_per_point, with_extra

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment


OPTIONS = (*COMMON, JSON, DIGITS, WRT, *BATCH_OPTIONS)

HELP = """Compute the value, the gradient and the Hessian (all second partial derivatives) of PROGRAM at
a point, exactly: the gradient is built as a graph by a symbolic reverse sweep, and each Hessian row
is one reverse sweep over that graph (n sweeps for n inputs). No finite differences.

Bind inputs as for [bold]adcli eval[/bold]. With [bold]--json[/bold]: {"value", "gradient",
"hessian": {row: {col: ...}}}, rows and columns in the gradient's order. An array input's
elements are rows and columns of their own, named x[0], W[1,0] (row-major); its gradient keeps
the input's shape.
"""

EXAMPLES = """adcli hessian "x*y + sin(x)" --x 0.5 --y 4.2
adcli hessian "h = tanh(w*x + b); (h - t)^2" w=0.5 x=2 b=-0.3 t=1 --json
adcli hessian "x^3*y" --x 2 --y 1 --wrt x
adcli hessian "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)" --x '[-1.2, 1, 1]' --json
printf '{"x": 0.5}\\n{"x": 2}\\n' | adcli hessian "x*y + sin(x)" --y 2 --batch -"""


def run(args: list[str], env: Environment) -> int:
    command_line = parse_command_line(args, OPTIONS, stdin=env.stdin)
    batch = check_batch_line(command_line)
    program = load_program(command_line, env)
    names = reported_names(program, command_line)
    if batch:

        def answer(at: dict, extra) -> tuple[dict, None]:
            result, matrix, shapes = hessian_at(program, at, with_extra(names, extra, command_line))
            return hessian_json(result, matrix, shapes), None

        return run_per_point(command_line, program, answer, env)
    result, matrix, shapes = hessian_at(program, point(program, command_line, env), names)
    elements = list(matrix)
    if command_line.json:
        env.write_json(hessian_json(result, matrix, shapes))
        return 0
    from ..render.tables import hessian_table, print_tables

    gradient = {e: result.gradient.get(e, 0.0) for e in elements}  # one row per element
    table = hessian_table(
        title(command_line, program), result.value, gradient, matrix, command_line.digits
    )
    print_tables(env.console(), table)
    return 0


def hessian_at(program, at: dict, names: list[str]):
    """The engine's result and Hessian at ``at`` (array inputs lowered and unrolled into their
    elements ``x[0]``, ``W[1,0]``), and each reported name's shape."""
    from ..arrays import lower
    from ..engine import hessian

    scalar = lower(program, at)
    shapes = input_shapes(names, scalar.layout, at)
    elements = [e for name, shape in shapes.items() for e in element_names(name, shape)]
    result, matrix = hessian(scalar.program, scalar.point, elements)
    return result, matrix, shapes


def hessian_json(result, matrix: dict, shapes: dict) -> dict:
    """``--json``'s object: value, gradient (shaped like the inputs) and Hessian by element."""
    gradient = shaped(shapes, partials(shapes, result.gradient))
    return {"value": result.value, "gradient": gradient, "hessian": matrix}
