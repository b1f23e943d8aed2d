"""The README's Python examples run as written (doctest)."""

import doctest

from conftest import ROOT


def test_readme_examples():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False)
    assert result.failed == 0
