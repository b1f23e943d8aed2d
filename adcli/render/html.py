"""The evaluated graph as one self-contained HTML page (``adcli tree --html FILE``).

Everything is inline — CSS, the graph as JSON, a small script — so the page opens from a file in
any browser without a network.  The script draws the graph as a collapsible tree rooted at the
output: each node shows its operation, value and adjoint ∂f/∂node, each argument its g_weight
(the local derivative of the node using it); children are built only when a node is opened, so
a large or deeply shared graph costs only what is looked at.  Below it a table lists every node
in creation order, and reads without JavaScript too.  Numbers are the pictures' own text (round
trip exact, or ``--digits``), computed here, never by the script.
"""

from __future__ import annotations

import json
from html import escape

from ..primitives import CONST, INPUT
from .nodes import number, operation

OPEN_LEVELS = 3  # levels of the tree open when the page loads

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto;
  max-width: 70rem; padding: 0 1rem; color: #1d2330; background: #fff; }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
pre.program { background: #f4f6fa; border: 1px solid #dde2ea; padding: .6rem .8rem;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 12rem; overflow: auto; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e3e7ee; padding: .2rem .7rem; text-align: left; }
th { background: #f4f6fa; }
td.num { text-align: right; font-family: ui-monospace, monospace; }
.toolbar button { font: inherit; margin-right: .4rem; padding: .15rem .6rem; }
.tree ul { list-style: none; margin: 0; padding-left: 1.4rem; border-left: 1px dotted #b8c0cc; }
.tree > ul { border-left: none; padding-left: 0; }
.tree summary, .tree .leaf { cursor: default; padding: .05rem 0; }
.tree summary { cursor: pointer; }
.op { font-weight: 600; color: #5b2a86; font-family: ui-monospace, monospace; }
.name { color: #0b5cad; font-weight: 600; }
.g { color: #8a5a00; font-family: ui-monospace, monospace; }
.val, .adj { font-family: ui-monospace, monospace; margin-left: .6rem; }
.adj { color: #1c7a3d; }
.ref { color: #7a8494; font-size: .85em; margin-left: .5rem; }
.output > summary .op { text-decoration: underline; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph").textContent);
  var nodes = data.nodes;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function label(parent, node, g) {
    if (g !== null) parent.appendChild(el("span", "g", "g = " + g + "  "));
    parent.appendChild(el("span", "op", node.op));
    if (node.name) parent.appendChild(el("span", "name", " " + node.name));
    parent.appendChild(el("span", "val", "value " + node.value));
    parent.appendChild(el("span", "adj", "\\u2202f/\\u2202\\u00b7 " + node.adjoint));
    if (node.uses > 1) parent.appendChild(el("span", "ref", "used " + node.uses + " times"));
    parent.appendChild(el("span", "ref", "#" + node.id + (node.at ? " at " + node.at : "")));
  }
  function item(id, g, depth) {
    var node = nodes[id], li = el("li");
    if (node.inputs.length === 0) {
      var leaf = el("div", "leaf");
      label(leaf, node, g);
      li.appendChild(leaf);
      return li;
    }
    var details = el("details", "node" + (id === data.output ? " output" : ""));
    details.dataset.id = id;
    var summary = el("summary");
    label(summary, node, g);
    details.appendChild(summary);
    details.addEventListener("toggle", function () { fill(details, depth); });
    if (depth < data.open) details.open = true;
    li.appendChild(details);
    return li;
  }
  function fill(details, depth) {
    if (!details.open || details.dataset.filled) return;
    details.dataset.filled = "1";
    var ul = el("ul"), node = nodes[+details.dataset.id];
    node.inputs.forEach(function (pair) { ul.appendChild(item(pair[0], pair[1], depth + 1)); });
    details.appendChild(ul);
  }
  var root = el("ul");
  root.appendChild(item(data.output, null, 0));
  document.getElementById("tree").appendChild(root);
  root.querySelectorAll("details").forEach(function (d) { fill(d, 0); });
  document.getElementById("expand").addEventListener("click", function () {
    // Open level by level, at most a few thousand nodes: a shared graph unfolds exponentially.
    var budget = 3000, closed;
    while (budget > 0 && (closed = document.querySelectorAll("#tree details:not([open])")).length) {
      for (var i = 0; i < closed.length && budget > 0; i++, budget--) closed[i].open = true;
    }
  });
  document.getElementById("collapse").addEventListener("click", function () {
    document.querySelectorAll("#tree details").forEach(function (d) { d.open = false; });
  });
  document.body.dataset.rendered = "1";
})();
"""


def html_page(ev, digits: int | None = None, title: str = "") -> str:
    """The whole page for an evaluation (``adcli.engine.evaluation.Evaluation``), as text."""
    program, tape = ev.program, ev.program.tape
    uses = [0] * len(tape)
    for i in range(len(tape)):
        for a, _ in ev.inputs_of(i):
            uses[a] += 1
    records = []
    rows = []
    for i in range(len(tape)):
        names = ev.names.get(i, ())
        k = tape.op[i]
        op = "constant" if k == CONST and not names else operation(tape, i)
        value, adjoint = number(ev.values[i], digits), number(ev.adjoint[i], digits)
        inputs = [[a, number(g, digits)] for a, g in ev.inputs_of(i)]
        record = {"id": i, "op": op, "value": value, "adjoint": adjoint, "inputs": inputs}
        if names:
            record["name"] = ", ".join(names)
        if uses[i] > 1:
            record["uses"] = uses[i]
        records.append(record)
        args = ", ".join(f"#{a} (g = {g})" for a, g in inputs)
        rows.append(
            f'<tr id="n{i}"><td class="num">{i}</td><td>{escape(op)}</td>'
            f'<td>{escape(record.get("name", ""))}</td><td class="num">{escape(value)}</td>'
            f'<td class="num">{escape(adjoint)}</td><td>{escape(args)}</td></tr>'
        )
    data = {"nodes": records, "output": program.output, "open": OPEN_LEVELS}
    # `</script>` (or `<!--`) inside the JSON would end the script element: escape every `<`.
    payload = json.dumps(data, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")
    inputs = [i for i in range(len(tape)) if tape.op[i] == INPUT]
    gradient_rows = "".join(
        f"<tr><td>{escape(', '.join(ev.names.get(i, ())))}</td>"
        f'<td class="num">{escape(number(ev.values[i], digits))}</td>'
        f'<td class="num">{escape(number(ev.adjoint[i], digits))}</td></tr>'
        for i in inputs
    )
    out = program.output
    table = "\n".join(rows)
    heading = escape(f"{title} — adcli tree" if title else "adcli tree")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>adcli tree</h1>
<pre class="program">{escape(program.source)}</pre>
<p>f = <b class="val" id="value">{escape(number(ev.values[out], digits))}</b></p>
<table class="gradient">
<tr><th>input</th><th>value</th><th>∂f/∂input</th></tr>
{gradient_rows}
</table>
<h2>The graph</h2>
<p>Each node: its operation, value and adjoint ∂f/∂node; each argument's <span class="g">g</span> is
the local derivative of the node above with respect to it. Click a node to open or close it.</p>
<div class="toolbar"><button id="expand" type="button">Open all</button><button id="collapse"
type="button">Close all</button></div>
<div id="tree" class="tree"></div>
<noscript><p>The tree needs JavaScript; the table below lists every node.</p></noscript>
<details class="all-nodes"><summary>All {len(tape)} nodes, in creation order</summary>
<table>
<tr><th>#</th><th>operation</th><th>name</th><th>value</th><th>∂f/∂node</th><th>arguments (g_weight)</th></tr>
{table}
</table>
</details>
<script type="application/json" id="graph">{payload}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""
