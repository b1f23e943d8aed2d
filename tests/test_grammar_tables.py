"""The frozen LALR tables are exactly what lark makes of grammar/adcli.lark today."""

from adcli import _tables, grammar_tables


def test_frozen_tables_match_the_grammar():
    path = grammar_tables.grammar_path()
    assert path is not None, "grammar/adcli.lark must ship with the package"
    with open(path, "rb") as handle:
        raw = handle.read()
    assert grammar_tables.grammar_crc(raw) == _tables.GRAMMAR_CRC, (
        "grammar/adcli.lark changed: run `python -m adcli.grammar_tables`"
    )
    assert raw == _tables.GRAMMAR  # the copy start-up compares the file with
    fresh = grammar_tables.build(raw.decode())
    for key, value in fresh.items():
        assert getattr(_tables, key) == value, key


def test_an_edited_grammar_is_rebuilt_from_source_not_ignored(monkeypatch):
    import importlib

    parse = importlib.import_module("adcli.parse")

    assert parse._load_tables()["STATES"] is _tables.STATES  # unedited: the frozen tables
    monkeypatch.setattr(_tables, "GRAMMAR", _tables.GRAMMAR + b"\n")
    rebuilt = parse._load_tables()
    assert rebuilt["STATES"] == _tables.STATES  # rebuilt by lark, same grammar, same tables
    assert rebuilt["STATES"] is not _tables.STATES


PROGRAMS = [
    "x*y + sin(x)",
    "h = tanh(w*x + b); (h - t)^2  # comment\n",
    "a <= b != c >= d == e < f > g",
    "x ** 2 ^ 3 @ W[1, 0] + v[1:] - .5e-3 / 7.",
    "\t\f1.5e+10\n;;\n y = x",
    "x $ y é ١٢",  # characters no token takes: _BAD
]


def _tokens(scanner, text):
    return [(m.lastgroup, m.group()) for m in scanner.finditer(text)]


def test_the_compiled_scanner_is_cached_beside_the_bytecode_and_is_the_same_regex(
    monkeypatch, tmp_path
):
    import re

    pattern = grammar_tables.scanner_regex(_tables.TERMINALS).pattern
    fresh = re.compile(pattern, re.ASCII)
    first = grammar_tables.compile_cached(pattern, re.ASCII, "scanner", str(tmp_path), write=True)
    (cache,) = tmp_path.iterdir()
    assert cache.name.startswith("scanner.") and cache.name.endswith(".sre")

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled again: the cache was not used")

    monkeypatch.setattr(re, "compile", no_compile)
    cached = grammar_tables.compile_cached(pattern, re.ASCII, "scanner", str(tmp_path))
    monkeypatch.undo()
    assert cached is not first and cached is not fresh
    # Pattern equality is CPython's: same flags and the same program, code word for code word.
    assert cached == fresh and cached.groupindex == fresh.groupindex
    assert cached.groups == fresh.groups and cached.flags == fresh.flags
    for text in PROGRAMS:
        assert _tokens(cached, text) == _tokens(fresh, text)


def test_a_stale_or_broken_scanner_cache_is_compiled_again(tmp_path):
    import re

    other = grammar_tables.compile_cached("(?P<A>a)|b", re.ASCII, "scanner", str(tmp_path), True)
    assert other == re.compile("(?P<A>a)|b", re.ASCII)
    pattern = grammar_tables.scanner_regex(_tables.TERMINALS).pattern
    fresh = re.compile(pattern, re.ASCII)
    # a cache of another pattern under the same name: not used, and replaced
    got = grammar_tables.compile_cached(pattern, re.ASCII, "scanner", str(tmp_path), True)
    assert got == fresh
    (cache,) = tmp_path.iterdir()
    assert pattern.encode() in cache.read_bytes()
    for garbage in (b"", b"\x00garbage", cache.read_bytes()[:-7]):
        cache.write_bytes(garbage)
        got = grammar_tables.compile_cached(pattern, re.ASCII, "scanner", str(tmp_path), False)
        assert got == fresh and _tokens(got, PROGRAMS[1]) == _tokens(fresh, PROGRAMS[1])
        assert cache.read_bytes() == garbage  # write=False (PYTHONDONTWRITEBYTECODE): left alone
    missing = tmp_path / "not" / "there"
    assert grammar_tables.compile_cached(pattern, re.ASCII, "scanner", str(missing), False) == fresh
    assert not missing.exists()
