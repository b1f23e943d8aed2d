"""The graph as strict-JSON-able data (``tree --json``, ``trace --json``): nodes in creation
order with their operation, names, value, adjoint, g_weighted inputs and source position."""

from __future__ import annotations

import gc
import math

from ..errors import locator
from ..primitives import BY_CODE, CONST, INPUT


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def graph_data(ev) -> dict:
    """The graph as strict-JSON-able data, nodes in creation order; a g_weight or adjoint that is
    not finite (a derivative undefined or infinite where nothing flows through it) is None."""
    # Millions of small containers and no cycles: the cyclic collector would rescan them all
    # again and again (most of the time on a big graph), so it waits until the data is built.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _graph_data(ev)
    finally:
        if paused:
            gc.enable()


def _graph_data(ev) -> dict:
    program, tape = ev.program, ev.program.tape
    where = locator(program.source)
    nodes = []
    for i in range(len(tape)):
        k = tape.op[i]
        record: dict[str, object] = {"id": i}
        record["op"] = "input" if k == INPUT else "const" if k == CONST else BY_CODE[k].name
        names = ev.names.get(i)
        if names:
            record["name"] = names[0]
            if len(names) > 1:
                record["names"] = list(names)
        record["value"] = ev.values[i]
        record["adjoint"] = _finite(ev.adjoint[i])
        record["inputs"] = [[a, _finite(g)] for a, g in ev.inputs_of(i)]
        record["at"] = where(tape.at[i])
        nodes.append(record)
    return {"nodes": nodes, "output": program.output}
