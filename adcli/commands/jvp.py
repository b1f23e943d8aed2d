"""``adcli jvp``: the directional derivative ∇f·v (a Jacobian-vector product) by one forward pass."""

from __future__ import annotations

from ..arguments import COMMON, JSON, Option, bindings_from_json, check_name, parse_command_line
from ..errors import UsageError
from . import (
    BATCH_OPTIONS,
    DIGITS,
    input_shapes,
    load_program,
    not_an_input,
    partials,
    point,
    shaped,
    title,
)
from ._batch import check_batch_line, run_per_point

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment


def direction_spec(text: str) -> str:
    return text  # parsed in run(), once the program's inputs are known


DIRECTION = Option(
    ("--direction",),
    "direction",
    "the direction v: x=1,y=0 or a JSON object; inputs left out get 0",
    "SPEC",
    direction_spec,
)
OPTIONS = (*COMMON, JSON, DIGITS, DIRECTION, *BATCH_OPTIONS)

HELP = """Compute the value of PROGRAM and its directional derivative ∇f·v at a point (a
Jacobian-vector product), by forward-mode AD: one pass of dual numbers, whatever the number of
inputs.

Bind inputs as for [bold]adcli eval[/bold]; give the direction with [bold]--dx 1[/bold] (a 'd'
before an input's name) or [bold]--direction x=1,y=0[/bold]. Inputs left out of the direction
get 0. The 'd' form is off when --direction is given, and it is refused as ambiguous when the
program itself has an input named like d<input> (x and dx): then use --direction. An array
input's direction is an array of its shape: [bold]--x '[1, 2]' --dx '[1, 0]'[/bold].
With [bold]--batch[/bold], a line may give its own direction the same way ({"x": 1, "dx": 1}).
"""

EXAMPLES = """adcli jvp "x*y + sin(x)" --x 0.5 --y 4.2 --dx 1 --dy 0
adcli jvp "x*y + sin(x)" x=0.5 y=4.2 --direction x=0.6,y=0.8 --json
adcli jvp "x*dx" --x 1 --dx 2 --direction x=1
adcli jvp "sum(x*x)" --x '[1, 2]' --dx '[1, 0]'
printf '{"x": 0.5, "y": 4.2}\\n{"x": 2, "y": 1}\\n' | adcli jvp "x*y + sin(x)" --dx 1 --batch -"""


def run(args: list[str], env: Environment) -> int:
    command_line = parse_command_line(args, OPTIONS, stdin=env.stdin)
    batch = check_batch_line(command_line)
    program = load_program(command_line, env)
    if batch:
        return run_batch(command_line, program, env)
    direction = split_direction(program.inputs, command_line.bindings, command_line.direction)
    at = point(program, command_line, env)
    value, derivative, full, scalar = jvp_at(program, at, direction)
    if command_line.json:
        env.write_json(jvp_json(program, value, derivative, full, scalar, command_line.bindings))
        return 0

    from ..render.tables import element_rows, jvp_table, print_tables

    shapes = input_shapes(list(program.inputs), scalar.layout, command_line.bindings)
    components = partials(shapes, full)  # an array's as one flat sequence: clipped, not named
    rows = [row for n in shapes for row in element_rows(n, at[n], components[n])]
    table = jvp_table(title(command_line, program), value, rows, derivative, command_line.digits)
    print_tables(env.console(), table)
    return 0


def run_batch(command_line, program, env: Environment) -> int:
    """--batch: one JSON line per point; each line's ``d<input>`` bindings (or --direction, or
    the command line's ``--dx``) give its direction."""
    known = () if command_line.direction is not None else tuple(d_names(program.inputs))
    directions = {
        name: command_line.bindings.pop(name) for name in known if name in command_line.bindings
    }

    def answer(at: dict, extra) -> tuple[dict, None]:
        at = {**directions, **at}
        direction = split_direction(program.inputs, at, command_line.direction)
        value, derivative, full, scalar = jvp_at(program, at, direction)
        return jvp_json(program, value, derivative, full, scalar, at), None

    return run_per_point(command_line, program, answer, env, known)


def jvp_at(program, at: dict, direction: dict):
    """Value, ∇f·v, the full direction by the lowered program's inputs, and the lowering: array
    inputs (and their directions) go element by element."""
    from ..arrays import lower
    from ..engine import tangent_sweep

    scalar = lower(program, at)
    flat = element_direction(direction, scalar.layout)
    value, derivative = tangent_sweep(scalar.program, scalar.point, flat)
    inputs = scalar.program.inputs
    if type(inputs) is dict:
        full = {name: flat.get(name, 0.0) for name in inputs}
    else:  # array inputs as blocks (adcli.elements.Flat): each direction as its array
        full = inputs.like(flat)
    return value, derivative, full, scalar


def jvp_json(program, value: float, derivative: float, full: dict, scalar, bindings) -> dict:
    """``--json``'s object: the direction shaped like the inputs."""
    shapes = input_shapes(list(program.inputs), scalar.layout, bindings)
    return {"value": value, "jvp": derivative, "direction": shaped(shapes, partials(shapes, full))}


def element_direction(direction: dict, layout: dict[str, tuple[int, ...]]) -> dict[str, float]:
    """The direction by the lowered program's inputs: an array input's direction is an array of
    its shape, seen element by element (``x[0]``, ``x[1]``: an ``adcli.elements.Flat`` of blocks)."""
    from ..elements import Flat
    from ..values import direction_blocks

    blocks = direction_blocks(direction, layout)
    if not any(shape for shape, _ in blocks.values()):
        return {name: v for name, (_, v) in blocks.items()}
    return Flat(blocks)


def d_names(inputs: dict[str, int]) -> list[str]:
    """``dx`` for each input ``x``, unless the program has an input of that name."""
    return [f"d{name}" for name in inputs if f"d{name}" not in inputs]


def split_direction(inputs: dict[str, int], bindings: dict, spec: str | None) -> dict[str, float]:
    """The direction, from --direction's ``spec`` or from ``d<input>`` bindings (removed from
    ``bindings``)."""
    if spec is not None:
        direction = parse_direction(spec)
        unknown = [name for name in direction if name not in inputs]
        if unknown:
            raise not_an_input(f"--direction {unknown[0]}", inputs)
        return direction
    direction = {}
    for name in list(bindings):
        target = name[1:]
        if not name.startswith("d") or target not in inputs:
            continue
        if name in inputs:
            raise UsageError(
                f"--{name} is ambiguous: the program has inputs '{target}' and '{name}', so it "
                f"could bind {name} or give the direction for {target}; bind {name} as usual and "
                f"give the direction with --direction {target}=VALUE"
            )
        direction[target] = bindings.pop(name)
    if not direction:
        first = next(iter(inputs), "x")
        raise UsageError(
            f"no direction given: add --d{first} 1 (a 'd' before an input's name) "
            f"or --direction {first}=1"
        )
    return direction


def parse_direction(text: str) -> dict[str, float]:
    """``x=1,y=0`` or a JSON object of name → number."""
    from ..arguments import parse_number

    if text.lstrip().startswith("{"):
        return bindings_from_json(text, "--direction")
    direction = {}
    for part in text.split(","):
        name, eq, value = part.strip().partition("=")
        if not eq:
            raise UsageError(
                f"--direction: expected NAME=NUMBER pairs such as x=1,y=0, got {part!r}"
            )
        check_name(name, "--direction")
        direction[name] = parse_number(value, f"--direction {name}")
    return direction
