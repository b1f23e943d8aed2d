"""The graph as a picture: ``tree --html FILE`` (a self-contained page, rendered in headless
Chromium where one is installed) and ``dot --output FILE.svg|png|pdf`` (through Graphviz where
it is installed; a status-2 hint where it is not)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest
from conftest import run_adcli

from adcli import compile as compile_program
from adcli.engine.evaluation import evaluate
from adcli.render.html import html_page

SEED = "x*y + sin(x)"
POINT = {"x": 0.5, "y": 4.2}


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def page(source: str = SEED, point=POINT, digits=None) -> str:
    return html_page(evaluate(compile_program(source), point), digits, source)


def embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="graph">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def test_page_is_self_contained_and_carries_the_numbers():
    html = page()
    # No network: nothing is fetched, no external script, style, font or image.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    data = embedded(html)
    out = data["nodes"][data["output"]]
    assert out["value"] == "2.579425538604203" and out["adjoint"] == "1.0"
    x = next(n for n in data["nodes"] if n.get("name") == "x")
    assert x["adjoint"] == "5.077582561890373"  # y + cos(x), the seed's golden partial
    mul = next(n for n in data["nodes"] if n["op"] == "*")
    assert [g for _, g in mul["inputs"]] == ["4.2", "0.5"]  # g_weights: d(x*y)/dx = y, /dy = x
    assert "5.077582561890373" in html.split('<script type="application/json"')[0]  # the table


def test_program_text_cannot_break_out_of_the_page():
    source = "x # </script><script>alert(1)</script> <!--\n+ 1"
    html = page(source, {"x": 1.0})
    assert html.count("<script") == 2 and "alert(1)</script>" not in html
    assert embedded(html)["nodes"]


def test_digits_rounds_the_page():
    data = embedded(page(digits=4))
    assert data["nodes"][data["output"]]["value"] == "2.579"


def test_cli_writes_the_page(tmp_path):
    target = tmp_path / "graph.html"
    done = run_adcli("tree", SEED, "--x", "0.5", "--y", "4.2", "--html", str(target))
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert embedded(target.read_text())["output"] == compile_program(SEED).output
    bad = run_adcli("tree", SEED, "--x", "0.5", "--y", "4.2", "--html", str(tmp_path / "no/x.html"))
    assert bad.returncode == 2 and "cannot write" in bad.stderr


def test_page_renders_in_headless_chromium(tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium on PATH (apt-get install chromium)")
    target = tmp_path / "graph.html"
    target.write_text(page("h = tanh(w*x + b); (h - t)^2", {"w": 0.5, "x": 2, "b": -1, "t": 1}))
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", target.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-rendered="1"' in dom  # the script ran to its end
    # The tree was built by the script: the output node and its arguments, with g_weights.
    assert dom.count('class="node') >= 3 and 'class="g"' in dom
    assert "value 0.0" in dom  # h = tanh(0.5*2 - 1) = 0


# ---- dot --output ------------------------------------------------------------------------------


def test_dot_output_dot_text(tmp_path):
    target = tmp_path / "graph.dot"
    done = run_adcli("dot", SEED, "--x", "0.5", "--y", "4.2", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_text() == run_adcli("dot", SEED, "--x", "0.5", "--y", "4.2").stdout


def test_dot_output_refuses_unknown_suffix(tmp_path):
    done = run_adcli("dot", SEED, "--x", "0.5", "--y", "4.2", "--output", str(tmp_path / "g.bmp"))
    assert done.returncode == 2 and ".svg" in done.stderr


def test_dot_output_without_graphviz_is_a_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no `dot` to find, in-process or not
    target = tmp_path / "g.svg"
    done = run_adcli("dot", SEED, "--x", "0.5", "--y", "4.2", "--output", str(target))
    assert done.returncode == 2 and "Graphviz" in done.stderr and "install" in done.stderr
    assert not target.exists()


@pytest.mark.parametrize("suffix", ["svg", "png", "pdf"])
def test_dot_output_draws_with_graphviz(tmp_path, suffix):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz (dot) is not installed")
    target = tmp_path / f"g.{suffix}"
    done = run_adcli("dot", SEED, "--x", "0.5", "--y", "4.2", "--output", str(target))
    assert done.returncode == 0, done.stderr
    data = target.read_bytes()
    if suffix == "svg":
        root = ElementTree.fromstring(data)
        assert root.tag.endswith("svg")
        assert "5.077582561890373" in data.decode()  # x's adjoint is drawn
    elif suffix == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000
    else:
        assert data.startswith(b"%PDF") and len(data) > 1000


def test_graph_files_are_not_left_half_written_on_error(tmp_path):
    target = tmp_path / "g.svg"
    done = run_adcli("dot", "log(x)", "--x", "-1", "--output", str(target))
    assert done.returncode == 1 and not target.exists()
