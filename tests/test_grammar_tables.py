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
