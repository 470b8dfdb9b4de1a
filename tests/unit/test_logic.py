"""Tests of negsim.logic: the proposition parser, its rendering, compilation and sympy bridge."""

from __future__ import annotations

import ast
import inspect
import io
import itertools
import os
import sys
import tokenize
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path

import pytest
import sympy  # type: ignore[import-untyped,unused-ignore]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim import logic
from negsim.errors import PropositionError, ScenarioError
from negsim.logic import (
    And,
    Atom,
    Const,
    Equiv,
    Implies,
    Not,
    Or,
    Prop,
    atoms,
    compile_predicate,
    evaluate,
    from_sympy,
    parse,
    parse_expression,
    parse_shape,
    to_sympy,
)
from negsim.logic._parser import _parse_plain
from negsim.logic._shape import fill, parse_by_shape, shape_of
from negsim.logic._text import ParseError
from tests import _processes as processes

a, b, c, d = Atom("a"), Atom("b"), Atom("c"), Atom("d")
attacked = Atom("attacked", ("ROK",))
denies = Atom("denies_access", ("JPN", "USA"))
allied = Atom("allied", ("US-ROK",))
T, F = Const(True), Const(False)

RESERVED = {"true", "false", "and", "or", "not"}


# -- strategies ---------------------------------------------------------------------------


def props_from(leaves: st.SearchStrategy[Prop]) -> st.SearchStrategy[Prop]:
    """Random proposition trees over the given leaves, using every node kind."""

    def extend(children: st.SearchStrategy[Prop]) -> st.SearchStrategy[Prop]:
        operands = st.lists(children, min_size=2, max_size=4).map(tuple)
        return st.one_of(
            children.map(Not),
            operands.map(And),
            operands.map(Or),
            st.builds(Implies, children, children),
            st.builds(Equiv, children, children),
        )

    return st.recursive(leaves, extend, max_leaves=16)


POOL = (a, b, attacked, denies, allied)  # at most 5 atoms, so 32 assignments
POOL_KEYS = tuple(atom.key for atom in POOL)

consts = st.builds(Const, st.booleans())
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: name not in RESERVED
)
agent_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,6}", fullmatch=True)
any_atoms = st.builds(Atom, names, st.lists(agent_ids, max_size=3).map(tuple))

pool_props = props_from(st.one_of(st.sampled_from(POOL), consts))
any_props = props_from(st.one_of(any_atoms, consts))
fact_sets = st.frozensets(st.sampled_from(POOL_KEYS))


def all_assignments(keys: frozenset[str]) -> list[frozenset[str]]:
    """Every set of true facts drawn from keys."""
    ordered = sorted(keys)
    return [
        frozenset(itertools.compress(ordered, bits))
        for bits in itertools.product((False, True), repeat=len(ordered))
    ]


# -- the tree -----------------------------------------------------------------------------


def test_atom_key_is_canonical() -> None:
    assert Atom("war").key == "war"
    assert attacked.key == "attacked(ROK)"
    assert denies.key == "denies_access(JPN,USA)"
    assert allied.key == "allied(US-ROK)"


def test_nodes_are_hashable_values() -> None:
    assert And((a, b)) == And([a, b])  # lists are converted to tuples
    assert hash(And((a, Not(b)))) == hash(And((a, Not(b))))
    assert {Or((a, b)), Or((a, b))} == {Or((a, b))}
    assert And((a, b)) != And((b, a))


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: Atom("1abc"), ValueError, "'name' must be an atom name"),
        (lambda: Atom("_x"), ValueError, "'name' must be an atom name"),
        (lambda: Atom("a b"), ValueError, "'name' must be an atom name"),
        (lambda: Atom("true"), ValueError, "reserved word"),
        (lambda: Atom("a", ("x y",)), ValueError, "'args' must hold agent ids"),
        (lambda: Atom("a", ("-x",)), ValueError, "'args' must hold agent ids"),
        (lambda: Atom("a", "ROK"), TypeError, "not a string"),
        (lambda: And((a,)), ValueError, "at least 2"),
        (lambda: Or(()), ValueError, "at least 2"),
        (lambda: Not("a"), TypeError, "must be a proposition node"),  # type: ignore[arg-type]
        (lambda: Implies(a, True), TypeError, "must be a proposition node"),  # type: ignore[arg-type]
        (lambda: Const(1), TypeError, "must be <class 'bool'>"),  # type: ignore[arg-type]
    ],
)
def test_nodes_validate_their_fields(
    build: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        build()


# -- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", a),
        ("attacked(ROK)", attacked),
        ("  denies_access ( JPN ,\tUSA )\n", denies),
        ("allied(US-ROK)", allied),
        ("true", T),
        ("false", F),
        ("attacked(ROK) & ~denies_access(JPN, USA)", And((attacked, Not(denies)))),
        ("a | b & c", Or((a, And((b, c))))),
        ("a & b | c", Or((And((a, b)), c))),
        ("~a & b", And((Not(a), b))),
        ("~(a & b)", Not(And((a, b)))),
        ("~~a", Not(Not(a))),
        ("a & b & c", And((a, b, c))),
        ("a & (b & c)", And((a, And((b, c))))),
        ("(a & b) & c", And((And((a, b)), c))),
        ("a | b | c", Or((a, b, c))),
        ("a >> b", Implies(a, b)),
        ("a -> b", Implies(a, b)),
        ("a >> b >> c", Implies(a, Implies(b, c))),
        ("(a >> b) >> c", Implies(Implies(a, b), c)),
        ("a | b >> c & d", Implies(Or((a, b)), And((c, d)))),
        ("a <-> b", Equiv(a, b)),
        ("a <-> b <-> c", Equiv(Equiv(a, b), c)),
        ("a >> b <-> c >> d", Equiv(Implies(a, b), Implies(c, d))),
        ("((a))", a),
        ("not a and b or c", Or((And((Not(a), b)), c))),
        ("!a", Not(a)),
        ("nota & andy & order", And((Atom("nota"), Atom("andy"), Atom("order")))),
        ("f(true, 1, not)", Atom("f", ("true", "1", "not"))),
        ("x1_y", Atom("x1_y")),
        ("a&b|~c", Or((And((a, b)), Not(c)))),
    ],
)
def test_parse_examples(text: str, expected: Prop) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("attacked(ROK) & ~denies_access(JPN, USA)", "attacked(ROK) & ~denies_access(JPN,USA)"),
        ("a|b&c", "a | b & c"),
        ("(a | b) & c", "(a | b) & c"),
        ("a & (b & c)", "a & (b & c)"),
        ("(a & b) & c", "(a & b) & c"),
        ("(a | b) | c", "(a | b) | c"),
        ("a -> (b -> c)", "a >> b >> c"),
        ("(a -> b) -> c", "(a >> b) >> c"),
        ("(a <-> b) <-> c", "a <-> b <-> c"),
        ("a <-> (b <-> c)", "a <-> (b <-> c)"),
        ("(a >> b) <-> (c >> d)", "a >> b <-> c >> d"),
        ("a >> (b <-> c)", "a >> (b <-> c)"),
        ("not (a or b)", "~(a | b)"),
        ("!!a", "~~a"),
        ("~(a >> b)", "~(a >> b)"),
        ("(true) & (false)", "true & false"),
        ("((((war))))", "war"),
    ],
)
def test_canonical_rendering_round_trips(text: str, canonical: str) -> None:
    prop = parse(text)
    assert str(prop) == canonical
    assert parse(canonical) == prop


def test_parse_caches_by_text() -> None:
    text = "attacked(ROK) & ~denies_access(JPN, USA) | war"
    assert parse(text) is parse(text)
    assert parse(text, source="elsewhere") is parse(text)


# -- refusals -----------------------------------------------------------------------------

EXPECT_OPERAND = "expected an atom name, '~', '(', 'true' or 'false'"
EXPECT_OPERATOR = "expected an operator"


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ('__import__("os").system("touch /tmp/X")', 1, f"unexpected '_'; {EXPECT_OPERAND}"),
        ("lambda: 1", 7, f"unexpected ':'; {EXPECT_OPERATOR}"),
        ("a.__class__", 2, f"unexpected '.'; {EXPECT_OPERATOR}"),
        ("().__class__", 2, f"unexpected ')'; {EXPECT_OPERAND}"),
        ("attacked(ROK); import os", 14, f"unexpected ';'; {EXPECT_OPERATOR}"),
        ("eval('1')", 6, 'unexpected "\'"; expected an argument'),
        ('"a"', 1, f"unexpected '\"'; {EXPECT_OPERAND}"),
        ("a[0]", 2, "unexpected '['"),
        ("a = b", 3, "unexpected '='"),
        ("a == b", 3, "unexpected '='"),
        ("a > b", 3, "write '>>' or '->' for implication"),
        ("a - b", 3, "write '->' for implication"),
        ("a <- b", 3, "unexpected '<'"),
        ("1abc", 1, "unexpected '1'"),
        ("a & __class__", 5, "unexpected '_'"),
        ("a(b)(c)", 5, f"unexpected '('; {EXPECT_OPERATOR}"),
        ("(a & b", 7, "unexpected end of text; expected an operator"),
        ("(a & b", 7, "or ')' to close the '(' at column 1"),
        ("((a) & b", 9, "to close the '(' at column 1"),
        ("a & b)", 6, "this ')' has no '(' to close"),
        ("a &", 4, f"unexpected end of text; {EXPECT_OPERAND}"),
        ("a & | b", 5, f"unexpected '|'; {EXPECT_OPERAND}"),
        ("a >>", 5, "unexpected end of text"),
        ("~", 2, "unexpected end of text"),
        ("a b", 3, f"unexpected 'b'; {EXPECT_OPERATOR}"),
        ("a ~b", 3, f"unexpected '~'; {EXPECT_OPERATOR}"),
        ("a and", 6, "unexpected end of text"),
        ("f()", 3, "unexpected ')'; expected an argument"),
        ("f(A,)", 5, "unexpected ')'; expected an argument"),
        ("f(A B)", 5, "unexpected 'B'; expected ',' or ')' to close the '(' at column 2"),
        ("f(A", 4, "unexpected end of text; expected ',' or ')'"),
        ("f(A) g", 6, "unexpected 'g'"),
        ("f(A & B)", 5, "unexpected '&'; expected ',' or ')'"),
        ("true(A)", 5, "unexpected '('"),
        ("a & b\u00e9", 6, "unexpected '\u00e9'"),
        ("a\x00", 2, "unexpected '\\x00'"),
        ("", 1, f"the proposition is empty; {EXPECT_OPERAND}"),
        ("   \t", 1, "the proposition is empty"),
    ],
)
def test_refusals_point_at_the_offending_character(text: str, column: int, reason: str) -> None:
    with pytest.raises(PropositionError) as info:
        parse(text)
    error = info.value
    assert error.column == column
    assert reason in error.reason
    assert error.text == text
    assert f"column {column}: " in str(error)
    assert isinstance(error, ScenarioError)
    assert isinstance(error, ValueError)


def test_error_message_shows_text_pointer_and_source() -> None:
    with pytest.raises(PropositionError) as info:
        parse("attacked(ROK) && war", source="treaty.toml: commitments[0].antecedent")
    message = str(info.value)
    assert message.startswith("treaty.toml: commitments[0].antecedent: column 16: ")
    assert "\n    attacked(ROK) && war\n" in message
    assert message.endswith("\n" + " " * 4 + " " * 15 + "^")
    assert info.value.source == "treaty.toml: commitments[0].antecedent"


def test_source_decorates_errors_of_cached_texts() -> None:
    for source in ("first.toml", "second.toml", "first.toml"):
        with pytest.raises(PropositionError) as info:
            parse("a &", source=source)
        assert info.value.source == source
        assert str(info.value).startswith(f"{source}: column 4")


def test_parse_refuses_non_text() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        parse(b"a")  # type: ignore[arg-type]


def test_hostile_payloads_are_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payloads = [
        f'__import__("os").system("touch {marker}")',
        f"__import__('os').system('touch {marker}')",
        f"exec(\"open('{marker}', 'w')\")",
        f"eval(\"open('{marker}', 'w')\")",
        f'lambda: open("{marker}", "w")',
        f'(lambda: open("{marker}", "w"))()',
        f'attacked(ROK); open("{marker}", "w")',
        f'attacked(ROK) if open("{marker}", "w") else war',
        f'[open("{marker}", "w") for _ in "x"]',
        f"open(`{marker}`)",
        "().__class__.__base__.__subclasses__()",
        "a.__class__",
        "lambda: 1",
        "eval('1')",
        "import os",
        f"Symbol('x') & open('{marker}', 'w')",
    ]
    for payload in payloads:
        with pytest.raises(PropositionError):
            parse(payload)
    assert not marker.exists()


def test_parser_source_uses_no_evaluation() -> None:
    """No module of negsim.logic names eval, exec, sympify or parse_expr, and none but the
    expression compiler names compile or ast: it compiles the syntax trees it builds, never
    text (tests/unit/test_rules.py checks what it generates)."""
    text_evaluation = {"eval", "exec", "__import__", "sympify", "parse_expr"}
    for path in sorted(Path(logic.__file__).parent.glob("*.py")):
        forbidden = text_evaluation
        if path.name != "_arith_compile.py":
            forbidden = forbidden | {"compile", "ast"}
        tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
        names = {
            token.string
            for previous, token in itertools.pairwise(tokens)
            if token.type == tokenize.NAME and previous.string != "."  # re.compile is fine
        }
        assert not names & forbidden, f"{path.name} uses {sorted(names & forbidden)}"


# -- limits -------------------------------------------------------------------------------


def test_text_up_to_the_length_limit_is_accepted() -> None:
    assert parse("a" * 10_000) == Atom("a" * 10_000)


@pytest.mark.parametrize("length", [10_001, 20_000])
def test_text_over_the_length_limit_is_refused(length: int) -> None:
    with pytest.raises(PropositionError) as info:
        parse("a" * length)
    assert f"the proposition is {length} characters long; the limit is 10000" in info.value.reason
    assert len(str(info.value)) < 400  # the message shows only the start of the text


def test_nesting_up_to_the_depth_limit_is_accepted() -> None:
    assert parse("(" * 200 + "a" + ")" * 200) == a
    assert parse("~" * 200 + "a") == parse("~" * 200 + "a")
    chain = parse(" >> ".join(["a"] * 201))  # 200 implications inside each other
    assert isinstance(chain, Implies)
    assert parse(str(chain)) == chain


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("(" * 201 + "a" + ")" * 201, 201),
        ("(" * 1000 + "a" + ")" * 1000, 201),
        ("(" * 1000, 201),
        ("~" * 201 + "a", 1),
        ("~" * 1000 + "a", 800),
        (" >> ".join(["a"] * 202), 3),  # the first (outermost) '>>' makes depth 201
        (" <-> ".join(["a"] * 202), 6 * 200 + 3),  # the last (outermost) '<->' makes depth 201
        ("~(" * 100 + "~" * 101 + "a" + ")" * 100, 1),
        ("(~" * 201 + "a" + ")" * 201, 401),
    ],
)
def test_nesting_over_the_depth_limit_is_refused(text: str, column: int) -> None:
    with pytest.raises(PropositionError) as info:
        parse(text)
    assert info.value.reason == "the proposition is nested deeper than 200 levels"
    assert info.value.column == column


@pytest.mark.parametrize("parser", [parse, parse_expression], ids=["proposition", "expression"])
def test_recursion_error_never_escapes(parser: Callable[[str], object]) -> None:
    text = "(" * 200 + "x_recursion" + ")" * 200  # not parsed before, so not cached
    limit = sys.getrecursionlimit()
    depth = len(inspect.stack(0))
    sys.setrecursionlimit(depth + 60)  # far too little stack for 200 parentheses
    try:
        with pytest.raises(PropositionError) as info:
            parser(text)
    finally:
        sys.setrecursionlimit(limit)
    assert "nested too deeply" in info.value.reason


def test_deep_trees_work_everywhere() -> None:
    prop: Prop = attacked
    for level in range(200):
        if level % 3 == 0:
            prop = Not(prop)
        elif level % 3 == 1:
            prop = And((prop, Atom(f"x{level}")))
        else:
            prop = Implies(b, prop)
    text = str(prop)
    assert parse(text) == prop
    facts = frozenset({"attacked(ROK)", "b", "x1"})
    assert compile_predicate(prop)(facts) == evaluate(prop, facts)
    assert len(atoms(prop)) == 2 + 67
    assert from_sympy(to_sympy(prop)) is not None


# -- compiling and evaluating -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "facts", "expected"),
    [
        ("attacked(ROK) & ~denies_access(JPN, USA)", {"attacked(ROK)"}, True),
        (
            "attacked(ROK) & ~denies_access(JPN, USA)",
            {"attacked(ROK)", "denies_access(JPN,USA)"},
            False,
        ),
        ("attacked(ROK) & ~denies_access(JPN, USA)", set(), False),
        ("a | b", {"b"}, True),
        ("a | b | c", set(), False),
        ("~a | ~b", {"a", "b"}, False),
        ("~a | ~b", {"a"}, True),
        ("a & b & c", {"a", "b", "c"}, True),
        ("~a & ~b & c", {"c"}, True),
        ("~a & ~b & c", {"b", "c"}, False),
        ("a >> b", set(), True),
        ("a >> b", {"a"}, False),
        ("a <-> b", {"a", "b"}, True),
        ("a <-> b", {"b"}, False),
        ("a & ~a", {"a"}, False),
        ("a | ~a", set(), True),
        ("true", set(), True),
        ("false | a", {"a"}, True),
        ("a & true", {"a"}, True),
        ("a & false", {"a"}, False),
        ("false >> a", set(), True),
        ("true <-> a", set(), False),
        ("a <-> false", set(), True),
        ("(a | b) & (c | ~d) & ~(a & b)", {"a", "d"}, False),
        ("(a | b) & (c | ~d) & ~(a & b)", {"a", "c", "d"}, True),
    ],
)
def test_compile_and_evaluate_examples(text: str, facts: set[str], expected: bool) -> None:
    prop = parse(text)
    assert evaluate(prop, facts) is expected
    assert compile_predicate(prop)(facts) is expected
    assert compile_predicate(prop)(frozenset(facts)) is expected
    assert compile_predicate(prop)(dict.fromkeys(facts).keys()) is expected


def test_compile_predicate_is_cached() -> None:
    prop = parse("attacked(ROK) & (war | ~peace)")
    assert compile_predicate(prop) is compile_predicate(parse("attacked(ROK) & (war | ~peace)"))


def test_constants_are_folded() -> None:
    always = compile_predicate(parse("a | true"))
    never = compile_predicate(parse("a & ~a & b"))

    class Untouchable(AbstractSet[str]):
        def __contains__(self, key: object) -> bool:
            raise AssertionError("a folded constant looked at the facts")

        def __iter__(self) -> Iterator[str]:
            raise AssertionError("a folded constant looked at the facts")

        def __len__(self) -> int:
            raise AssertionError("a folded constant looked at the facts")

    assert always(Untouchable()) is True
    assert never(Untouchable()) is False


def test_atoms() -> None:
    prop = parse("attacked(ROK) & ~denies_access(JPN, USA) | (war >> attacked(ROK)) <-> true")
    assert atoms(prop) == frozenset({"attacked(ROK)", "denies_access(JPN,USA)", "war"})
    assert atoms(parse("true | ~false")) == frozenset()


# -- sympy --------------------------------------------------------------------------------


def test_to_sympy_maps_atoms_to_cached_symbols() -> None:
    expr = to_sympy(parse("attacked(ROK) & ~denies_access(JPN, USA)"))
    attacked_symbol = sympy.Symbol("attacked(ROK)")
    assert expr == sympy.And(attacked_symbol, sympy.Not(sympy.Symbol("denies_access(JPN,USA)")))
    assert to_sympy(attacked) is to_sympy(attacked)
    assert to_sympy(parse("a >> b <-> (c | true)")) == sympy.Equivalent(
        sympy.Implies(sympy.Symbol("a"), sympy.Symbol("b")), sympy.Or(sympy.Symbol("c"), sympy.true)
    )
    assert to_sympy(F) is sympy.false


def test_from_sympy_examples() -> None:
    x, y, z = (sympy.Symbol(name) for name in ("attacked(ROK)", "war", "peace"))
    assert from_sympy(sympy.And(x, sympy.Not(y))) == And((attacked, Not(Atom("war"))))
    assert from_sympy(sympy.true) == T
    assert from_sympy(False) == F
    assert from_sympy(sympy.Implies(x, y)) == Implies(attacked, Atom("war"))
    equivalent_three = from_sympy(sympy.Equivalent(x, y, z))
    assert isinstance(equivalent_three, And)
    for rewritten, original in [
        (equivalent_three, sympy.Equivalent(x, y, z)),
        (from_sympy(sympy.Xor(x, y, z)), sympy.Xor(x, y, z)),
        (from_sympy(sympy.ITE(x, y, z)), sympy.ITE(x, y, z)),
        (from_sympy(sympy.Nand(x, y)), sympy.Nand(x, y)),
    ]:
        for facts in all_assignments(atoms(rewritten)):
            values = {symbol: symbol.name in facts for symbol in (x, y, z)}
            assert evaluate(rewritten, facts) == bool(original.subs(values))


def test_from_sympy_refuses_what_is_not_a_proposition() -> None:
    with pytest.raises(ValueError, match="'x y' is not an atom key"):
        from_sympy(sympy.Symbol("x y"))
    with pytest.raises(ValueError, match="is not an atom key"):
        from_sympy(sympy.Symbol("a & b"))
    with pytest.raises(TypeError, match="not a sympy boolean expression"):
        from_sympy(sympy.Integer(3))
    with pytest.raises(TypeError, match="not a sympy boolean expression"):
        from_sympy(sympy.Symbol("n") > 2)


def test_importing_negsim_logic_does_not_import_sympy(tmp_path: Path) -> None:
    root = Path(logic.__file__).parents[2]  # the directory holding the negsim package
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    code = (
        "import negsim.logic, sys\n"
        "negsim.logic.compile_predicate(negsim.logic.parse('a & ~b'))({'a'})\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
        "negsim.logic.to_sympy(negsim.logic.parse('a'))\n"
        "assert 'sympy' in sys.modules\n"
    )
    result = processes.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def run_time_imports(tree: ast.Module) -> Iterator[str]:
    """The modules a module imports when it runs: not those under ``if TYPE_CHECKING``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            yield node.module
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
            yield from (ast.unparse(arg) for arg in node.args)
        stack.extend(ast.iter_child_nodes(node))


def test_sympy_is_imported_in_one_place() -> None:
    """Only import_sympy (in _sympy.py) imports sympy when it runs; the rest type-check."""
    importers: dict[str, list[str]] = {}
    for path in sorted(Path(logic.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        found = [name for name in run_time_imports(tree) if "sympy" in name.split(".")[0]]
        if found:
            importers[path.name] = found
    assert importers == {"_sympy.py": ["'sympy'"]}


def test_public_api() -> None:
    assert logic.__all__ == sorted(logic.__all__)
    assert set(logic.__all__) >= {
        "And",
        "Atom",
        "Const",
        "Equiv",
        "Implies",
        "Not",
        "Or",
        "Prop",
        "atoms",
        "compile_predicate",
        "evaluate",
        "from_sympy",
        "parse",
        "to_sympy",
    }
    assert isinstance(parse("a & b"), Prop)
    assert Atom.__module__ == "negsim.logic"


# -- properties ---------------------------------------------------------------------------


@given(any_props)
def test_rendering_round_trips(prop: Prop) -> None:
    assert parse(str(prop)) == prop


@given(pool_props, fact_sets)
def test_compiled_predicate_agrees_with_evaluate(prop: Prop, facts: frozenset[str]) -> None:
    assert compile_predicate(prop)(facts) is evaluate(prop, facts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_props, fact_sets)
def test_evaluate_agrees_with_sympy(prop: Prop, facts: frozenset[str]) -> None:
    values = {sympy.Symbol(key): key in facts for key in POOL_KEYS}
    assert bool(to_sympy(prop).subs(values)) is evaluate(prop, facts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_props)
def test_from_sympy_inverts_to_sympy_up_to_equivalence(prop: Prop) -> None:
    back = from_sympy(to_sympy(prop))
    assert atoms(back) <= atoms(prop)
    for facts in all_assignments(atoms(prop)):
        assert evaluate(back, facts) is evaluate(prop, facts)


GRAMMAR_PIECES = [*"abfRK1_-~!&|<>()=,.;:'\"[] \t", "->", "<->", ">>", "and ", "not ", "true"]
GRAMMAR_TEXT = st.lists(st.sampled_from(GRAMMAR_PIECES), max_size=30).map("".join)


def parse_or_error(text: str) -> Prop | PropositionError:
    """The tree parsed from text, or the error that refused it."""
    try:
        return parse(text)
    except PropositionError as error:
        return error


@given(GRAMMAR_TEXT)
def test_parse_returns_a_tree_or_refuses_cleanly(text: str) -> None:
    outcome = parse_or_error(text)  # and never any other exception
    if isinstance(outcome, PropositionError):
        assert 1 <= outcome.column <= len(text) + 1
        assert outcome.reason.startswith(("unexpected ", "the proposition is "))
    else:
        assert parse(str(outcome)) == outcome


# -- parsing by shape ------------------------------------------------------------------------

# Pieces that make atoms with argument lists (spaced or not), keywords next to parentheses,
# names inside argument lists, and slot-like digits: the places a shape could go wrong.
SHAPE_PIECES = [
    *GRAMMAR_PIECES,
    "f(",
    "g (",
    "attacked(ROK)",
    "r(A,B)",
    "r( A , B )",
    "not(",
    "and(",
    "true(",
    "nota(",
    "x_1(",
    "0",
    "12",
    "M-1",
    ", ",
    "\n",
    "\u00a0",
]
SHAPE_TEXT = st.lists(st.sampled_from(SHAPE_PIECES), max_size=24).map("".join)


def plain_or_error(text: str) -> Prop | tuple[int, str]:
    """The tree the parser proper reads, or the (column, reason) of its refusal."""
    try:
        return _parse_plain(text)
    except ParseError as error:
        return error.column, error.reason


@settings(max_examples=400, deadline=None)
@given(st.one_of(SHAPE_TEXT, any_props.map(str)))
def test_parsing_by_shape_gives_the_parser_s_own_tree_or_error(text: str) -> None:
    expected = plain_or_error(text)
    try:
        got: Prop | tuple[int, str] = parse_by_shape(text, _parse_plain)
    except ParseError as error:
        got = error.column, error.reason
    assert got == expected
    shaped = parse_shape(text)
    if isinstance(expected, tuple) or not text.strip(" \t\r\n\f\v"):
        assert shaped is None
    else:
        assert shaped is not None
        tree, args = shaped
        assert fill(tree, args) == expected
        assert args == tuple(arg for atom in _atoms_in_order(expected) for arg in atom.args)


def _atoms_in_order(prop: Prop) -> list[Atom]:
    match prop:
        case Atom():
            return [prop]
        case Not(operand=operand):
            return _atoms_in_order(operand)
        case And(operands=operands) | Or(operands=operands):
            return [x for op in operands for x in _atoms_in_order(op)]
        case Implies(left=left, right=right) | Equiv(left=left, right=right):
            return [*_atoms_in_order(left), *_atoms_in_order(right)]
    return []


@pytest.mark.parametrize(
    ("text", "shape", "args"),
    [
        ("responds(M000,M001)", "responds(0,1)", ("M000", "M001")),
        (
            "attacked(ROK) & ~denies_access(JPN, USA)",
            "attacked(0) & ~denies_access(1,2)",
            ("ROK", "JPN", "USA"),
        ),
        ("not(a) | f (X)", "not(a) | f(0)", ("X",)),  # 'not' is an operator, not a name
        ("f(a, g(b))", "f(a, g(0))", ("b",)),  # the parser refuses both
        ("war", "war", ()),
    ],
)
def test_shape_of_examples(text: str, shape: str, args: tuple[str, ...]) -> None:
    assert shape_of(text) == (shape, args)


def test_a_text_longer_than_the_limit_is_refused_whatever_its_shape() -> None:
    text = " & ".join(f"attacked(COUNTRY{i:05d})" for i in range(500))
    assert len(text) > 10_000
    assert len(shape_of(text)[0]) < 10_000
    assert parse_shape(text) is None
    with pytest.raises(PropositionError, match="the limit is 10000"):
        parse(text)


# -- satisfiability -------------------------------------------------------------------------


def test_satisfiable_examples() -> None:
    assert logic.satisfiable(parse("attacked(ROK) & ~denies_access(JPN, USA)")) == {
        "attacked(ROK)": True,
        "denies_access(JPN,USA)": False,
    }
    assert logic.satisfiable(parse("a & ~a")) is None
    assert logic.satisfiable(F) is None
    assert logic.satisfiable(T) == {}
    # Atoms sympy simplifies away still get a value; the keys come sorted.
    model = logic.satisfiable(And((b, Implies(a, a), attacked)))
    assert model == {"a": False, "attacked(ROK)": True, "b": True}
    assert list(model) == sorted(model)
    assert logic.satisfiable.__module__ == "negsim.logic"
    assert "satisfiable" in logic.__all__


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_props)
def test_satisfiable_agrees_with_every_world(prop: Prop) -> None:
    model = logic.satisfiable(prop)
    worlds = all_assignments(atoms(prop))
    if model is None:
        assert not any(evaluate(prop, facts) for facts in worlds)
    else:
        assert set(model) == atoms(prop)
        assert evaluate(prop, {key for key, value in model.items() if value})
