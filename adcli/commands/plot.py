"""``adcli plot``: a program's value and its partials over a range of one or two inputs."""

from __future__ import annotations

import math
import os
import re

from ..arguments import COMMON, JSON, Option, is_number, parse_command_line, parse_number
from ..engine import gradient, value
from ..environment import Environment
from ..errors import EvaluationError, NonFiniteError, UsageError
from . import load_program, not_an_input, point, write_file

POINTS = Option(
    ("--points",),
    "points",
    "samples along each swept input (default 200 for one input, 60 a side for two)",
    "N",
    lambda text: int(text) if text.isdigit() and 2 <= int(text) <= 1_000_000 else _bad_points(),
)
OUTPUT = Option(
    ("--output", "-o"),
    "output",
    "write FILE instead of drawing on the terminal: .svg, .png or .pdf a figure (needs "
    "matplotlib: pip install 'adcli\\[plot]'), .csv or .json the samples; 'csv' alone: CSV on stdout",
    "FILE",
)
OPTIONS = (*COMMON, JSON, POINTS, OUTPUT)
MAX_GRID = 4_000_000  # samples of a two-input sweep

HELP = """Plot PROGRAM and its derivative over a range: [bold]--x LO:HI[/bold] sweeps the input x
(bounds are numbers, or multiples of pi and e: [bold]--x -2pi:2pi[/bold]); every other input is
bound as for [bold]adcli eval[/bold]. On a terminal it draws the value and ∂f/∂x, one panel each,
in braille dots; sweep two inputs ([bold]--x LO:HI --y LO:HI[/bold]) for a heat map of the value.

Where the function or its derivative is undefined (log of a negative, 1/x at 0, sqrt′ at 0) the
curve has a gap; kinks (abs, relu, max) show as corners in the value and steps in the derivative.
The points are computed together by the same numpy replay as [bold]eval --batch[/bold], each
equal to what [bold]adcli eval[/bold] prints there.

[bold]--output plot.svg[/bold] (or .png, .pdf) writes a figure with matplotlib, an optional extra
([bold]pip install 'adcli\\[plot]'[/bold]): the value above its derivative, or for two inputs filled
contours of the value with the gradient field as arrows. [bold]--json[/bold], [bold]--output
samples.csv[/bold] or [bold]--output csv[/bold] give the sampled numbers to scripts (null or an
empty field where undefined)."""

EXAMPLES = """adcli plot "x*y + sin(x)" --x -2pi:2pi --y 0.5
adcli plot "abs(x) - relu(x - 1)" --x -2:3 --points 400
adcli plot "x^2 - y^2" --x -2:2 --y -2:2 --output saddle.png
adcli plot "log(x)" --x -1:3 --output csv | head -3"""

_INLINE = re.compile(r"(?:--)?([A-Za-z_]\w*)=([^=\s]*)")  # --x=LO:HI or x=LO:HI
_FLAG = re.compile(r"--([A-Za-z_]\w*)")
_BOUND = re.compile(r"([+-]?)(\d+\.?\d*|\.\d+)?\s*\*?\s*(pi|e)")


def _bad_points() -> int:
    raise ValueError("a whole number from 2 to 1000000")


def run(args: list[str], env: Environment) -> int:
    sweeps, rest = split_ranges(args)
    command_line = parse_command_line(rest, OPTIONS, stdin=env.stdin)
    if command_line.help:
        return 0
    program = load_program(command_line, env)
    bound = point(program, command_line, env)
    if not sweeps:
        raise UsageError(
            "nothing to sweep: give an input's range, e.g. --x -3:3 "
            f"(the program's inputs: {', '.join(program.inputs) or 'none'})"
        )
    for name in sweeps:
        if name not in program.inputs:
            raise not_an_input(f"--{name}", program.inputs)
        if name in command_line.bindings:
            raise UsageError(f"--{name} is given both a range and a value: drop one")
    missing = [n for n in program.inputs if n not in sweeps and n not in bound]
    if missing:
        from . import binding_hint

        raise UsageError(
            f"{', '.join(repr(n) for n in missing)} not bound: every input but the swept ones "
            f"needs a value; {binding_hint(missing)}"
        )
    from ..arrays import lower

    # Array syntax and array bindings become a scalar program first (the swept inputs stay
    # scalars: any value of theirs gives the same lowered graph).
    lowered = lower(program, {**bound, **{n: low for n, (low, _) in sweeps.items()}})
    program = lowered.program
    bound = {n: v for n, v in lowered.point.items() if n not in sweeps}
    count = command_line.points or (200 if len(sweeps) == 1 else 60)
    if len(sweeps) == 2 and count * count > MAX_GRID:
        raise UsageError(f"--points {count}: a grid of {count}² samples is too many (max 2000)")
    samples = sample(program, sweeps, bound, count)
    return show(samples, command_line, env)


def split_ranges(args: list[str]) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """``--x LO:HI``, ``--x=LO:HI`` and ``x=LO:HI`` taken out of ``args`` as sweeps (at most two,
    in command-line order); the rest left for the usual parser."""
    takes_value = {flag for opt in OPTIONS if opt.takes_value for flag in opt.flags}
    sweeps: dict[str, tuple[float, float]] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            rest += args[i - 1 :]
            break
        if token in takes_value:  # an option's own value may hold a colon (--output a:b.svg)
            rest += args[i - 1 : i + 1]
            i += 1
            continue
        m = _INLINE.fullmatch(token)
        if m is None and _FLAG.fullmatch(token) and i < len(args) and ":" in args[i]:
            m = _FLAG.fullmatch(token)
            value = args[i]
            i += 1
        elif m is not None:
            value = m.group(2)
        if m is None or ":" not in value:
            rest.append(token)
            continue
        sweeps[m.group(1)] = parse_range(value, f"--{m.group(1)}")
    if len(sweeps) > 2:
        raise UsageError(f"sweep one or two inputs, not {len(sweeps)} ({', '.join(sweeps)})")
    return sweeps, rest


def parse_range(text: str, what: str) -> tuple[float, float]:
    """``LO:HI`` as two finite numbers, LO < HI; a bound may be a multiple of pi or e."""
    low_text, _, high_text = text.partition(":")
    low, high = _bound(low_text, what), _bound(high_text, what)
    if not low < high:
        raise UsageError(f"{what} {text}: the range must go from low to high (LO:HI, LO < HI)")
    return low, high


def _bound(text: str, what: str) -> float:
    stripped = text.strip()
    if not is_number(stripped):
        m = _BOUND.fullmatch(stripped)
        if m:
            sign = -1.0 if m.group(1) == "-" else 1.0
            return sign * float(m.group(2) or 1.0) * (math.pi if m.group(3) == "pi" else math.e)
        raise UsageError(f"{what}: {stripped!r} is not a number (a range is LO:HI, e.g. -3:3)")
    return parse_number(stripped, what)


def sample(program, sweeps: dict[str, tuple[float, float]], bound: dict, count: int):
    """Value and the swept inputs' partials on the grid, by the numpy replay; rows it cannot
    vouch for (a non-finite number) by the float engine, and NaN where that finds none."""
    import numpy as np

    from ..engine.replay import Replay
    from ..render.plot import Samples

    axes = {name: np.linspace(lo, hi, count) for name, (lo, hi) in sweeps.items()}
    if len(axes) == 2:
        grids = [g.ravel() for g in np.meshgrid(*axes.values(), indexing="xy")]
        swept = dict(zip(axes, grids))
    else:
        swept = dict(axes)
    size = count ** len(axes)
    names = list(program.inputs)
    columns = [swept[n] if n in swept else np.full(size, float(bound[n])) for n in names]
    value = np.full(size, np.nan)
    partials = np.full((len(names), size), np.nan)
    replay = Replay.compile(program)
    bad: list[int] = []
    if replay is None:
        bad = list(range(size))
    else:
        for start in range(0, size, replay.rows):
            stop = min(start + replay.rows, size)
            v, parts, flagged = replay.run([c[start:stop] for c in columns], stop - start)
            value[start:stop] = v
            partials[:, start:stop] = parts
            bad += (flagged + start).tolist()
    for j in bad:
        value[j], partials[:, j] = _reference(
            program, {n: float(c[j]) for n, c in zip(names, columns)}
        )
    shape = (count, count) if len(axes) == 2 else (count,)
    wanted = {n: partials[names.index(n)].reshape(shape) for n in axes}
    fixed = {n: float(bound[n]) for n in names if n not in axes}
    return Samples(axes, value.reshape(shape), wanted, program.source, fixed)


def _reference(program, at: dict[str, float]) -> tuple[float, list[float]]:
    """One point by the float engine: (value, partials), NaN for what is undefined there."""
    nan = [math.nan] * len(program.inputs)
    try:
        result = gradient(program, at)
    except NonFiniteError:  # the value exists, a partial does not (sqrt at 0)
        try:
            return value(program, at), nan
        except EvaluationError:
            return math.nan, nan
    except EvaluationError:
        return math.nan, nan
    return result.value, [result.gradient[n] for n in program.inputs]


def show(samples, command_line, env: Environment) -> int:
    from ..render import plot as draw

    target = command_line.output
    if command_line.json:
        env.write_json(draw.as_json(samples))
        return 0
    if target == "csv":
        env.write(draw.as_csv(samples))
        return 0
    if target is not None:
        suffix = os.path.splitext(target)[1].lower().lstrip(".")
        if suffix == "csv":
            write_file(target, draw.as_csv(samples))
        elif suffix == "json":
            from ..environment import dumps

            write_file(target, dumps(draw.as_json(samples)) + "\n")
        elif suffix in draw.FIGURE_FORMATS:
            _require_matplotlib(target)
            try:
                draw.figure(samples, target, suffix)
            except OSError as exc:
                raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
        else:
            raise UsageError(
                f"--output {target}: the file must end in .svg, .png, .pdf, .csv or .json"
            )
        return 0
    import numpy as np

    out = env.console()
    # A heat map needs more than the 16 basic colours; with fewer it is drawn in characters.
    rich_colour = env.colour and out.color_system in ("256", "truecolor")
    # Rendered by Rich, written by us: on a closed pipe Rich itself would exit with status 1,
    # the boundary reports the broken pipe as for every other command.
    with out.capture() as captured:
        for panel in draw.terminal(samples, env.width, rich_colour):
            out.print(panel)
        total = samples.value.size
        gaps = [("f", total - int(np.isfinite(samples.value).sum()))] + [
            (f"∂f/∂{n}", total - int(np.isfinite(p).sum())) for n, p in samples.partials.items()
        ]
        said = [f"{what} at {count}" for what, count in gaps if count]
        if said:
            out.print(f"undefined (gaps): {', '.join(said)} of {total} points", style="dim")
    env.write(captured.get())
    return 0


def _require_matplotlib(target: str) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(
            f"--output {target} draws with matplotlib, which is not installed: "
            "pip install 'adcli[plot]' (or pip install matplotlib). The samples need nothing "
            "more: --json or --output samples.csv"
        ) from None
