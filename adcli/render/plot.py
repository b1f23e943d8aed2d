"""A function and its derivative as pictures (``adcli plot``): terminal plots, figures, samples.

Everything here draws numbers already sampled (``Samples``); nothing is evaluated.  Where the
function or a partial is undefined a sample is NaN and the curve has a gap.

* ``terminal`` — for a person at a terminal: each curve in its own panel of braille dots (2×4
  dots a character cell, drawn with Rich), or for two inputs a heat map of half-block cells.
  Drawn here rather than with plotext: a braille line plot is a hundred lines, and a dependency
  must earn its place (plotext would add a package and its own colour and layout rules beside
  Rich's, which adcli already uses for every table).
* ``figure`` — a publication-quality SVG/PNG/PDF with matplotlib (the optional extra
  ``adcli[plot]``, imported only here): the value above the derivative on a shared axis, or for
  two inputs filled contours of the value with the gradient field as arrows.  Written without
  dates or random ids, so the same samples give the same bytes.
* ``as_json`` / ``as_csv`` — the samples for scripts.
"""

from __future__ import annotations

import math

VALUE_STYLE, PARTIAL_STYLES = "bright_cyan", ("bright_magenta", "bright_yellow")
# A perceptually even ramp (viridis' stops) for heat maps, and characters for no colour.
RAMP = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))
CHARS = " .:-=+*#%@"


class Samples:
    """A sweep: ``axes`` maps each swept input to its grid (1 or 2 of them), ``value`` and each
    ``partials[name]`` are numpy arrays over the grid (the first axis varies fastest), NaN
    where undefined; ``source`` is the program's text."""

    def __init__(
        self, axes: dict, value, partials: dict, source: str = "", fixed: dict | None = None
    ) -> None:
        self.axes, self.value, self.partials, self.source = axes, value, partials, source
        self.fixed = fixed or {}  # the other inputs' values, named in titles

    @property
    def at(self) -> str:
        """``y = 0.5, t = 1`` for the inputs that are not swept, or empty."""
        return ", ".join(f"{n} = {v:.6g}" for n, v in self.fixed.items())

    @property
    def names(self) -> list[str]:
        return list(self.axes)

    def columns(self) -> list[tuple[str, object]]:
        """(header, flat array) per column: the inputs, the value, each partial."""
        import numpy as np

        grids = np.meshgrid(*self.axes.values(), indexing="xy") if len(self.axes) == 2 else None
        cols = []
        for k, name in enumerate(self.axes):
            cols.append((name, grids[k].ravel() if grids else self.axes[name]))
        cols.append(("value", self.value.ravel()))
        cols += [(f"d/d{n}", p.ravel()) for n, p in self.partials.items()]
        return cols


def as_json(samples: Samples) -> dict:
    """``{"inputs": {x: [...]}, "value": [...], "gradient": {x: [...]}}``, null where undefined;
    with two inputs every list runs over the grid, the first input fastest."""
    cols = samples.columns()
    n = len(samples.axes)
    return {
        "inputs": {name: _finite_list(col) for name, col in cols[:n]},
        "value": _finite_list(cols[n][1]),
        "gradient": {name: _finite_list(p.ravel()) for name, p in samples.partials.items()},
    }


def as_csv(samples: Samples) -> str:
    """One header line, one line per sample; an undefined number is an empty field."""
    cols = samples.columns()
    lines = [",".join(h for h, _ in cols)]
    rows = zip(*(col.tolist() for _, col in cols))
    lines += [",".join(repr(v) if math.isfinite(v) else "" for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def _finite_list(col) -> list:
    return [v if math.isfinite(v) else None for v in col.tolist()]


def y_limits(values) -> tuple[float, float, bool]:
    """The y range to draw, and whether it clips: all finite values, unless a few (near a
    pole, 1/x at 0) would squash the rest — then the 2nd-98th percentile, widened."""
    import numpy as np

    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return -1.0, 1.0, False
    low, high = float(finite.min()), float(finite.max())
    clipped = False
    if finite.size >= 20:
        p_low, p_high = (float(v) for v in np.percentile(finite, [2, 98]))
        if (p_high - p_low) * 20 < high - low:
            pad = (p_high - p_low) * 0.25 or 1.0
            low, high, clipped = p_low - pad, p_high + pad, True
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    return low, high, clipped


def break_poles(values, low: float, high: float):
    """NaN between two neighbours beyond opposite edges (a pole): no line joins them."""
    import numpy as np

    out = np.array(values, dtype=float)
    above, below = out > high, out < low
    jump = (above[:-1] & below[1:]) | (below[:-1] & above[1:])
    out[1:][jump] = np.nan
    return out


# ---- the terminal ----------------------------------------------------------------------------


class Braille:
    """A canvas of ``width`` × ``height`` character cells, 2×4 dots each."""

    BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells = [[0] * width for _ in range(height)]

    def dot(self, px: int, py: int) -> None:
        if 0 <= px < 2 * self.width and 0 <= py < 4 * self.height:
            self.cells[py // 4][px // 2] |= self.BITS[px % 2][py % 4]

    def line(self, x0: int, y0: int, x1: int, y1: int) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for s in range(steps + 1):
            self.dot(x0 + round((x1 - x0) * s / steps), y0 + round((y1 - y0) * s / steps))

    def rows(self) -> list[str]:
        return ["".join(chr(0x2800 + c) if c else " " for c in row) for row in self.cells]


def curve_panel(xs, ys, title: str, style: str, width: int, height: int):
    """One curve on braille dots with its y range on the left and x range below, as Rich Text."""
    from rich.text import Text

    low, high, _ = y_limits(ys)
    ys = break_poles(ys, low, high)
    labels = [_short(high), _short(low)]
    if low < 0 < high:
        labels.append(_short(0.0))
    margin = max(len(s) for s in labels) + 1
    plot_width = max(width - margin - 1, 10)
    canvas = Braille(plot_width, height)
    x_lo, x_hi = float(xs[0]), float(xs[-1])
    px_max, py_max = 2 * plot_width - 1, 4 * height - 1

    def pixel(x: float, y: float) -> tuple[int, int]:
        px = round((x - x_lo) / ((x_hi - x_lo) or 1.0) * px_max)
        py = round((high - y) / (high - low) * py_max)
        return px, min(max(py, -1), py_max + 1)  # clamped: a pole's long line stays short

    previous = None
    for x, y in zip(xs.tolist(), ys.tolist()):
        if not math.isfinite(y):
            previous = None
            continue
        point = pixel(x, y)
        if previous is None:
            canvas.dot(*point)
        else:
            canvas.line(*previous, *point)
        previous = point
    zero_row = round(high / (high - low) * py_max) // 4 if low < 0 < high else None
    text = Text()
    text.append(title + "\n", style="bold")
    for r, row in enumerate(canvas.rows()):
        label = labels[0] if r == 0 else labels[1] if r == height - 1 else ""
        if r == zero_row and 0 < r < height - 1:
            label = "0"
        text.append(label.rjust(margin - 1) + " ┤" if label else " " * margin + "│", style="dim")
        text.append(row, style=style)
        text.append("\n")
    left, right = _short(x_lo), _short(x_hi)
    text.append(" " * margin + "└" + "─" * plot_width + "\n", style="dim")
    gap = max(plot_width + 1 - len(left) - len(right), 1)
    text.append(" " * margin + left + " " * gap + right, style="dim")
    return text


def heat_panel(samples: Samples, title: str, width: int, height: int, colour: bool):
    """Two inputs: the value as a heat map (half blocks, 2 rows of samples a cell; characters
    from light to dense without colour), the first input across, the second up."""
    import numpy as np
    from rich.style import Style
    from rich.text import Text

    (xn, xs), (yn, ys) = samples.axes.items()
    grid = samples.value  # shape (len(ys), len(xs))
    low, high, _ = y_limits(grid.ravel())
    rows = 2 * height if colour else height
    xi = np.linspace(0, len(xs) - 1, width).round().astype(int)
    yi = np.linspace(len(ys) - 1, 0, rows).round().astype(int)
    cells = grid[np.ix_(yi, xi)]
    t = np.clip((cells - low) / (high - low), 0.0, 1.0)
    text = Text()
    text.append(title + "\n", style="bold")
    text.append(f"{yn} {_short(float(ys[-1]))}\n", style="dim")
    for r in range(height):
        if colour:
            for c in range(width):
                top, bottom = t[2 * r, c], t[2 * r + 1, c]
                text.append("▀", style=Style(color=_rgb(top), bgcolor=_rgb(bottom)))
        else:
            for c in range(width):
                v = t[r, c]
                text.append(" " if not math.isfinite(v) else CHARS[round(v * (len(CHARS) - 1))])
        text.append("\n")
    text.append(f"{yn} {_short(float(ys[0]))}", style="dim")
    text.append(f"   {xn}: {_short(float(xs[0]))} … {_short(float(xs[-1]))}\n", style="dim")
    text.append(f"value from {_short(low)} ", style="dim")
    for k in range(12):
        v = k / 11
        if colour:
            text.append("█", style=Style(color=_rgb(v)))
        else:
            text.append(CHARS[round(v * (len(CHARS) - 1))])
    text.append(f" to {_short(high)}", style="dim")
    return text


def one_line(source: str) -> str:
    """A program on one line for a title: its lines joined by ``; ``, spaces collapsed."""
    lines = (" ".join(line.split()) for line in source.splitlines())
    return "; ".join(line for line in lines if line)


def _rgb(t: float) -> str | None:
    if not math.isfinite(t):
        return "black"
    position = t * (len(RAMP) - 1)
    k = min(int(position), len(RAMP) - 2)
    f = position - k
    r, g, b = (round(a + (b - a) * f) for a, b in zip(RAMP[k], RAMP[k + 1]))
    return f"rgb({r},{g},{b})"


def _short(x: float) -> str:
    """An axis label: 4 significant digits, no ``-0``."""
    text = f"{x:.4g}"
    return "0" if text in ("-0", "0") else text


def terminal(samples: Samples, width: int, colour: bool) -> list:
    """What ``adcli plot`` prints on a terminal: one Rich Text panel per curve (or a heat map,
    in colour only if ``colour``: a terminal of 256 colours or more)."""
    width = max(width, 30)
    source = one_line(samples.source)
    at = f"   ({samples.at})" if samples.at else ""
    if len(at) > width // 2:  # many fixed inputs (array elements): the first few
        at = at[: width // 2 - 2] + "…)"
    if len(source) + len(at) > width - 10:
        source = source[: max(width - 13 - len(at), 10)] + "..."
    if len(samples.axes) == 2:
        return [heat_panel(samples, f"f = {source}{at}", width - 2, 20, colour)]
    ((name, xs),) = samples.axes.items()
    height = 12
    panels = [
        curve_panel(xs, samples.value, f"f({name})  {source}{at}", VALUE_STYLE, width, height)
    ]
    for k, (n, partial) in enumerate(samples.partials.items()):
        style = PARTIAL_STYLES[k % len(PARTIAL_STYLES)]
        panels.append(curve_panel(xs, partial, f"∂f/∂{n}", style, width, height))
    return panels


# ---- files -----------------------------------------------------------------------------------

FIGURE_FORMATS = ("svg", "png", "pdf")


def figure(samples: Samples, path: str, fmt: str) -> None:
    """Draw the samples with matplotlib into ``path`` (``fmt``: svg, png or pdf)."""
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.hashsalt"] = "adcli"  # stable ids: same samples, same bytes
    if len(samples.axes) == 2:
        fig = _heat_figure(samples, Figure(figsize=(6.4, 5.2), layout="constrained"))
    else:
        fig = _curve_figure(samples, Figure(figsize=(6.4, 5.6), layout="constrained"))
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {"Software": None}}
    fig.savefig(path, format=fmt, metadata=metadata[fmt], dpi=150)


def _curve_figure(samples: Samples, fig):
    ((name, xs),) = samples.axes.items()
    curves = [("f", samples.value, "#1f6fb4")] + [
        (f"∂f/∂{n}", p, "#c2185b") for n, p in samples.partials.items()
    ]
    axes = fig.subplots(len(curves), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (label, ys, colour) in zip(axes, curves):
        low, high, clipped = y_limits(ys)
        ax.plot(xs, break_poles(ys, low, high), color=colour, linewidth=1.6)
        if clipped:
            ax.set_ylim(low, high)
        ax.axhline(0.0, color="#888888", linewidth=0.6)
        ax.set_ylabel(f"${_math(label)}$")
        ax.grid(True, color="#dddddd", linewidth=0.5)
    axes[0].set_title(_title(samples))
    axes[-1].set_xlabel(f"${_math(name)}$")
    return fig


def _heat_figure(samples: Samples, fig):
    import numpy as np

    (xn, xs), (yn, ys) = samples.axes.items()
    ax = fig.subplots()
    value = np.ma.masked_invalid(samples.value)
    low, high, _ = y_limits(samples.value.ravel())
    from matplotlib.ticker import MaxNLocator

    levels = MaxNLocator(16).tick_values(low, high)
    filled = ax.contourf(xs, ys, np.clip(value, low, high), levels=levels, cmap="viridis")
    ax.contour(xs, ys, value, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(filled, ax=ax, label="f")
    # The gradient field on a coarser grid, as unit arrows: the direction of steepest ascent.
    step_x, step_y = max(len(xs) // 16, 1), max(len(ys) // 16, 1)
    gx = samples.partials[xn][::step_y, ::step_x]
    gy = samples.partials[yn][::step_y, ::step_x]
    norm = np.hypot(gx, gy)
    with np.errstate(all="ignore"):
        u, v = np.where(norm > 0, gx / norm, 0.0), np.where(norm > 0, gy / norm, 0.0)
    ax.quiver(xs[::step_x], ys[::step_y], u, v, color="white", alpha=0.85, angles="xy", pivot="mid")
    ax.set_xlabel(f"${_math(xn)}$")
    ax.set_ylabel(f"${_math(yn)}$")
    ax.set_title(_title(samples))
    return fig


def _title(samples: Samples) -> str:
    """The program on one line, clipped, with ``$`` escaped (mathtext would parse it), and the
    values of the inputs that are not swept."""
    text = one_line(samples.source)
    text = text if len(text) <= 80 else text[:77] + "..."
    text = text.replace("$", r"\$")
    return text + (f"\n({samples.at})" if samples.at else "")


def _math(name: str) -> str:
    """A name for matplotlib's mathtext: ∂ as \\partial, underscores escaped."""
    return name.replace("_", r"\_").replace("∂", r"\partial ")
