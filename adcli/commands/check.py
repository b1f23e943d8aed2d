"""``adcli check``: the reverse-mode gradient against central finite differences.

Wiring only: the differences themselves are ``adcli.engine.finite``, the tables
``adcli.render.tables``; this reads the command line, reports (table or --json), and fails with
status 1 after its report when an error is above --tol.
"""

from __future__ import annotations

import math
from itertools import islice
from math import prod

from ..arguments import COMMON, JSON, Option, parse_command_line
from ..engine import gradient
from ..engine.finite import compare, error_sweep
from ..errors import CheckFailedError
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


def tolerance(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError("a number >= 0")
    return value


TOL = Option(
    ("--tol",),
    "tol",
    "fail (exit 1) when a relative error is above this (default 1e-6)",
    "NUMBER",
    tolerance,
    1e-6,
)
SWEEP = Option(("--sweep",), "sweep", "also show the finite-difference error for h = 1e-1 … 1e-15")
OPTIONS = (*COMMON, JSON, DIGITS, WRT, TOL, SWEEP, *BATCH_OPTIONS)

HELP = """Check the reverse-mode gradient of PROGRAM against central finite differences at a point.

For each input x the step is h = cbrt(eps)·max(1, |x|) ≈ 6e-6·max(1, |x|), the step that balances
truncation and round-off error; a one-sided difference is used where x ± h leaves the domain. The
relative error is |AD − FD| / max(1, |AD|, |FD|) (so it is absolute for partials below 1); exit
status 1 when any is above --tol. [bold]--sweep[/bold] shows the trade-off: the FD error as h runs
over decades — large for big h (truncation), large again for tiny h (round-off), never zero.
Array inputs are checked element by element ([bold]x[0][/bold], [bold]x[1][/bold], …).
With [bold]--batch[/bold], one --json report per point; exit status 1 when any point fails.
"""

EXAMPLES = """adcli check "x*y + sin(x)" --x 0.5 --y 4.2
adcli check "exp(x)/x" --x 3 --sweep
adcli check "relu(x)" --x 0 --json   # a kink: AD and differences disagree, exit 1
adcli check "sum(x*x) + y" --x '[1, 2]' --y 3
printf '{"x": 0.5}\\n{"x": 2}\\n' | adcli check "x*y + sin(x)" --y 2 --batch -"""


def run(args: list[str], env: Environment) -> int:
    command_line = parse_command_line(args, OPTIONS, stdin=env.stdin)
    batch = check_batch_line(command_line)
    program = load_program(command_line, env)
    names = reported_names(program, command_line)
    if batch:

        def answer(at: dict, extra) -> tuple[dict, str | None]:
            report, rows, _, _ = check_at(
                program, at, with_extra(names, extra, command_line), command_line
            )
            return report, failure(rows, command_line.tol)

        return run_per_point(command_line, program, answer, env)
    at = point(program, command_line, env)
    report, rows, sweeps, shapes = check_at(program, at, names, command_line)
    if command_line.json:
        env.write_json(report)
    else:
        render(title(command_line, program), at, shapes, rows, sweeps, command_line, env)
    message = failure(rows, command_line.tol)
    if message is not None:  # after the report: the boundary prints it, status 1
        raise CheckFailedError(message)
    return 0


def check_at(program, at: dict, names: list[str], command_line) -> tuple[dict, dict, dict, dict]:
    """``check_point`` with array inputs checked element by element (``x[0]``, ``W[1,0]``) on
    the lowered program, the report's gradient shaped like the inputs (as eval's); also returns
    each reported name's shape."""
    from ..arrays import lower

    scalar = lower(program, at)
    shapes = input_shapes(names, scalar.layout, at)
    elements = [e for name, shape in shapes.items() for e in element_names(name, shape)]
    report, rows, sweeps = check_point(scalar.program, scalar.point, elements, command_line)
    report["gradient"] = shaped(shapes, partials(shapes, report["gradient"]))
    return report, rows, sweeps, shapes


def check_point(
    program, at: dict[str, float], names: list[str], command_line
) -> tuple[dict, dict, dict]:
    """``--json``'s report at one point, with its rows (per name) and sweeps."""
    result = gradient(program, at)
    rows = {name: compare(program, at, name, result.gradient.get(name, 0.0)) for name in names}
    sweeps = (
        {name: error_sweep(program, at, name, rows[name]["ad"]) for name in names}
        if command_line.sweep
        else {}
    )
    report = {"value": result.value, "gradient": {n: rows[n]["ad"] for n in names}}
    report["check"] = rows
    report["ok"] = failure(rows, command_line.tol) is None
    if command_line.sweep:
        report["sweep"] = sweeps
    return report, rows, sweeps


def failure(rows: dict, tol: float) -> str | None:
    """What failed, or None when every relative error is within ``tol``."""
    failed = [name for name, row in rows.items() if not row["rel_error"] <= tol]
    if not failed:
        return None
    worst = ", ".join(f"{n} ({rows[n]['rel_error']:.3g})" for n in failed)
    return f"gradient check failed: relative error above {tol:g} for {worst}"


def render(
    source: str, at: dict, shapes: dict, rows: dict, sweeps: dict, command_line, env: Environment
) -> None:
    """The comparison table, one row per input or array element (long arrays clipped as eval's
    table is), then a --sweep table for each row shown."""
    from ..render.tables import check_table, element_rows, print_tables, sweep_table

    compared = iter(rows.values())  # in the order of shapes' elements (check_at)
    lines = [
        line
        for name, shape in shapes.items()
        for line in element_rows(
            name,
            at.get(name),
            list(islice(compared, prod(shape))) if shape else next(compared),
        )
    ]
    table = check_table(source, lines, command_line.tol, command_line.digits)
    shown = [line[0] for line in lines if isinstance(line, tuple)]
    sweeps_shown = (sweep_table(name, rows[name]["ad"], sweeps[name]) for name in shown if sweeps)
    print_tables(env.console(), table, *sweeps_shown)
