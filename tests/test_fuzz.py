"""Property tests: whatever the input, adcli keeps its contract (a short budget for CI).

Inputs come from hypothesis: random bytes on stdin, random Unicode as PROGRAM, mutations of
valid programs, grammar-generated programs and random command lines.  The bulk runs in-process
through ``adcli.cli.run`` (a subprocess costs ~25 ms); a sample goes through the real console
script.  The oracle, generators and runners are ``tests/fuzzing.py``'s; ``bench/fuzz.py``'s long
run uses the same ones.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import fuzzing as fuzz
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COUNTS: Counter = Counter()
FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # CI runs are reproducible; bench/fuzz.py explores
)
BINDINGS = ["--x", "0.5", "--y=2", "z=-1.5", "--at", '{"w": 0.25, "b": 1, "t": 3}']


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\nfuzz inputs per class:", dict(sorted(COUNTS.items())))


def holds(cls: str, args: list[str], stdin: bytes = b"", expect=(0, 1, 2)) -> fuzz.Outcome:
    COUNTS[cls] += 1
    outcome = fuzz.run_inprocess(args, stdin)
    found = fuzz.problems(args, outcome, expect)
    assert not found, (
        f"{found}\nargs={args!r}\nstdin={stdin[:300]!r}\nstderr={outcome.stderr[:600]}"
    )
    return outcome


# -- random bytes and Unicode ------------------------------------------------------------------

PROGRAM_BYTES = st.lists(st.sampled_from(list(b"xy()+-*/^.,;=#\n\t e01\x00\xff\xc3")), max_size=40)


@FAST
@given(st.one_of(st.binary(max_size=80), PROGRAM_BYTES.map(bytes)), st.booleans())
def test_random_bytes_on_stdin(data: bytes, through_file: bool):
    how = ["-f", "-"] if through_file else ["-"]
    try:
        data.decode("utf-8")
        expect = (0, 1, 2)
    except UnicodeDecodeError:
        expect = (2,)  # not UTF-8: a usage error, whatever else is in it
    holds("random bytes", ["eval", *how, "--json", *BINDINGS], data, expect)


# Everything a well-formed program can hold outside a comment.
LANGUAGE = re.compile(r"[A-Za-z0-9_.+\-*/^(),;=\s]*")


@FAST
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=40))
def test_random_unicode_program(text: str):
    foreign = "#" not in text and not LANGUAGE.fullmatch(text)
    holds(
        "random unicode",
        ["eval", "--json", *BINDINGS, "--", text],
        expect=(2,) if foreign else (0, 1, 2),
    )


# -- mutations of valid programs ---------------------------------------------------------------

MUTATIONS = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 10_000), st.integers(0, 10_000)),
    min_size=1,
    max_size=4,
)
INSERTS = ("(", ")", ",", "=", ";", "\n", "^", "**", "e", "1e999", "#", "-", "pi")


def apply_mutations(text: str, mutations) -> str:
    tokens = fuzz.TOKEN.findall(text)
    for op, i, j in mutations:
        if not tokens:
            tokens = ["("]
        i %= len(tokens)
        if op == 0:
            del tokens[i]  # a token deleted
        elif op == 1:
            tokens.insert(i, tokens[i])  # doubled
        elif op == 2:
            j %= len(tokens)
            tokens[i], tokens[j] = tokens[j], tokens[i]  # swapped
        elif op == 3:
            tokens.insert(i, "()"[j % 2])  # parentheses unbalanced
        elif op == 4:
            tokens.insert(i, INSERTS[j % len(INSERTS)])
        else:
            tokens = tokens[:i]  # truncated
    return "".join(tokens)


@FAST
@given(st.sampled_from(fuzz.VALID), MUTATIONS)
def test_mutated_programs(text: str, mutations):
    mutated = apply_mutations(text, mutations)
    holds("mutated", ["eval", *BINDINGS, "--json", "--quiet", "--", mutated])


# -- grammar-generated programs ----------------------------------------------------------------

LEAVES = st.one_of(
    st.sampled_from(("x", "y", "z", "w", "pi", "e")),
    st.sampled_from(("2", "2.5", ".5", "5.", "1e-3", "1E+3", "0", "10")),
)


def _combine(inner):
    unary = st.sampled_from(sorted(n for n, a in fuzz.ARITIES.items() if 1 in a))
    binary = st.sampled_from(sorted(n for n, a in fuzz.ARITIES.items() if 2 in a))
    op = st.sampled_from(("+", "-", "*", "/", "^", "**"))
    return st.one_of(
        st.tuples(inner, op, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(st.sampled_from("-+"), inner).map("".join),
        inner.map(lambda s: f"({s})"),
        st.tuples(unary, inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(binary, inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
    )


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=12)


@st.composite
def programs(draw) -> str:
    statements = [f"v{i} = {draw(EXPRESSIONS)}" for i in range(draw(st.integers(0, 2)))]
    last = draw(EXPRESSIONS) + "".join(f" + v{i}" for i in range(len(statements)))
    separator = draw(st.sampled_from(("; ", "\n", ";\n# note\n", " ;; ")))
    return separator.join([*statements, last])


@FAST
@given(programs())
def test_grammar_programs_evaluate_or_fail_cleanly(text: str):
    # Every input is bound, so the text is fine: it evaluates (0) or not at this point (1).
    outcome = holds("grammar", ["eval", text, *BINDINGS, "--json", "--quiet"], expect=(0, 1))
    if outcome.status == 0:
        data = fuzz.strict_json(outcome.stdout)
        used = [n for n in ("x", "y", "z", "w") if re.search(rf"\b{n}\b", text)]
        first = {n: re.search(rf"\b{n}\b", text).start() for n in used}
        assert list(data["gradient"])[: len(used)] == sorted(used, key=first.get)


# -- random command lines ----------------------------------------------------------------------

WORDS = (
    "x*y", "-x^2", "x", "h = x; h*y", "log(x)", "x +", "-", "--", "--json", "--quiet", "--help",
    "--x", "--y", "--x=1", "x=2", "y=-1.5", "--x=nan", "x=inf", "--pi", "e=1", "--json=1",
    "--at", '{"x": 1}', '{"x": "1"}', "{", "--digits", "0", "18", "6", "--wrt", "x,y", "q",
    "--max-size", "1K", "0", "zz", "-f", "--file", "/nonexistent", "1e999", "", " ", "-1.5",
)  # fmt: skip


@FAST
@given(st.sampled_from(sorted(fuzz.COMMANDS)), st.lists(st.sampled_from(WORDS), max_size=8))
def test_random_command_lines(command: str, words: list[str]):
    holds("command line", [command, *words])


@settings(FAST, max_examples=40)
@given(
    st.lists(st.sampled_from(("eval", "nonsense", "--version", "--bogus", "-x", "--")), max_size=3)
)
def test_random_top_level_lines(words: list[str]):
    holds("top level", words)


# -- a sample through the real console script --------------------------------------------------


@pytest.mark.parametrize("cls", sorted(fuzz.CLASSES))
def test_sample_through_console_script(cls: str):
    if cls == "batch faults" and not fuzz.batch_exists():
        pytest.skip("--batch does not exist yet")
    rng = random.Random(cls)
    # One input per class through the real script: the in-process tests above run the bulk.
    args, stdin, expect = fuzz.CLASSES[cls](rng)
    COUNTS[f"script: {cls}"] += 1
    outcome = fuzz.run_subprocess(args, stdin)
    found = fuzz.problems(args, outcome, expect)
    assert not found, f"{found}\n{fuzz.reproducer(args, stdin, 0)}"


def test_json_oracle_rejects_non_strict_output():
    """The oracle itself: NaN, two lines, a traceback, an error without 'adcli:' all fail."""
    bad = [
        fuzz.Outcome(0, '{"value": NaN}\n', "", 0),
        fuzz.Outcome(0, "{}\n{}\n", "", 0),
        fuzz.Outcome(1, "", "Traceback (most recent call last):\n", 0),
        fuzz.Outcome(2, "", "error: bad\n", 0),
        fuzz.Outcome(3, "", "adcli: odd\n", 0),
        fuzz.Outcome(2, "", "adcli: " + "x" * 10_000 + "\n", 0),
    ]
    for outcome in bad:
        assert fuzz.problems(["eval", "x", "--json"], outcome), outcome.__dict__
    good = fuzz.Outcome(0, json.dumps({"value": 1.0, "gradient": {}}) + "\n", "", 0)
    assert fuzz.problems(["eval", "x", "--json"], good) == []


# -- other commands and batch ------------------------------------------------------------------

OTHER_COMMANDS = sorted(set(fuzz.COMMANDS) - {"eval", "functions"})


@FAST
@given(st.sampled_from(OTHER_COMMANDS), programs(), st.booleans())
def test_grammar_programs_through_every_command(command: str, text: str, as_json: bool):
    args = [command, text, *BINDINGS, "--quiet"]
    if command == "plot":  # plot sweeps x over a range instead of binding it
        args[args.index("0.5")] = "-1:1"
    if command == "jvp":
        args += ["--direction", "x=1"]
    if as_json and command != "dot":
        args.append("--json")
    # jvp's direction names x, which the program may not use: a usage error then; diff refuses
    # a program without inputs (nothing to differentiate by).
    no_inputs = not re.search(r"\b[xyzwbt]\b", text)
    # plot's swept x must be an input.
    usage_ok = (
        command == "jvp"
        or (command == "diff" and no_inputs)
        or (command == "plot" and not re.search(r"\bx\b", text))
    )
    holds(f"command {command}", args, expect=(0, 1, 2) if usage_ok else (0, 1))


BATCH_LINES = st.one_of(
    st.fixed_dictionaries({"x": st.floats(-3, 3), "y": st.floats(0.1, 3)}).map(json.dumps),
    st.dictionaries(st.sampled_from(("x", "y", "pi", "zz", "1x", "")), st.none() | st.booleans()
                    | st.integers() | st.floats() | st.text(max_size=3), max_size=3).map(json.dumps),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=20),
    st.sampled_from(('{"x": 1', "[1]", "1", "", "null", '{"x": NaN}', '{"x": 1e999}', "{" * 3000)),
)  # fmt: skip


@FAST
@given(st.lists(BATCH_LINES, max_size=6), st.booleans())
def test_batch_lines_each_get_one_result(lines: list[str], final_newline: bool):
    text = "\n".join(lines) + ("\n" if final_newline and lines else "")
    args = ["eval", "log(x) * y", "--batch", "-", "--y", "1", "--quiet"]
    outcome = holds("batch", args, text.encode(), expect=(0, 1))
    results = [fuzz.strict_json(line) for line in outcome.stdout.splitlines()]
    expected = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    assert len(results) == expected  # one result per line, in order: nothing lost or merged
    assert (outcome.status == 1) == any("error" in r for r in results)
