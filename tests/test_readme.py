"""The README and docs/ show real output: every console example and every script with its output
is run and compared (docs/examples.py finds and runs them), and every Python example runs as
written (doctest).

After a deliberate change of output: ``python docs/examples.py --update`` rewrites what the pages
show from the real commands; read the diff.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import sys

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("doc_examples", ROOT / "docs" / "examples.py")
doc_examples = sys.modules["doc_examples"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(doc_examples)

EXAMPLES = doc_examples.all_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_doc_example_prints_what_it_shows(example):
    missing = example.missing_tools()
    if missing:
        pytest.skip(f"needs {', '.join(missing)}, which is not installed")
    assert doc_examples.run(example) == example.shown


@pytest.mark.parametrize(
    "page",
    # docs/api.md has its own test (tests/test_api.py)
    [p for p in doc_examples.PAGES if ">>> " in p.read_text() and p.name != "api.md"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_doc_python_examples(page):
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_readme_is_short_and_its_quick_start_is_two_commands():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 300
    quick = re.search(r"^## Quick start\n(.*?)^## ", text, re.DOTALL | re.MULTILINE).group(1)
    block = re.search(r"```sh\n(.*?)```", quick, re.DOTALL).group(1)
    commands = block.strip().splitlines()
    assert len(commands) == 2
    assert all(c.startswith("python3 -m venv .venv && .venv/bin/pip install") for c in commands)


def test_every_page_is_linked_and_every_link_resolves():
    readme = (ROOT / "README.md").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        assert f"](docs/{page.name})" in readme, f"README does not link docs/{page.name}"
    for page in doc_examples.PAGES:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


INTERNAL = re.compile(r"\b(the seed|the contract|issue \d+|issues? #?\d+)\b", re.IGNORECASE)


def test_no_internal_vocabulary():
    for page in [*doc_examples.PAGES, ROOT / "CHANGELOG.md"]:
        found = INTERNAL.findall(page.read_text())
        assert not found, f"{page.name}: {found}"
