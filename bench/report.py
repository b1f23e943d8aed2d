"""The benchmark's tables: one per section, and the targets met or not (``bench/run.py``).

Every function takes the rows a section measured (``bench/sections.py``) and returns Markdown.
"""

from __future__ import annotations

import statistics

from peers import PEERS
from workloads import WORKLOADS

CHECK_TOLERANCE = 1e-9  # relative: peers sum in other orders, so the last bits may differ
PATH_LABELS = {"compiled": "compiled", "pure": "pure (ADCLI_PURE=1)"}


def median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, columns padded so it also reads in a terminal; numbers to the right."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    right = [i > 0 and _numeric([r[i] for r in rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        padded = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if r else "-") for w, r in zip(widths, right)) + "|"
    return "\n".join([line(headers), rule, *map(line, rows)])


def _numeric(cells: list[str]) -> bool:
    """A column of numbers (blank cells aside)."""
    filled = [c for c in cells if c]
    return bool(filled) and all(c[0].isdigit() or c[0] == "×" for c in filled)


def secs(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.3f}" if x >= 0.1 else f"{x:.4f}" if x >= 0.001 else f"{x:.2e}"


def fixed(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def ratio(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"×{x:.{digits}f}"


def size(n: int) -> str:
    exponent = len(str(n)) - 1
    return f"10^{exponent}" if n == 10**exponent else str(n)


def check(result: dict, reference: dict | None) -> str:
    """Do the peer's value and partials agree with adcli's?"""
    if reference is None or "value" not in reference:
        return ""
    for key in ("value", "gsum", "gsq"):
        a, b = result[key], reference[key]
        if abs(a - b) > CHECK_TOLERANCE * max(abs(a), abs(b), 1e-300) and abs(a - b) > 1e-12:
            return f"differs ({key})"
    return "ok" if result.get("inputs") == reference.get("inputs") else "differs (inputs)"


def engine_tables(rows: list[dict]) -> tuple[str, str]:
    adcli = {(r["workload"], r["n"]): r for r in rows if r["peer"] == "adcli" and "total" in r}
    lines = []
    for r in rows:
        nodes = r.get("nodes") or WORKLOADS[r["workload"]].nodes(
            WORKLOADS[r["workload"]].params(r["n"])
        )
        head = [r["workload"], str(nodes), PEERS[r["peer"]][0]]
        if "total" not in r:
            note = r.get("error") or f"skipped ({r['skipped']})"
            lines.append([*head, "", "", "", "", "", "", note])
            continue
        total = median(r["total"])
        reference = adcli.get((r["workload"], r["n"]))
        sweeps = (
            median([f + b for f, b in zip(r["forward"], r["backward"])])
            if "forward" in r
            else median(r["backward"])
        )
        lines.append(
            [*head, secs(total), fixed(total / nodes * 1e6),
             ratio(total / median(reference["total"]) if reference else None),
             secs(median(r["build"])), secs(sweeps), fixed(r["peak"] / nodes, 0),
             check(r, reference) if r["peer"] != "adcli" else f"{r['runs']} runs"]
        )  # fmt: skip
    engine = table(
        ["workload", "nodes", "tool", "seconds", "µs/node", "× adcli", "build s", "gradient s",
         "peak B/node", "check / note"],
        lines,
    )  # fmt: skip
    replay = []
    for r in rows:
        if r["peer"] not in ("adcli", "adcli-pure") or "total" not in r:
            continue
        f, b = median(r["replay_forward"]), median(r["replay_backward"])
        replay.append(
            [r["workload"], str(r["nodes"]), PEERS[r["peer"]][0], secs(f), secs(b),
             fixed((f + b) / r["nodes"] * 1e6, 3), secs(median(r.get("replay_gather")))]
        )  # fmt: skip
    replay_table = table(
        ["workload", "nodes", "path", "forward s", "reverse s", "µs/node", "by name s"], replay
    )
    return engine, replay_table


def floor_table(rows: list[dict], engine_rows: list[dict]) -> str:
    replay = {
        (r["workload"], r["n"], r["peer"]): r
        for r in engine_rows
        if r["peer"] in ("adcli", "adcli-pure") and "replay_forward" in r
    }
    lines = []
    for r in rows:
        head = [r["workload"], str(r.get("nodes", ""))]
        if "error" in r:
            lines.append([*head, "", "", "", "", "", "", "", r["error"]])
            continue
        c = median([f + b for f, b in zip(r["forward"], r["backward"])])
        fresh = median([f + b for f, b in zip(r["fresh_forward"], r["fresh_backward"])])
        cells = [*head, secs(median(r["forward"])), secs(median(r["backward"])), secs(c),
                 secs(fresh)]  # fmt: skip
        for peer in ("adcli", "adcli-pure"):
            a = replay.get((r["workload"], r["n"], peer))
            t = median(a["replay_forward"]) + median(a["replay_backward"]) if a else None
            cells.append(ratio(t / c, 1) if t else "")
            if peer == "adcli":
                cells.append(ratio(t / fresh, 1) if t else "")
        same = abs(r["gsum"] - r["adcli_gsum"]) <= 1e-9 * max(1.0, abs(r["adcli_gsum"]))
        lines.append([*cells, "ok" if same and r["value"] == r["adcli_value"] else "differs"])
    return table(
        ["workload", "nodes", "C forward s", "C reverse s", "C sweeps s", "C fresh s",
         "compiled / C", "compiled / C fresh", "pure / C", "check"],
        lines,
    )  # fmt: skip


def parser_table(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        ast = row["python-ast"]
        ast_mbs = ast["bytes"] / 1e6 / median(ast["total"]) if "total" in ast else None
        for peer in ("adcli", "adcli-pure"):
            a = row.get(peer)
            if a is None:
                continue
            head = [row["workload"], PEERS[peer][0]]
            if "error" in a:
                lines.append([*head, "", "", a["error"], "", "", ""])
                continue
            t = median(a["total"])
            mbs = a["bytes"] / 1e6 / t
            lines.append(
                [*head, fixed(a["bytes"] / 1e6), str(a["nodes"]), secs(t), fixed(mbs),
                 fixed(ast_mbs), ratio(mbs / ast_mbs, 3) if ast_mbs else ast.get("error", "")[:24]]
            )  # fmt: skip
    return table(
        ["workload", "path", "MB", "nodes", "seconds", "MB/s", "ast.parse MB/s", "/ ast"], lines
    )


def cli_table(rows: list[dict]) -> str:
    pure = {(r["workload"], r["n"]): r for r in rows if r["path"] == "pure" and "seconds" in r}
    lines = []
    for r in rows:
        head = [r["workload"], str(r["nodes"]), PATH_LABELS[r["path"]]]
        if "error" in r:
            lines.append([*head, "", "", "", "", "", "", r["error"]])
            continue
        t = median(r["seconds"])
        p = pure.get((r["workload"], r["n"]))
        torch = r.get("torch")
        lines.append(
            [*head, secs(t), fixed(t / r["nodes"] * 1e6), fixed(r["peak"] / r["nodes"], 0),
             ratio(median(p["seconds"]) / t if p else None), ratio(torch / t if torch else None),
             r.get("check", "")]
        )  # fmt: skip
    return table(
        ["workload", "nodes", "path", "eval s", "µs/node", "peak B/node", "pure / this",
         "PyTorch / this", "check"],
        lines,
    )  # fmt: skip


def arrays_table(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        head = [r["program"], r["source"], str(r["n"]), PATH_LABELS[r["path"]]]
        if "error" in r:
            lines.append([*head, "", "", r["error"]])
            continue
        t = median(r["seconds"])
        lines.append([*head, secs(t), fixed(r["peak"] / 2**20, 0), r.get("check", "")])
    return table(["program", "x from", "elements", "path", "eval s", "peak MB", "check"], lines)


def start_table(start: dict) -> str:
    times = start["times"]
    base = median(times["python -c pass"])
    lines = []
    for label, values in times.items():
        if not values:
            lines.append([label, "failed", "", ""])
            continue
        m = median(values)
        lines.append([label, fixed(m * 1e3, 1), fixed(min(values) * 1e3, 1), ratio(m / base)])
    if not start["qalc"]:
        lines.append(["qalc (not installed: apt-get install qalc)", "", "", ""])
    return table(["command", "median ms", "min ms", "× python -c pass"], lines)
