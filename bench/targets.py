"""The compiled core's targets, met or not, from one run's rows (``bench/run.py``'s last table).

- a 10^6-node program from text, end to end (``adcli eval -f P --at X --json``): ≥ 10× faster
  than the pure-Python path, and ≥ 20× faster than PyTorch's build + backward of the same graph;
- sweeps on a built tape: within 3× of a plain C loop over the same arrays;
- parse: ≥ 20 MB/s of program text;
- cold start of ``eval --json``: ≤ 2.5× ``python -c pass`` (and, given ``--baseline``, no slower
  than that older adcli in the same run);
- memory per node: not more than the pure-Python path's.

Each is checked at the largest size measured (a smoke run's sizes say little about 10^6).
"""

from __future__ import annotations

from report import PATH_LABELS, median, secs, size, table


def targets(engine_rows, parser_rows, cli_rows, floor_rows, start) -> str:
    lines: list[list[str]] = []

    def add(target: str, measured: str, met: bool | None) -> None:
        lines.append([target, measured, "" if met is None else ("yes" if met else "NO")])

    _end_to_end(cli_rows, engine_rows, add)
    _sweeps(floor_rows, engine_rows, add)
    for row in parser_rows:
        a = row.get("adcli")
        if a and "total" in a:
            mbs = a["bytes"] / 1e6 / median(a["total"])
            add(f"{row['workload']}: parse ≥ 20 MB/s ({a['bytes'] / 1e6:.2f} MB)",
                f"{mbs:.2f} MB/s", mbs >= 20)  # fmt: skip
    if start:
        times = start["times"]
        py = median(times["python -c pass"])
        base = [v for label, v in times.items() if label.startswith("baseline") and v]
        for label, values in times.items():
            if label.startswith("adcli") and values:
                cold = median(values)
                add(f"cold start ≤ 2.5× python -c pass: {label}",
                    f"{cold * 1e3:.0f} ms = ×{cold / py:.2f}", cold <= 2.5 * py)  # fmt: skip
                if base:  # --baseline: no slower than the older adcli, in the same run
                    old = median(base[0])
                    add(f"cold start ≤ the baseline's ({old * 1e3:.0f} ms): {label}",
                        f"×{cold / old:.2f} of it", cold <= old)  # fmt: skip
    return table(["target", "measured", "met"], lines)


def _end_to_end(cli_rows, engine_rows, add) -> None:
    if not cli_rows:
        return
    top = max(r["n"] for r in cli_rows)
    at = {(r["workload"], r["path"]): r for r in cli_rows if r["n"] == top and "seconds" in r}
    torch = {r["workload"]: r for r in engine_rows if r["peer"] == "torch" and r["n"] == top}
    for name in dict.fromkeys(r["workload"] for r in cli_rows):
        c, p = at.get((name, "compiled")), at.get((name, "pure"))
        where = f"{name} at {size(top)}"
        if not c:
            add(f"{where}: end to end, compiled", "failed or not run", False)
            continue
        t = median(c["seconds"])
        if p:
            r = median(p["seconds"]) / t
            add(f"{where}: end to end ≥ 10× the pure path",
                f"{t:.3f} s vs {median(p['seconds']):.3f} s = ×{r:.2f}", r >= 10)  # fmt: skip
            per_c, per_p = c["peak"] / c["nodes"], p["peak"] / p["nodes"]
            add(f"{where}: peak memory per node ≤ the pure path's",
                f"{per_c:.0f} vs {per_p:.0f} B/node", per_c <= per_p)  # fmt: skip
        t_torch = median(torch[name]["total"]) if name in torch and "total" in torch[name] else None
        if t_torch:
            r = t_torch / t
            add(f"{where}: end to end ≥ 20× PyTorch build + backward",
                f"{t:.3f} s vs {t_torch:.3f} s = ×{r:.2f}", r >= 20)  # fmt: skip
        else:
            add(f"{where}: end to end ≥ 20× PyTorch build + backward", "PyTorch not measured", None)


def _sweeps(floor_rows, engine_rows, add) -> None:
    done = [r for r in floor_rows if "forward" in r]
    if not done:
        for r in floor_rows[:1]:
            add("sweeps within 3× of plain C", r.get("error", "not run"), None)
        return
    top = max(r["n"] for r in done)
    replay = {
        r["workload"]: r
        for r in engine_rows
        if r["peer"] == "adcli" and r["n"] == top and "replay_forward" in r
    }
    for r in done:
        if r["n"] != top or r["workload"] not in replay:
            continue
        a = replay[r["workload"]]
        t = median(a["replay_forward"]) + median(a["replay_backward"])
        c = median([f + b for f, b in zip(r["forward"], r["backward"])])
        add(f"{r['workload']} at {size(top)}: sweeps ({PATH_LABELS['compiled']}) within 3× of C",
            f"{secs(t)} s vs {secs(c)} s = ×{t / c:.2f}", t <= 3 * c)  # fmt: skip
