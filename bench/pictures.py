"""How fast adcli's pictures and generated code are, as ratios measured in the same run.

    python bench/pictures.py

* ``plot`` — sampling a program's value and derivative at N points by the numpy replay (what
  ``adcli plot`` does) against one float-engine gradient per point (the baseline): the ratio is
  the speed-up the replay buys.
* ``codegen`` — ``diff --to`` for a program of ~10^4 nodes: time of each language against
  printing the same gradient graph as adcli's own language (the baseline), and bytes per node.
* ``html`` — ``tree --html``'s page for the same program against the DOT text of its graph.

Times are medians of a few runs, in this process.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from adcli import compile as compile_program


def median_time(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def big_program(lines: int = 600) -> str:
    from test_codegen import big_program as make

    return make(lines)


def plot_section() -> None:
    from adcli.commands.plot import sample

    source = "h = tanh(w*x + b); (h - t)^2 + sigmoid(h) * softplus(x)"
    program = compile_program(source)
    bound = {"w": 0.5, "b": 0.1, "t": 1.0}
    print("plot: sampling value and d/dx (numpy replay vs one float gradient per point)")
    for n in (1_000, 10_000, 100_000):
        replay = median_time(lambda n=n: sample(program, {"x": (-3.0, 3.0)}, bound, n))
        points = [{**bound, "x": -3.0 + 6.0 * k / (n - 1)} for k in range(min(n, 2_000))]
        per_point = median_time(lambda pts=points: [program.gradient(p) for p in pts], 3)
        baseline = per_point * n / len(points)
        print(
            f"  N = {n:>7,}: replay {replay * 1e3:8.2f} ms, float engine {baseline * 1e3:9.2f} ms"
            f"  ({baseline / replay:5.1f}x)"
        )


def codegen_section(program, graph) -> None:
    from adcli.codegen import generate
    from adcli.printer import program_text

    names = list(program.inputs)
    base = median_time(lambda: program_text(graph.tape, {n: graph.gradient[n] for n in names}), 3)
    print(f"codegen: {len(program.tape):,} program nodes, {len(graph.tape):,} gradient-graph nodes")
    print(f"  adcli (baseline)   {base * 1e3:8.1f} ms")
    for language in ("python", "numpy", "c", "latex"):
        text = generate(graph, names, language, program.source)
        seconds = median_time(lambda lang=language: generate(graph, names, lang), 3)
        print(
            f"  {language:<18} {seconds * 1e3:8.1f} ms  ({seconds / base:4.2f}x)"
            f"  {len(text) / len(graph.tape):5.1f} bytes/node"
        )


def html_section(program) -> None:
    from adcli.engine.evaluation import evaluate
    from adcli.render.dot import dot
    from adcli.render.html import html_page

    ev = evaluate(program, {"x": 0.3, "y": -0.2, "z": 0.7})
    base = median_time(lambda: dot(ev), 3)
    page = median_time(lambda: html_page(ev), 3)
    size = len(html_page(ev))
    print(f"html: {len(program.tape):,} nodes")
    print(f"  dot text (baseline) {base * 1e3:7.1f} ms")
    print(
        f"  html page           {page * 1e3:7.1f} ms  ({page / base:4.2f}x)"
        f"  {size / len(program.tape):5.1f} bytes/node"
    )


def main() -> None:
    from adcli.engine import symbolic_gradient

    plot_section()
    program = compile_program(big_program())
    codegen_section(program, symbolic_gradient(program))
    html_section(program)


if __name__ == "__main__":
    main()
