"""Tests of negsim.logic's decision rules: the arithmetic parser, compiler, sympy bridge, rules."""

from __future__ import annotations

import copy
import io
import itertools
import math
import os
import pickle
import sys
import tokenize
from collections.abc import Mapping
from pathlib import Path

import attrs
import pytest
import sympy  # type: ignore[import-untyped,unused-ignore]
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from negsim import logic
from negsim.errors import NegsimError, PropositionError, ScenarioError
from negsim.logic import (
    Expr,
    Rule,
    Threshold,
    compile_expression,
    expression_symbols,
    expression_to_sympy,
    parse_expression,
)
from negsim.logic._arith_ast import (
    RESERVED_NAMES,
    Add,
    Call,
    Div,
    Mul,
    Neg,
    Num,
    Pow,
    Sym,
)
from negsim.logic._rules import MissingValueError
from tests import _processes as processes

a, b, c, d = Sym("a"), Sym("b"), Sym("c"), Sym("d")

ACCESS = (
    "alliance_value + dependence * cost_abandon + audience_cost * t - reward"
    " - p_strike * cost_strike"
)
ACCESS_VALUES = {
    "alliance_value": 1.0,
    "dependence": 0.5,
    "cost_abandon": 2.0,
    "audience_cost": 0.1,
    "t": 3.0,
    "reward": 0.4,
    "p_strike": 0.2,
    "cost_strike": 5.0,
}


def hand_written(v: Mapping[str, float]) -> float:
    return (
        v["alliance_value"]
        + v["dependence"] * v["cost_abandon"]
        + v["audience_cost"] * v["t"]
        - v["reward"]
        - v["p_strike"] * v["cost_strike"]
    )


def rule(expr: str, name: str = "r") -> Rule:
    return Rule(name, expr, "a test rule", "tests")


# -- strategies ---------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True).filter(
    lambda name: name not in RESERVED_NAMES
)
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False),
).map(Num)


def exprs_from(leaves: st.SearchStrategy[Expr], max_leaves: int) -> st.SearchStrategy[Expr]:
    """Random expression trees over the given leaves, using every node kind and function."""

    def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        operands = st.lists(children, min_size=2, max_size=4).map(tuple)
        return st.one_of(
            operands.map(Add),
            operands.map(Mul),
            children.map(Neg),
            st.builds(Div, children, children),
            st.builds(Pow, children, children),
            st.builds(
                Call,
                st.sampled_from(["min", "max"]),
                st.lists(children, min_size=2, max_size=3).map(tuple),
            ),
            st.builds(Call, st.sampled_from(["exp", "log", "sqrt"]), children.map(lambda x: (x,))),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


any_exprs = exprs_from(st.one_of(names.map(Sym), numbers), max_leaves=16)

POOL = ("a", "b", "c", "d")
NICE = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)  # binary fractions: sums and products are exact
nice_exprs = exprs_from(
    st.one_of(st.sampled_from(POOL).map(Sym), st.sampled_from((0, 1, 2, 3, 0.5)).map(Num)),
    max_leaves=8,
)
nice_values = st.fixed_dictionaries({name: st.sampled_from(NICE) for name in POOL})


# -- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", a),
        ("3", Num(3)),
        ("0.5", Num(0.5)),
        (".5", Num(0.5)),
        ("1e-3", Num(0.001)),
        ("2.5E+4", Num(25000)),
        ("a + b * c", Add((a, Mul((b, c))))),
        ("(a + b) * c", Mul((Add((a, b)), c))),
        ("a - b - c", Add((a, Neg(b), Neg(c)))),
        ("a + b + c", Add((a, b, c))),
        ("a + (b + c)", Add((a, Add((b, c))))),
        ("a * b * c", Mul((a, b, c))),
        ("a / b / c", Div(Div(a, b), c)),
        ("a / (b / c)", Div(a, Div(b, c))),
        ("a * b / c * d", Mul((Div(Mul((a, b)), c), d))),
        ("a ^ b ^ c", Pow(a, Pow(b, c))),
        ("a ** b", Pow(a, b)),
        ("(a ^ b) ^ c", Pow(Pow(a, b), c)),
        ("-a ^ 2", Neg(Pow(a, Num(2)))),
        ("(-a) ^ 2", Pow(Neg(a), Num(2))),
        ("a ^ -b", Pow(a, Neg(b))),
        ("2 ^ -3 ^ 2", Pow(Num(2), Neg(Pow(Num(3), Num(2))))),
        ("-a * b", Mul((Neg(a), b))),
        ("a * -b", Mul((a, Neg(b)))),
        ("--a", Neg(Neg(a))),
        ("+a", a),
        ("a - -b", Add((a, Neg(Neg(b))))),
        ("min(a, b, c)", Call("min", (a, b, c))),
        ("max(a, -b)", Call("max", (a, Neg(b)))),
        ("exp(-k * t)", Call("exp", (Mul((Neg(Sym("k")), Sym("t"))),))),
        ("log(a) + sqrt(b)", Add((Call("log", (a,)), Call("sqrt", (b,))))),
        ("((((a))))", a),
        (" a\t+\nb ", Add((a, b))),
        ("p_strike2", Sym("p_strike2")),
        ("inf", Sym("inf")),  # a parameter's name, not a number
    ],
)
def test_parse_examples(text: str, expected: Expr) -> None:
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a+b*(c-d)**2", "a + b * (c - d)^2"),
        (ACCESS, ACCESS),
        ("V + D*C - r - p*S", "V + D * C - r - p * S"),
        ("(a + b) + c", "(a + b) + c"),
        ("a + (b + c)", "a + (b + c)"),
        ("a - (b - c)", "a - (b - c)"),
        ("a + -b", "a - b"),
        ("(a * b) * c", "(a * b) * c"),
        ("a*b/c*d", "a * b / c * d"),
        ("a / (b * c)", "a / (b * c)"),
        ("-(a * b)", "-(a * b)"),
        ("-(a ^ b)", "-a^b"),
        ("(a^b)^c", "(a^b)^c"),
        ("a ^ (-b)", "a^-b"),
        ("a ^ (b * c)", "a^(b * c)"),
        ("min( a ,b )", "min(a, b)"),
        ("1e-3 * x", "0.001 * x"),
        ("3.0", "3"),
        ("1e16", "1e+16"),
        ("1.5e300", "1.5e+300"),
    ],
)
def test_canonical_rendering_round_trips(text: str, canonical: str) -> None:
    expr = parse_expression(text)
    assert str(expr) == canonical
    assert parse_expression(canonical) == expr


def test_parse_caches_by_text() -> None:
    assert parse_expression(ACCESS) is parse_expression(ACCESS)
    assert parse_expression(ACCESS, source="elsewhere") is parse_expression(ACCESS)


def test_nodes_are_hashable_values() -> None:
    assert Add((a, b)) == Add([a, b])
    assert hash(Mul((a, Num(2)))) == hash(Mul((a, Num(2.0))))
    assert Num(-0.0) == Num(0)
    assert str(Num(-0.0)) == "0"
    assert len({parse_expression("a + b"), Add((a, b)), Add((b, a))}) == 2


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: Num(-1), ValueError, "finite number >= 0"),
        (lambda: Num(math.inf), ValueError, "finite number >= 0"),
        (lambda: Num(math.nan), ValueError, "finite number >= 0"),
        (lambda: Num(True), TypeError, "int or float"),
        (lambda: Num("1"), TypeError, "int or float"),
        (lambda: Num(10**400), ValueError, "too large"),
        (lambda: Sym("_x"), ValueError, "parameter name"),
        (lambda: Sym("a.b"), ValueError, "parameter name"),
        (lambda: Sym("exp"), ValueError, "function name or a Python keyword"),
        (lambda: Sym("lambda"), ValueError, "function name or a Python keyword"),
        (lambda: Sym(3), TypeError, "must be a str"),  # type: ignore[arg-type]
        (lambda: Add((a,)), ValueError, "at least 2"),
        (lambda: Mul((a, "b")), TypeError, "expression node"),  # type: ignore[arg-type]
        (lambda: Neg("a"), TypeError, "expression node"),  # type: ignore[arg-type]
        (lambda: Call("eval", (a,)), ValueError, "must be one of exp, log, max, min, sqrt"),
        (lambda: Call("exp", (a, b)), ValueError, "exactly 1 argument, got 2"),
        (lambda: Call("min", (a,)), ValueError, "at least 2 arguments, got 1"),
    ],
)
def test_nodes_validate_their_fields(make: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make()  # type: ignore[operator]


# -- refusals -----------------------------------------------------------------------------

EXPECT_OPERAND = "expected a number, a parameter name, a function call, '-' or '('"
EXPECT_OPERATOR = "expected an operator ('+', '-', '*', '/', '^')"


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ("", 1, "the expression is empty"),
        ("   ", 1, "the expression is empty"),
        ("a +", 4, f"unexpected end of text; {EXPECT_OPERAND}"),
        ("a + * b", 5, f"unexpected '*'; {EXPECT_OPERAND}"),
        ("(a + b", 7, "or ')' to close the '(' at column 1"),
        ("a + b)", 6, "this ')' has no '(' to close"),
        ("a b", 3, "(write '*' to multiply)"),
        ("2x", 2, "(write '2 * x' to multiply)"),
        ("2(a)", 2, "(write '*' to multiply)"),
        ("1.2.3", 4, "a number is digits"),
        ("1e999", 1, "the number '1e999' is too large"),
        ("min(a)", 1, "min() takes at least 2 arguments, got 1"),
        ("exp(a, b)", 1, "exp() takes exactly 1 argument, got 2"),
        ("min(a b)", 7, "',' or ')' to close the call of min() at column 4"),
        ("min()", 5, f"unexpected ')'; {EXPECT_OPERAND}"),
        ("exp + 1", 1, "'exp' is a function; call it as exp(...)"),
        ("a > b", 3, "write 'a - b' for 'a > b'"),
        ("a < b", 3, "write 'b - a' for 'a < b'"),
        ("a = b", 3, "not an equation"),
        ("a % b", 3, "the operators are"),
        ("a \u2212 b", 3, "write the ASCII '-'"),
        ("a \u00d7 b", 3, "write '*' to multiply"),
        ("[a]", 1, "only parentheses group"),
        ("x if y else z", 3, "'if' is a Python keyword"),
        ("not a", 1, "'not' is a Python keyword and cannot name a parameter"),
    ],
)
def test_refusals_point_at_the_offending_character(text: str, column: int, reason: str) -> None:
    with pytest.raises(PropositionError) as info:
        parse_expression(text)
    assert info.value.column == column
    assert reason in info.value.reason


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ('"a"', 1, "quotes are not allowed"),
        ("'a' * 3", 1, "quotes are not allowed"),
        ("__import__('os')", 1, "names must start with a letter"),
        ("a.__class__", 2, "attribute access is not allowed"),
        ("().__class__", 2, EXPECT_OPERAND),
        ("a.b", 2, "attribute access is not allowed"),
        ("lambda: 1", 1, "'lambda' is a Python keyword"),
        ("(lambda: 1)()", 2, "'lambda' is a Python keyword"),
        ("1;import os", 2, "an expression is a single formula"),
        ("import os", 1, "'import' is a Python keyword"),
        ("eval(1)", 1, "unknown function 'eval'; the functions are exp, log, max, min, sqrt"),
        ("exec('1')", 1, "unknown function 'exec'"),
        ("open('/etc/passwd')", 1, "unknown function 'open'"),
        ("a + getattr(a, b)", 5, "unknown function 'getattr'"),
        ("sympify(a)", 1, "unknown function 'sympify'"),
        ("x[0]", 2, "only parentheses group"),
        ("a if b else c", 3, "'if' is a Python keyword"),
    ],
)
def test_hostile_text_is_refused(text: str, column: int, reason: str) -> None:
    with pytest.raises(PropositionError) as info:
        parse_expression(text)
    assert info.value.column == column
    assert reason in info.value.reason


def test_hostile_payloads_are_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payloads = [
        f'__import__("os").system("touch {marker}")',
        f"eval(\"open('{marker}', 'w')\")",
        f"exec(\"open('{marker}', 'w')\")",
        f'open("{marker}", "w")',
        f'(lambda: open("{marker}", "w"))()',
        f'1; open("{marker}", "w")',
        f'a if open("{marker}", "w") else b',
        f'[open("{marker}", "w") for _ in "x"]',
        "().__class__.__base__.__subclasses__()",
        "1 + __builtins__",
        "Symbol('x') + 1",
    ]
    for payload in payloads:
        with pytest.raises(PropositionError):
            parse_expression(payload)
        with pytest.raises(PropositionError):
            rule(payload)
    assert not marker.exists()


def test_error_message_shows_text_pointer_and_source() -> None:
    with pytest.raises(PropositionError) as info:
        parse_expression("a + eval(b)", source="doctrine.toml: rules[0].expr")
    assert isinstance(info.value, ScenarioError)
    assert info.value.source == "doctrine.toml: rules[0].expr"
    assert str(info.value) == (
        "doctrine.toml: rules[0].expr: column 5: unknown function 'eval'; the functions are "
        "exp, log, max, min, sqrt\n    a + eval(b)\n        ^"
    )


def test_parse_refuses_non_text() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        parse_expression(b"a")  # type: ignore[arg-type]


def names_used(module: str) -> set[str]:
    """The names a module of negsim.logic uses, other than as attributes (``re.compile``)."""
    path = Path(logic.__file__).parent / module
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
    return {
        token.string
        for previous, token in itertools.pairwise(tokens)
        if token.type == tokenize.NAME and previous.string != "."
    }


def attributes_used(module: str, owner: str) -> set[str]:
    """The attributes of one name that a module of negsim.logic uses (``ast.parse``)."""
    path = Path(logic.__file__).parent / module
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
    return {
        attribute.string
        for name, dot, attribute in zip(tokens, tokens[1:], tokens[2:], strict=False)
        if name.string == owner and dot.string == "." and attribute.type == tokenize.NAME
    }


def test_the_compiler_compiles_only_the_trees_it_builds() -> None:
    """The compiler builds a Python syntax tree and compiles it: it never reads Python text."""
    assert {"ast", "compile"} <= names_used("_arith_compile.py")
    reads_text = {"parse", "literal_eval", "unparse"}
    assert not attributes_used("_arith_compile.py", "ast") & reads_text


def test_the_generated_functions_reach_only_the_math_helpers() -> None:
    fn = compile_expression(parse_expression("max(a, b, 1) ^ exp(c) / log(d) - sqrt(min(a, 2))"))
    assert set(fn.__code__.co_names) == {"_max", "_min", "_pow", "_exp", "_log", "_sqrt"}
    assert fn.__globals__["__builtins__"] == {}
    assert set(fn.__globals__) - {"__builtins__"} == set(fn.__code__.co_names)
    assert fn.__code__.co_varnames == ("v",)
    assert fn.__closure__ is None
    assert fn({"a": 2.0, "b": 3.0, "c": 0.0, "d": math.e}) == 3.0 - math.sqrt(2.0)


@settings(max_examples=100, deadline=None)
@given(any_exprs)
def test_generated_code_names_only_helpers_and_parameters(expr: Expr) -> None:
    """Every name in any generated function is a helper, the argument or a temporary, and
    every string it holds is a parameter name (the key of a look-up)."""
    code = compile_expression(expr).__code__
    assert set(code.co_names) <= {"_max", "_min", "_pow", "_exp", "_log", "_sqrt"}
    assert code.co_varnames[0] == "v"
    assert all(name.startswith("_t") for name in code.co_varnames[1:])
    strings = {const for const in code.co_consts if isinstance(const, str)}
    assert strings <= expression_symbols(expr)
    assert all(isinstance(const, str | float | type(None)) for const in code.co_consts)


# -- limits -------------------------------------------------------------------------------


def test_text_up_to_the_length_limit_is_accepted() -> None:
    assert parse_expression("a" * 10_000) == Sym("a" * 10_000)
    chain = parse_expression(" + ".join(["a"] * 2500))  # 9,997 characters, one flat node
    assert isinstance(chain, Add)
    assert len(chain.operands) == 2500


@pytest.mark.parametrize("length", [10_001, 20_000])
def test_text_over_the_length_limit_is_refused(length: int) -> None:
    with pytest.raises(PropositionError) as info:
        parse_expression("a" * length)
    assert f"the expression is {length} characters long; the limit is 10000" in info.value.reason
    assert len(str(info.value)) < 400  # the message shows only the start of the text


def test_nesting_up_to_the_depth_limit_is_accepted() -> None:
    assert parse_expression("(" * 200 + "a" + ")" * 200) == a
    for text in [
        "-" * 200 + "a",
        "a^" * 200 + "a",
        " / ".join(["a"] * 201),
        "sqrt(" * 200 + "a" + ")" * 200,
    ]:
        expr = parse_expression(text)
        assert parse_expression(str(expr)) == expr
        assert compile_expression(expr)({"a": 1.0}) == 1.0


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("(" * 201 + "a" + ")" * 201, 201),
        ("(" * 1000 + "a" + ")" * 1000, 201),
        ("-" * 201 + "a", 1),
        ("a^" * 201 + "a", 2),  # the first (outermost) '^' makes depth 201
        (" / ".join(["a"] * 202), 4 * 200 + 3),  # the last (outermost) '/' makes depth 201
        ("exp(" * 201 + "a" + ")" * 201, 804),
        ("-(" * 100 + "-" * 101 + "a" + ")" * 100, 1),
    ],
)
def test_nesting_over_the_depth_limit_is_refused(text: str, column: int) -> None:
    with pytest.raises(PropositionError) as info:
        parse_expression(text)
    assert info.value.reason == "the expression is nested deeper than 200 levels"
    assert info.value.column == column


def test_long_chains_and_deep_trees_evaluate_without_exhausting_the_stack() -> None:
    values = {"a": 1.0}
    assert compile_expression(parse_expression(" + ".join(["a"] * 2500)))(values) == 2500
    assert compile_expression(parse_expression(" - ".join(["a"] * 2500)))(values) == -2498
    product = compile_expression(parse_expression(" * ".join(["a"] * 2500)))
    assert product({"a": 1.001}) == pytest.approx(1.001**2500)
    text = "a"
    for _ in range(150):  # 150 levels, each a chain of 12 terms: 9,000 characters
        text = f"({text} + a + a + a + a + a + a + a + a + a + a + a)"
    assert compile_expression(parse_expression(text))(values) == 1 + 11 * 150


# -- compiling ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", 2.0),
        ("a + b", 5.0),
        ("a - b", -1.0),
        ("a * b", 6.0),
        ("a / b", 2 / 3),
        ("a ^ b", 8.0),
        ("a ** 2", 4.0),
        ("-a", -2.0),
        ("-a ^ 2", -4.0),
        ("2 ^ -1", 0.5),
        ("a * b * c", 24.0),
        ("a * b + c", 10.0),
        ("c - a * b", -2.0),
        ("a * b - b * c", -6.0),
        ("a * b * 0.5", 3.0),
        ("1 / (a * b)", 1 / 6),
        ("(a * b) ^ 2", 36.0),
        ("min(a, b, c)", 2.0),
        ("max(a, b)", 3.0),
        ("max(a, b, c, 7)", 7.0),
        ("exp(0)", 1.0),
        ("log(c) - 2 * log(a)", 0.0),
        ("sqrt(c)", 2.0),
        ("1 + 2 * 3", 7.0),
        (ACCESS, hand_written(ACCESS_VALUES)),
    ],
)
def test_compile_examples(text: str, expected: float) -> None:
    values = {"a": 2.0, "b": 3.0, "c": 4.0, **ACCESS_VALUES}
    assert compile_expression(parse_expression(text))(values) == pytest.approx(expected)


def test_compiled_rule_is_exactly_the_hand_written_float() -> None:
    fn = compile_expression(parse_expression(ACCESS))
    for scale in (1.0, 0.1, 3.7, 1e-9, 12345.678):
        values = {name: value * scale for name, value in ACCESS_VALUES.items()}
        assert fn(values) == hand_written(values)


def test_parameters_are_read_inline() -> None:
    """``a + b`` compiles to one function, ``v["a"] + v["b"]``, over interned names."""
    fn = compile_expression(parse_expression("a" + " + b"))  # names sliced from the text
    names = [const for const in fn.__code__.co_consts if isinstance(const, str)]
    assert names == ["a", "b"]
    assert all(name is sys.intern(name) for name in names)
    assert fn({"a": 1.0, "b": 2.0}) == 3.0


def test_long_chains_are_spilled_into_locals() -> None:
    """A 2,500-term chain is written as statements no more than 50 levels deep each."""
    letters = "abcdefg"
    fn = compile_expression(parse_expression(" + ".join(letters[i % 7] for i in range(2500))))
    temporaries = fn.__code__.co_varnames[1:]
    assert 2500 // 50 <= len(temporaries) <= 2500 // 40
    values = {letter: float(i) for i, letter in enumerate(letters)}
    assert fn(values) == sum(i % 7 for i in range(2500))
    short = compile_expression(parse_expression(ACCESS))
    assert short.__code__.co_varnames == ("v",)  # a decision rule is one expression


def test_constants_are_folded() -> None:
    fn = compile_expression(parse_expression("1 + 2 * 3 - max(4, 5) / 2"))
    assert fn({}) == 4.5
    assert compile_expression(parse_expression("a * 0 + (2 ^ 3)"))({"a": 1.0}) == 8.0


def test_compile_is_cached() -> None:
    expr = parse_expression("a * b + c")
    assert compile_expression(expr) is compile_expression(parse_expression("a * b + c"))


@pytest.mark.parametrize(
    ("text", "values", "error"),
    [
        ("a + b", {"a": 1.0}, KeyError),
        ("a / b", {"a": 1.0, "b": 0.0}, ZeroDivisionError),
        ("1 / 0", {}, ZeroDivisionError),  # not folded: it fails when evaluated
        ("log(a)", {"a": 0.0}, ValueError),
        ("log(0 - 1)", {}, ValueError),
        ("sqrt(a)", {"a": -1.0}, ValueError),
        ("a ^ 0.5", {"a": -8.0}, ValueError),  # '**' would give a complex number
        ("exp(a)", {"a": 1000.0}, OverflowError),
        ("a ^ b", {"a": 10.0, "b": 400.0}, OverflowError),
    ],
)
def test_evaluation_errors_are_python_float_errors(
    text: str, values: dict[str, float], error: type[Exception]
) -> None:
    with pytest.raises(error):
        compile_expression(parse_expression(text))(values)


def test_compile_refuses_text() -> None:
    with pytest.raises(TypeError, match="not an expression"):
        compile_expression("a + b")  # type: ignore[arg-type]


def test_expression_symbols() -> None:
    assert expression_symbols(parse_expression(ACCESS)) == frozenset(ACCESS_VALUES)
    assert expression_symbols(parse_expression("min(a, exp(-b)) ^ c / d")) == set(POOL)
    assert expression_symbols(parse_expression("1 + 2")) == frozenset()


# -- sympy --------------------------------------------------------------------------------


def test_expression_to_sympy_examples() -> None:
    x, y = sympy.Symbol("x"), sympy.Symbol("y")
    convert = expression_to_sympy
    assert convert(parse_expression("x + 2 * y")) == x + 2 * y
    assert convert(parse_expression("0.1 * x")) == sympy.Rational(1, 10) * x
    assert convert(parse_expression("x - y")) == x - y
    assert convert(parse_expression("x / y ^ 2")) == x / y**2
    assert convert(parse_expression("min(x, y) + max(x, 1)")) == sympy.Min(x, y) + sympy.Max(x, 1)
    assert convert(parse_expression("exp(x) * log(y) - sqrt(x)")) == (
        sympy.exp(x) * sympy.log(y) - sympy.sqrt(x)
    )
    assert convert(parse_expression("x")) is convert(parse_expression("x"))
    assert convert(parse_expression("lam")).free_symbols == {sympy.Symbol("lam")}


def reference(expr: Expr, values: Mapping[str, float]) -> tuple[float, float]:
    """Evaluate a tree directly; return the value and the largest magnitude met on the way.

    Rejects (with hypothesis.assume) the examples whose float result is too ill-conditioned
    to compare: a cancellation inside the tree feeding a nonlinear operation, a divisor or
    logarithm near zero, or magnitudes beyond 1e12.
    """

    def walk(node: Expr) -> tuple[float, float]:
        match node:
            case Num(value=value):
                return value, abs(value)
            case Sym(name=name):
                return values[name], abs(values[name])
            case Neg(operand=operand):
                value, scale = walk(operand)
                return -value, scale
            case Add(operands=operands) | Mul(operands=operands):
                parts = [walk(op) for op in operands]
                scale = max(s for _, s in parts)
                if isinstance(node, Add):
                    value = sum(v for v, _ in parts)
                    assume(value == 0 or abs(value) > 1e-6 * scale)
                else:
                    value = math.prod(v for v, _ in parts)
                return value, max(scale, abs(value))
            case Div(left=left, right=right):
                (top, s1), (bottom, s2) = walk(left), walk(right)
                assume(abs(bottom) > 1e-3)
                return top / bottom, max(s1, s2, abs(top / bottom))
            case Pow(base=base, exponent=exponent):
                (x, s1), (y, s2) = walk(base), walk(exponent)
                assume(abs(x) > 1e-3 and abs(y) < 30)
                value = math.pow(x, y)
                return value, max(s1, s2, abs(value))
            case Call(func=func, args=args):
                parts = [walk(arg) for arg in args]
                scale = max(s for _, s in parts)
                if func in ("log", "sqrt"):
                    assume(parts[0][0] > 1e-3)
                if func == "exp":
                    assume(parts[0][0] < 30)
                function = {"min": min, "max": max}.get(func)
                if function is not None:
                    value = function(v for v, _ in parts)
                else:
                    value = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt}[func](parts[0][0])
                return value, max(scale, abs(value))
        raise TypeError(node)  # pragma: no cover

    try:
        value, scale = walk(expr)
    except (ArithmeticError, ValueError):
        assume(False)
        raise  # pragma: no cover - assume(False) raises
    assume(math.isfinite(value) and scale < 1e12)
    return value, scale


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nice_exprs, nice_values)
def test_compiled_agrees_with_sympy(expr: Expr, values: dict[str, float]) -> None:
    expected, scale = reference(expr, values)
    compiled = compile_expression(expr)(values)
    assert compiled == pytest.approx(expected, rel=1e-9, abs=1e-9 * max(1.0, scale))
    subs = {sympy.Symbol(name): sympy.Rational(value) for name, value in values.items()}
    exact = complex(expression_to_sympy(expr).xreplace(subs).evalf(30))
    assert abs(exact - compiled) <= 1e-9 * max(1.0, scale)


@given(any_exprs)
def test_rendering_round_trips(expr: Expr) -> None:
    assert parse_expression(str(expr)) == expr


GRAMMAR_PIECES = [*"ab1_.e+-*/^(),;'\"[]<>=% \t", "**", "min(", "exp(", "eval(", "lambda "]
GRAMMAR_TEXT = st.lists(st.sampled_from(GRAMMAR_PIECES), max_size=30).map("".join)


def parse_or_error(text: str) -> Expr | PropositionError:
    """The tree parsed from text, or the error that refused it."""
    try:
        return parse_expression(text)
    except PropositionError as error:
        return error


@given(GRAMMAR_TEXT)
def test_parse_returns_a_tree_or_refuses_cleanly(text: str) -> None:
    outcome = parse_or_error(text)  # and never any other exception
    if isinstance(outcome, PropositionError):
        assert 1 <= outcome.column <= len(text) + 1
    else:
        assert parse_expression(str(outcome)) == outcome


# -- rules --------------------------------------------------------------------------------


def test_rule_evaluates_like_the_hand_written_function() -> None:
    access = Rule("grant_access", ACCESS, "JPN grants access while ...", "Snyder 1984")
    assert access.value(ACCESS_VALUES) == hand_written(ACCESS_VALUES)
    assert access.holds(ACCESS_VALUES) is True
    assert access.holds({**ACCESS_VALUES, "p_strike": 0.9}) is False
    assert access.holds({**ACCESS_VALUES, "extra": 1.0}) is True  # extra keys are ignored
    assert access.symbols == tuple(sorted(ACCESS_VALUES))
    assert access.to_sympy() == expression_to_sympy(parse_expression(ACCESS))


def test_rule_value_zero_does_not_hold() -> None:
    assert rule("a - b").holds({"a": 1.0, "b": 1.0}) is False


def test_missing_values_are_named() -> None:
    access = Rule("grant_access", ACCESS, "doc", "src")
    values = {k: v for k, v in ACCESS_VALUES.items() if k not in ("p_strike", "reward")}
    for method in (access.value, access.holds):
        with pytest.raises(KeyError) as info:
            method(values)
        error = info.value
        assert isinstance(error, MissingValueError)
        assert isinstance(error, NegsimError)
        assert error.rule == "grant_access"
        assert error.missing == ("p_strike", "reward")
        assert str(error).startswith(
            "rule 'grant_access' has no value for parameters 'p_strike', 'reward' (it needs "
        )
        assert error.__cause__ is None
        assert error.__suppress_context__


class FailingMapping(dict[str, float]):
    """A mapping whose look-ups fail for a key it claims to hold."""

    def __getitem__(self, key: str) -> float:
        raise KeyError(f"backend lost {key}")


def test_a_failing_mapping_keeps_its_own_error() -> None:
    with pytest.raises(KeyError, match="backend lost a") as info:
        rule("a + 1").value(FailingMapping(a=1.0))
    assert not isinstance(info.value, MissingValueError)


def test_arithmetic_errors_name_the_rule() -> None:
    ratio = rule("a / b", name="ratio")
    with pytest.raises(ZeroDivisionError) as info:
        ratio.value({"a": 1.0, "b": 0.0})
    assert info.value.__notes__ == ["while evaluating rule 'ratio': a / b"]
    with pytest.raises(ValueError, match="math domain error"):
        rule("log(a)").holds({"a": -1.0})


def test_rule_validates_at_creation() -> None:
    with pytest.raises(PropositionError) as info:
        Rule("grant_access", "a + eval(b)", "doc", "src")
    assert info.value.source == "rule 'grant_access'"
    assert info.value.column == 5
    with pytest.raises(ValueError, match="must not be empty"):
        Rule(" ", "a", "doc", "src")
    with pytest.raises(TypeError):
        Rule("r", 3, "doc", "src")  # type: ignore[arg-type]


def test_rules_are_values_that_pickle_copy_and_evolve() -> None:
    access = Rule("grant_access", ACCESS, "doc", "src")
    same = Rule("grant_access", ACCESS, "doc", "src")
    assert access == same
    assert hash(access) == hash(same)
    assert access != attrs.evolve(access, doc="other")
    assert "_function" not in repr(access)
    for clone in (pickle.loads(pickle.dumps(access)), copy.deepcopy(access), copy.copy(access)):
        assert clone == access
        assert clone.value(ACCESS_VALUES) == access.value(ACCESS_VALUES)
    lower = attrs.evolve(access, expr="alliance_value - reward")
    assert lower.symbols == ("alliance_value", "reward")
    assert lower.value(ACCESS_VALUES) == pytest.approx(0.6)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        access.expr = "1"  # type: ignore[misc]


# -- thresholds ---------------------------------------------------------------------------

LINEAR = "V + D*C - r - p*S"
LINEAR_VALUES = {"V": 1.0, "D": 0.5, "C": 2.0, "r": 0.5, "p": 0.25, "S": 4.0}


def test_threshold_of_a_linear_rule_has_a_closed_form() -> None:
    threshold = rule(LINEAR, name="grant_access").threshold("p", LINEAR_VALUES)
    assert threshold.rule == "grant_access"
    assert threshold.param == "p"
    assert threshold.closed_form is not None
    solved = expression_to_sympy(parse_expression(threshold.closed_form))
    V, D, C, r, S = sympy.symbols("V D C r S")
    assert sympy.simplify(solved - (V + D * C - r) / S) == 0
    assert threshold.value == pytest.approx(0.375)
    assert threshold.holds_when == "<"
    assert threshold.scenario_value == 0.25
    assert threshold.margin == pytest.approx(0.125)
    assert threshold.other_roots == ()
    assert (
        threshold.describe() == "grant_access holds while p < 0.375 (scenario 0.25, margin 0.125)"
    )
    assert str(threshold) == threshold.describe()


def test_threshold_margin_is_negative_when_the_rule_fails() -> None:
    values = {**LINEAR_VALUES, "p": 0.5}
    threshold = rule(LINEAR).threshold("p", values)
    assert rule(LINEAR).holds(values) is False
    assert threshold.margin == pytest.approx(-0.125)
    for param, holds_when, value in [("V", ">", 0.5), ("S", "<", 6.0), ("r", "<", 1.0)]:
        other = rule(LINEAR).threshold(param, LINEAR_VALUES)
        assert other.holds_when == holds_when
        assert other.value == pytest.approx(value)
        assert other.margin is not None
        assert other.margin > 0


def test_threshold_describes_the_access_rule() -> None:
    access = Rule("grant_access", ACCESS, "doc", "src")
    values = {**ACCESS_VALUES, "p_strike": 0.24}
    threshold = access.threshold("p_strike", values)
    assert threshold.value == pytest.approx(1.9 / 5.0)
    assert threshold.describe() == (
        "grant_access holds while p_strike < 0.38 (scenario 0.24, margin 0.14)"
    )


def test_threshold_of_a_nonlinear_rule() -> None:
    threshold = rule("V - p^2*S").threshold("p", {"V": 1.0, "S": 4.0, "p": 0.25})
    assert threshold.value == pytest.approx(0.5)
    assert threshold.closed_form is not None
    assert "sqrt" in threshold.closed_form
    assert threshold.holds_when == "<"
    assert threshold.margin == pytest.approx(0.25)
    assert threshold.other_roots == pytest.approx((-0.5,))
    assert threshold.describe().endswith("; other roots at p = -0.5")
    # From a negative scenario value the nearer root is the negative one.
    below = rule("V - p^2*S").threshold("p", {"V": 1.0, "S": 4.0, "p": -0.4})
    assert below.value == pytest.approx(-0.5)
    assert below.holds_when == ">"
    assert below.margin == pytest.approx(0.1)


def test_threshold_is_numeric_without_a_closed_form() -> None:
    threshold = rule("min(a, p) - c").threshold("p", {"a": 1.0, "c": 0.5, "p": 0.2})
    assert threshold.closed_form is None
    assert threshold.value == pytest.approx(0.5)
    assert threshold.holds_when == ">"
    assert threshold.margin == pytest.approx(-0.3)


@pytest.mark.parametrize(
    ("expr", "values", "holds_when"),
    [
        ("V + p^2*S", {"V": 1.0, "S": 4.0, "p": 0.25}, "always"),
        ("-V - p^2*S", {"V": 1.0, "S": 4.0, "p": 0.25}, "never"),
        ("max(p, a) * S - c", {"a": 1.0, "S": 3.0, "c": 0.5, "p": 0.25}, "always"),
        ("exp(p) + c", {"c": 1.0, "p": 0.0}, "always"),
        ("p - p + c", {"c": -1.0, "p": 0.0}, "never"),
        ("p * S", {"S": 0.0, "p": 1.0}, "never"),  # zero for every p when S = 0
    ],
)
def test_threshold_without_a_real_root(
    expr: str, values: dict[str, float], holds_when: str
) -> None:
    threshold = rule(expr).threshold("p", values)
    assert threshold.value is None
    assert threshold.margin is None
    assert threshold.closed_form is None
    assert threshold.holds_when == holds_when
    verb = "holds" if holds_when == "always" else "fails"
    assert threshold.describe().startswith(f"r {verb} whatever the value of p (scenario ")


def test_a_root_that_does_not_change_sign_is_not_a_threshold() -> None:
    threshold = rule("(p - 0.5)^2").threshold("p", {"p": 0.25})
    assert threshold.holds_when == "always"
    assert threshold.value is None
    assert threshold.other_roots == (0.5,)
    assert threshold.describe() == (
        "r holds whatever the value of p (scenario 0.25); "
        "it is zero without changing sign at p = 0.5"
    )
    # p^2 (p - 2): the double root at 0 is skipped for the sign change at 2.
    cubic = rule("p^2 * (p - 2)").threshold("p", {"p": 0.1})
    assert cubic.value == pytest.approx(2.0)
    assert cubic.holds_when == ">"
    assert cubic.other_roots == (0.0,)


def test_a_pole_flips_a_rule_without_a_root() -> None:
    threshold = rule("1 / (p - 1)").threshold("p", {"p": 0.25})
    assert threshold.value == pytest.approx(1.0)
    assert threshold.holds_when == ">"
    assert threshold.margin == pytest.approx(-0.75)


def test_threshold_refuses_a_parameter_the_rule_does_not_have() -> None:
    with pytest.raises(ValueError, match=r"rule 'r' does not depend on 'q': its parameters are"):
        rule(LINEAR).threshold("q", LINEAR_VALUES)
    with pytest.raises(TypeError, match="must be a str"):
        rule(LINEAR).threshold(1, LINEAR_VALUES)  # type: ignore[arg-type]


def test_threshold_needs_every_value() -> None:
    with pytest.raises(MissingValueError, match="has no value for parameter 'p'"):
        rule(LINEAR).threshold("p", {k: v for k, v in LINEAR_VALUES.items() if k != "p"})


def test_threshold_solves_once_per_rule_and_parameter() -> None:
    from negsim.logic import _rules

    text = "V + D*C - r - p*S + 0"  # a text no other test solves
    _rules._solutions.cache_clear()
    rule(text).threshold("p", LINEAR_VALUES)
    rule(text, name="other").threshold("p", {**LINEAR_VALUES, "V": 3.0})
    info = _rules._solutions.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_threshold_is_a_frozen_value() -> None:
    threshold = Threshold("r", "p", 0.5, "V/S", "<", 0.25, 0.25)
    assert threshold.other_roots == ()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        threshold.value = 1.0  # type: ignore[misc]


TERM_PARAMS = ("x", "y", "z", "p")


@st.composite
def linear_rules(draw: st.DrawFn) -> tuple[Rule, str, dict[str, float]]:
    """A linear rule over a few parameters, one of them to solve for, and scenario values."""
    params = draw(st.lists(st.sampled_from(TERM_PARAMS), min_size=1, max_size=4, unique=True))
    terms = []
    for index, param in enumerate(params):
        sign = draw(st.sampled_from(["+", "-"]))
        factor = draw(st.sampled_from(["", f"k{index} * ", "2 * ", "0.5 * "]))
        terms.append(f"{sign} {factor}{param}")
    terms.append(draw(st.sampled_from(["", "+ c", "- c", "+ 1"])))
    text = " ".join(terms).lstrip("+ ")
    linear = Rule("linear", text, "a random linear rule", "tests")
    value = st.floats(min_value=-10, max_value=10, allow_nan=False).map(lambda x: round(x, 3))
    coefficient = st.one_of(
        st.floats(min_value=-5, max_value=-0.1), st.floats(min_value=0.1, max_value=5)
    ).map(lambda x: round(x, 3))
    values = {name: draw(coefficient if name.startswith("k") else value) for name in linear.symbols}
    return linear, draw(st.sampled_from(params)), values


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linear_rules())
def test_holds_agrees_with_the_threshold(case: tuple[Rule, str, dict[str, float]]) -> None:
    linear, param, values = case
    threshold = linear.threshold(param, values)
    holds = linear.holds(values)
    assert threshold.scenario_value == values[param]
    if threshold.holds_when in ("always", "never"):
        assert holds is (threshold.holds_when == "always")
        return
    assert threshold.value is not None
    assert threshold.margin is not None
    assert threshold.closed_form is not None  # linear: always solved in closed form
    scale = max(1.0, *(abs(v) for v in values.values()))
    assume(abs(threshold.margin) > 1e-9 * scale)
    if threshold.holds_when == "<":
        assert holds is (values[param] < threshold.value)
    else:
        assert holds is (values[param] > threshold.value)
    assert holds is (threshold.margin > 0)
    at_threshold = linear.value({**values, param: threshold.value})
    assert at_threshold == pytest.approx(0.0, abs=1e-9 * scale**2)


# -- the package --------------------------------------------------------------------------


def test_importing_negsim_logic_does_not_import_sympy(tmp_path: Path) -> None:
    root = Path(logic.__file__).parents[2]  # the directory holding the negsim package
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    code = (
        "import negsim.logic as logic, sys\n"
        "expr = logic.parse_expression('a + b * c')\n"
        "assert logic.compile_expression(expr)({'a': 1, 'b': 2, 'c': 3}) == 7\n"
        "assert logic.expression_symbols(expr) == {'a', 'b', 'c'}\n"
        "rule = logic.Rule('r', 'a - b', 'doc', 'src')\n"
        "assert rule.holds({'a': 2, 'b': 1}) and rule.value({'a': 2, 'b': 1}) == 1\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
        "assert rule.threshold('a', {'a': 2, 'b': 1}).value == 1\n"
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


def test_public_api() -> None:
    assert logic.__all__ == sorted(logic.__all__)
    assert {
        "Expr",
        "Rule",
        "Threshold",
        "compile_expression",
        "expression_symbols",
        "expression_to_sympy",
        "parse_expression",
    } <= set(logic.__all__)
    assert isinstance(parse_expression("a + b"), Expr)
    assert Rule.__module__ == Threshold.__module__ == "negsim.logic"
    assert parse_expression.__module__ == "negsim.logic"
