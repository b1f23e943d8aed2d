"""``adcli check``: the reverse-mode gradient against central finite differences.

The seed's point, shown with numbers: a finite difference has a truncation error that shrinks
with the step h and a round-off error that grows as h shrinks, so it is never exact; automatic
differentiation has neither.  ``--sweep`` prints the finite-difference error as h runs over
decades, against the AD value.
"""

from __future__ import annotations

import math
import sys

from ..arguments import COMMON, JSON, Option, parse_command_line
from ..engine import gradient, value
from ..errors import CheckFailedError, EvaluationError
from ..values import element_names
from . import DIGITS, WRT, input_shapes, load_program, lowered, reported_names, title
from ._batch import OPTIONS as BATCH_OPTIONS
from ._batch import check_batch_line, run_per_point, with_extra

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment


EPS = sys.float_info.epsilon
CBRT_EPS = EPS ** (
    1.0 / 3.0
)  # minimises truncation (∝ h²) plus round-off (∝ eps/h) of a centred difference
SQRT_EPS = math.sqrt(EPS)  # the same balance for a one-sided difference (∝ h plus eps/h)
DECADES = range(1, 16)


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
With [bold]--batch[/bold], one --json report per point; exit status 1 when any point fails.
"""

EXAMPLES = """adcli check "x*y + sin(x)" --x 0.5 --y 4.2
adcli check "exp(x)/x" --x 3 --sweep
adcli check "relu(x)" --x 0 --json
printf '{"x": 0.5}\\n{"x": 2}\\n' | adcli check "x*y + sin(x)" --y 2 --batch -"""


def run(args: list[str], env: Environment) -> int:
    line = parse_command_line(args, OPTIONS, stdin=env.stdin)
    batch = check_batch_line(line)
    program = load_program(line, env)
    names = reported_names(program, line)
    if batch:

        def answer(at: dict[str, float], extra) -> tuple[dict, str | None]:
            report, rows, _ = check_point(program, at, with_extra(names, extra, line), line)
            return report, failure(rows, line.tol)

        return run_per_point(line, program, answer, env)
    # Array inputs are checked element by element (x[0], W[1,0]) on the lowered program.
    scalar = lowered(program, line, env)
    shapes = input_shapes(names, scalar.layout, line.bindings)
    elements = [e for name, shape in shapes.items() for e in element_names(name, shape)]
    at = scalar.point
    report, rows, sweeps = check_point(scalar.program, at, elements, line)
    if line.json:
        env.write_json(report)
    else:
        render(title(line, program), at, rows, sweeps, line, env)
    message = failure(rows, line.tol)
    if message is not None:  # after the report: the boundary prints it, status 1
        raise CheckFailedError(message)
    return 0


def check_point(program, at: dict[str, float], names: list[str], line) -> tuple[dict, dict, dict]:
    """``--json``'s report at one point, with its rows (per name) and sweeps."""
    result = gradient(program, at)
    rows = {name: compare(program, at, name, result.gradient.get(name, 0.0)) for name in names}
    sweeps = (
        {name: sweep(program, at, name, rows[name]["ad"]) for name in names} if line.sweep else {}
    )
    report = {"value": result.value, "gradient": {n: rows[n]["ad"] for n in names}}
    report["check"] = rows
    report["ok"] = failure(rows, line.tol) is None
    if line.sweep:
        report["sweep"] = sweeps
    return report, rows, sweeps


def failure(rows: dict, tol: float) -> str | None:
    """What failed, or None when every relative error is within ``tol``."""
    failed = [name for name, row in rows.items() if not row["rel_error"] <= tol]
    if not failed:
        return None
    worst = ", ".join(f"{n} ({rows[n]['rel_error']:.3g})" for n in failed)
    return f"gradient check failed: relative error above {tol:g} for {worst}"


def compare(program, at: dict[str, float], name: str, ad: float) -> dict:
    """AD against a finite difference for one input, with the step h chosen for that input."""
    if name not in program.inputs:
        fd, h, method = 0.0, 0.0, "unused"  # the output does not depend on it: exactly 0
    else:
        fd, h, method = difference(program, at, name)
    abs_error = abs(ad - fd)
    return {
        "ad": ad,
        "fd": fd,
        "h": h,
        "method": method,
        "abs_error": abs_error,
        "rel_error": abs_error / max(1.0, abs(ad), abs(fd)),
    }


def difference(program, at: dict[str, float], name: str) -> tuple[float, float, str]:
    """A centred difference, or a one-sided one if x ± h leaves the domain."""
    x = at[name]
    scale = max(1.0, abs(x))
    for method, h, steps in (
        ("central", CBRT_EPS * scale, (1.0, -1.0)),
        ("forward", SQRT_EPS * scale, (1.0, 0.0)),
        ("backward", SQRT_EPS * scale, (0.0, -1.0)),
    ):
        fd = _quotient(program, at, name, h * steps[0], h * steps[1])
        if fd is not None:
            return fd, h, method
    raise EvaluationError(
        f"no finite difference for '{name}': the program cannot be evaluated near {name} = {x!r}"
    )


def _quotient(program, at: dict[str, float], name: str, up: float, down: float) -> float | None:
    x = at[name]
    # Step to representable neighbours and divide by their true distance, not by the nominal h.
    hi, lo = x + up, x + down
    try:
        f_hi = value(program, {**at, name: hi}) if up else value(program, at)
        f_lo = value(program, {**at, name: lo}) if down else value(program, at)
    except EvaluationError:
        return None
    fd = (f_hi - f_lo) / (hi - lo)
    return fd if math.isfinite(fd) else None


def sweep(program, at: dict[str, float], name: str, ad: float) -> list[dict]:
    """Centred differences for h = 10^-k · max(1, |x|), k = 1 … 15, and the default h."""
    if name not in program.inputs:
        return []
    scale = max(1.0, abs(at[name]))
    steps = sorted({*(10.0**-k * scale for k in DECADES), CBRT_EPS * scale}, reverse=True)
    out = []
    for h in steps:
        fd = _quotient(program, at, name, h, -h)
        out.append(
            {
                "h": h,
                "fd": fd,
                "abs_error": None if fd is None else abs(fd - ad),
                "default": h == CBRT_EPS * scale,
            }
        )
    return out


def render(
    source: str, at: dict[str, float], rows: dict, sweeps: dict, line, env: Environment
) -> None:
    from ..render.tables import check_table, print_tables, sweep_table

    table = check_table(source, at, rows, line.tol, line.digits)
    sweeps_shown = (sweep_table(name, rows[name]["ad"], p) for name, p in sweeps.items())
    print_tables(env.console(), table, *sweeps_shown)
