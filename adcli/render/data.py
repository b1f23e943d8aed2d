"""The graph as strict-JSON-able data (``tree --json``, ``trace --json``): nodes in creation
order with their operation, names, value, adjoint, g_weighted inputs and source position.
Made record by record, so ``graph_json`` writes a big graph as it goes (no whole document)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

from ..primitives import BY_CODE, CONST, INPUT
from ..text import locator


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def graph_data(ev) -> dict:
    """The graph as strict-JSON-able data, nodes in creation order; a g_weight or adjoint that is
    not finite (a derivative undefined or infinite where nothing flows through it) is None."""
    return {"nodes": list(node_records(ev)), "output": ev.program.output}


def graph_json(ev) -> Iterator[str]:
    """``graph_data`` as strict JSON text (one line, then a new line), made node by node so a
    big graph is written as it goes: the same bytes as ``json.dumps(graph_data(ev))``."""
    yield '{"nodes": ['
    first = True
    for record in node_records(ev):
        yield (_dumps(record) if first else ", " + _dumps(record))
        first = False
    yield f'], "output": {ev.program.output}}}\n'


def _dumps(record: dict) -> str:
    return json.dumps(record, allow_nan=False)


def node_records(ev) -> Iterator[dict]:
    """One record per node, in creation order."""
    program, tape = ev.program, ev.program.tape
    where = locator(program.source)
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
        yield record
