"""Time the shipped doctrines' decision rules, compiled three ways, in one run.

Run from the repository root::

    python benchmarks/bench_rules.py            # 15 repeats of 100,000 calls per rule
    python benchmarks/bench_rules.py --quick    # 5 repeats of 20,000 calls

The compilers:

* ``generated``: :func:`negsim.logic.compile_expression`, which writes each expression as
  one Python function, generically from the tree (it builds a Python syntax tree and
  compiles that; see ``negsim/logic/_arith_compile.py``);
* ``factories``: the compiler it replaced, about fifty hand-specialised closure factories
  (one per operator and pair of operand kinds) that nest a closure per operator, kept
  here, copied, so that the two can be timed side by side; the library does not keep it;
* ``naive``: one closure per node that calls its children's closures, with no
  specialisation: the generic closure compiler the factories were written to beat.

The rules are every :class:`negsim.logic.Rule` of the shipped doctrine plugins. Each is
evaluated at the values its doctrine reports for the flagship scenarios (the
``negsim_decision_rules`` hook), or, for a rule no agent there reports, at made-up values.
For each rule the three functions must give the same float; then each is called in a
loop, the three compilers in turn within every repeat. Figures are median nanoseconds per
call (min-max), the call itself and the loop included; the ratios divide figures of this
run, per rule and for the rules together (the sum of their medians). Compiling, a one-off
cost per distinct expression text, is timed too. Nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import timeit
from collections.abc import Callable, Mapping
from operator import itemgetter
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple, TypeAlias, cast

import negsim
import negsim_bilateral
import negsim_collective
import negsim_crisis
import negsim_wedge
from negsim.logic import (
    Add,
    Call,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Rule,
    Sym,
    compile_expression,
    parse_expression,
)
from negsim.logic._arith_compile import _compile as generate_uncached

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "examples" / "scenarios"
FLAGSHIPS = ("korea_bilateral", "korea_integrated", "baltic_nato")
PLUGINS: tuple[ModuleType, ...] = (
    negsim_bilateral,
    negsim_collective,
    negsim_wedge,
    negsim_crisis,
)
DOCTRINES = {"bilateral": negsim_bilateral, "collective": negsim_collective, "wedge": negsim_wedge}

Evaluator: TypeAlias = Callable[[Mapping[str, float]], float]


# -- the hand-specialised closure factories (negsim.logic before the generated functions) --

_V: TypeAlias = Mapping[str, float]
_Pair: TypeAlias = tuple[str, str]


class _Node(NamedTuple):
    """A compiled node, with what a parent needs to inline it instead of calling it."""

    fn: Evaluator  # computes the node's value
    const: float | None = None  # the value, when the node is constant
    name: str | None = None  # the parameter, when the node is a bare parameter
    pair: _Pair | None = None  # the two parameters, when the node is their product
    depth: int = 0  # how many closures deep a call of fn goes (0: inlined by the parent)

    def kind(self) -> tuple[str, Any]:
        """The node's kind for the factories (c, s, p or f) and what they take for it."""
        if self.const is not None:
            return "c", self.const
        if self.name is not None:
            return "s", self.name
        if self.pair is not None:
            return "p", self.pair
        return "f", self.fn


_exp = math.exp
_log = math.log
_sqrt = math.sqrt
_pow = math.pow  # unlike '**', refuses a negative base with a fractional exponent


def _constant(value: float) -> _Node:
    def constant(v: _V) -> float:
        return value

    return _Node(constant, const=value)


def _parameter(name: str) -> _Node:
    name = sys.intern(name)
    return _Node(cast(Evaluator, itemgetter(name)), name=name)


def _function(fn: Evaluator, *children: _Node) -> _Node:
    return _Node(fn, depth=1 + max((child.depth for child in children), default=0))


_MAX_CALL_DEPTH = 100


def _add_ss(a: str, b: str) -> Evaluator:
    return lambda v: v[a] + v[b]


def _add_sc(a: str, b: float) -> Evaluator:
    return lambda v: v[a] + b


def _add_sf(a: str, b: Evaluator) -> Evaluator:
    return lambda v: v[a] + b(v)


def _add_cs(a: float, b: str) -> Evaluator:
    return lambda v: a + v[b]


def _add_cf(a: float, b: Evaluator) -> Evaluator:
    return lambda v: a + b(v)


def _add_fs(a: Evaluator, b: str) -> Evaluator:
    return lambda v: a(v) + v[b]


def _add_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: a(v) + b


def _add_ff(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) + b(v)


def _add_sp(a: str, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: v[a] + v[b0] * v[b1]


def _add_ps(a: _Pair, b: str) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] + v[b]


def _add_fp(a: Evaluator, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: a(v) + v[b0] * v[b1]


def _add_pf(a: _Pair, b: Evaluator) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] + b(v)


def _add_pp(a: _Pair, b: _Pair) -> Evaluator:
    a0, a1 = a
    b0, b1 = b
    return lambda v: v[a0] * v[a1] + v[b0] * v[b1]


def _add_cp(a: float, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: a + v[b0] * v[b1]


def _add_pc(a: _Pair, b: float) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] + b


def _sub_ss(a: str, b: str) -> Evaluator:
    return lambda v: v[a] - v[b]


def _sub_sc(a: str, b: float) -> Evaluator:
    return lambda v: v[a] - b


def _sub_sf(a: str, b: Evaluator) -> Evaluator:
    return lambda v: v[a] - b(v)


def _sub_cs(a: float, b: str) -> Evaluator:
    return lambda v: a - v[b]


def _sub_cf(a: float, b: Evaluator) -> Evaluator:
    return lambda v: a - b(v)


def _sub_fs(a: Evaluator, b: str) -> Evaluator:
    return lambda v: a(v) - v[b]


def _sub_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: a(v) - b


def _sub_ff(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) - b(v)


def _sub_sp(a: str, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: v[a] - v[b0] * v[b1]


def _sub_ps(a: _Pair, b: str) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] - v[b]


def _sub_fp(a: Evaluator, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: a(v) - v[b0] * v[b1]


def _sub_pf(a: _Pair, b: Evaluator) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] - b(v)


def _sub_pp(a: _Pair, b: _Pair) -> Evaluator:
    a0, a1 = a
    b0, b1 = b
    return lambda v: v[a0] * v[a1] - v[b0] * v[b1]


def _sub_cp(a: float, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: a - v[b0] * v[b1]


def _sub_pc(a: _Pair, b: float) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] - b


def _mul_ss(a: str, b: str) -> Evaluator:
    return lambda v: v[a] * v[b]


def _mul_sc(a: str, b: float) -> Evaluator:
    return lambda v: v[a] * b


def _mul_sf(a: str, b: Evaluator) -> Evaluator:
    return lambda v: v[a] * b(v)


def _mul_cs(a: float, b: str) -> Evaluator:
    return lambda v: a * v[b]


def _mul_cf(a: float, b: Evaluator) -> Evaluator:
    return lambda v: a * b(v)


def _mul_fs(a: Evaluator, b: str) -> Evaluator:
    return lambda v: a(v) * v[b]


def _mul_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: a(v) * b


def _mul_ff(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) * b(v)


def _mul_ps(a: _Pair, b: str) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] * v[b]


def _mul_pc(a: _Pair, b: float) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] * b


def _div_ss(a: str, b: str) -> Evaluator:
    return lambda v: v[a] / v[b]


def _div_sc(a: str, b: float) -> Evaluator:
    return lambda v: v[a] / b


def _div_sf(a: str, b: Evaluator) -> Evaluator:
    return lambda v: v[a] / b(v)


def _div_cs(a: float, b: str) -> Evaluator:
    return lambda v: a / v[b]


def _div_cf(a: float, b: Evaluator) -> Evaluator:
    return lambda v: a / b(v)


def _div_fs(a: Evaluator, b: str) -> Evaluator:
    return lambda v: a(v) / v[b]


def _div_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: a(v) / b


def _div_ff(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) / b(v)


def _pow_sc(a: str, b: float) -> Evaluator:
    return lambda v: _pow(v[a], b)


def _pow_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: _pow(a(v), b)


_Factory: TypeAlias = Callable[[Any, Any], Evaluator]

_FACTORIES: dict[str, _Factory] = {
    "+ss": _add_ss,
    "+sc": _add_sc,
    "+sf": _add_sf,
    "+cs": _add_cs,
    "+cf": _add_cf,
    "+fs": _add_fs,
    "+fc": _add_fc,
    "+ff": _add_ff,
    "+sp": _add_sp,
    "+ps": _add_ps,
    "+fp": _add_fp,
    "+pf": _add_pf,
    "+pp": _add_pp,
    "+cp": _add_cp,
    "+pc": _add_pc,
    "-ss": _sub_ss,
    "-sc": _sub_sc,
    "-sf": _sub_sf,
    "-cs": _sub_cs,
    "-cf": _sub_cf,
    "-fs": _sub_fs,
    "-fc": _sub_fc,
    "-ff": _sub_ff,
    "-sp": _sub_sp,
    "-ps": _sub_ps,
    "-fp": _sub_fp,
    "-pf": _sub_pf,
    "-pp": _sub_pp,
    "-cp": _sub_cp,
    "-pc": _sub_pc,
    "*ss": _mul_ss,
    "*sc": _mul_sc,
    "*sf": _mul_sf,
    "*cs": _mul_cs,
    "*cf": _mul_cf,
    "*fs": _mul_fs,
    "*fc": _mul_fc,
    "*ff": _mul_ff,
    "*ps": _mul_ps,
    "*pc": _mul_pc,
    "/ss": _div_ss,
    "/sc": _div_sc,
    "/sf": _div_sf,
    "/cs": _div_cs,
    "/cf": _div_cf,
    "/fs": _div_fs,
    "/fc": _div_fc,
    "/ff": _div_ff,
    "^sc": _pow_sc,
    "^fc": _pow_fc,
}

_OPERATIONS: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": _pow,
}


def _binary(op: str, left: _Node, right: _Node) -> _Node:
    if left.const is not None and right.const is not None:
        try:
            return _constant(_OPERATIONS[op](left.const, right.const))
        except (ArithmeticError, ValueError):
            pass
    left_kind, left_arg = left.kind()
    right_kind, right_arg = right.kind()
    if op == "*" and left_kind == right_kind == "s":
        return _Node(_mul_ss(left_arg, right_arg), pair=(left_arg, right_arg), depth=1)
    factory = _FACTORIES.get(op + left_kind + right_kind)
    if factory is None and "p" in left_kind + right_kind:
        left_kind, left_arg = ("f", left.fn) if left_kind == "p" else (left_kind, left_arg)
        right_kind, right_arg = ("f", right.fn) if right_kind == "p" else (right_kind, right_arg)
        factory = _FACTORIES.get(op + left_kind + right_kind)
    if factory is None:
        operation, left_fn, right_fn = _OPERATIONS[op], left.fn, right.fn
        return _function(lambda v: operation(left_fn(v), right_fn(v)), left, right)
    return _function(factory(left_arg, right_arg), left, right)


def _negate(node: _Node) -> _Node:
    if node.const is not None:
        return _constant(-node.const)
    name, fn = node.name, node.fn
    if name is not None:
        return _function(lambda v: -v[name])
    return _function(lambda v: -fn(v), node)


_UNARY: dict[str, Callable[[float], float]] = {"exp": _exp, "log": _log, "sqrt": _sqrt}


def _unary_call(func: Callable[[float], float], arg: _Node) -> _Node:
    const, name, fn = arg.const, arg.name, arg.fn
    if const is not None:
        try:
            return _constant(func(const))
        except (ArithmeticError, ValueError):
            return _function(lambda v: func(const))
    if name is not None:
        return _function(lambda v: func(v[name]))
    return _function(lambda v: func(fn(v)), arg)


def _extreme(func: Callable[..., float], args: list[_Node]) -> _Node:
    consts = [arg.const for arg in args]
    if all(const is not None for const in consts):
        return _constant(func(consts))
    fns = [arg.fn for arg in args]
    if len(fns) == 2:
        first, second = fns
        return _function(lambda v: func(first(v), second(v)), *args)
    return _function(lambda v: func([fn(v) for fn in fns]), *args)


def _chain(first: _Node, rest: list[tuple[str, _Node]]) -> _Node:
    result = first
    for op, operand in rest:
        result = _binary(op, result, operand)
    if result.depth <= _MAX_CALL_DEPTH:
        return result
    start = first.fn
    steps = tuple((op == "-", operand.fn) for op, operand in rest)
    if rest[0][0] == "*":
        factors = tuple(fn for _, fn in steps)

        def product(v: _V) -> float:
            value = start(v)
            for fn in factors:
                value = value * fn(v)
            return value

        return _function(product, first, *(operand for _, operand in rest))

    def total(v: _V) -> float:
        value = start(v)
        for minus, fn in steps:
            value = value - fn(v) if minus else value + fn(v)
        return value

    return _function(total, first, *(operand for _, operand in rest))


def _compile_factories(expr: Expr) -> _Node:
    match expr:
        case Num(value=value):
            return _constant(value)
        case Sym(name=name):
            return _parameter(name)
        case Add(operands=(first, *rest)):
            return _chain(
                _compile_factories(first),
                [
                    ("-", _compile_factories(term.operand))
                    if isinstance(term, Neg)
                    else ("+", _compile_factories(term))
                    for term in rest
                ],
            )
        case Mul(operands=(first, *rest)):
            return _chain(_compile_factories(first), [("*", _compile_factories(f)) for f in rest])
        case Neg(operand=operand):
            return _negate(_compile_factories(operand))
        case Div(left=left, right=right):
            return _binary("/", _compile_factories(left), _compile_factories(right))
        case Pow(base=base, exponent=exponent):
            return _binary("^", _compile_factories(base), _compile_factories(exponent))
        case Call(func=func, args=args):
            compiled = [_compile_factories(arg) for arg in args]
            if func in _UNARY:
                return _unary_call(_UNARY[func], compiled[0])
            return _extreme(min if func == "min" else max, compiled)
    raise TypeError(f"not an expression: {expr!r}")


def factories(expr: Expr) -> Evaluator:
    """The hand-specialised closure factories' function for an expression."""
    return _compile_factories(expr).fn


# -- a naive generic compiler: one closure per node, no specialisation ---------------------

_BINARY: dict[type, Callable[[float, float], float]] = {
    Div: lambda a, b: a / b,
    Pow: math.pow,
}
_CALLS: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "min": min,
    "max": max,
}


def naive(expr: Expr) -> Evaluator:
    """One closure per node that calls its children's closures."""
    match expr:
        case Num(value=value):
            return lambda v: value
        case Sym(name=name):
            return cast(Evaluator, itemgetter(sys.intern(name)))
        case Add(operands=(first, *rest)):
            total = naive(first)
            for term in rest:
                if isinstance(term, Neg):
                    total = _naive_sub(total, naive(term.operand))
                else:
                    total = _naive_add(total, naive(term))
            return total
        case Mul(operands=(first, *rest)):
            product = naive(first)
            for factor in rest:
                product = _naive_mul(product, naive(factor))
            return product
        case Neg(operand=operand):
            inner = naive(operand)
            return lambda v: -inner(v)
        case Div(left=left, right=right) | Pow(base=left, exponent=right):
            operation, a, b = _BINARY[type(expr)], naive(left), naive(right)
            return lambda v: operation(a(v), b(v))
        case Call(func=func, args=args):
            function, fns = _CALLS[func], [naive(arg) for arg in args]
            return lambda v: function(*[fn(v) for fn in fns])
    raise TypeError(f"not an expression: {expr!r}")


def _naive_add(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) + b(v)


def _naive_sub(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) - b(v)


def _naive_mul(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) * b(v)


# -- the benchmark --------------------------------------------------------------------------

COMPILERS: dict[str, Callable[[Expr], Evaluator]] = {
    "generated": compile_expression,
    "factories": factories,
    "naive": naive,
}
# The same compilers without compile_expression's cache, to time compiling.
UNCACHED: dict[str, Callable[[Expr], Evaluator]] = {
    "generated": generate_uncached,
    "factories": factories,
    "naive": naive,
}


def shipped_rules() -> list[tuple[str, Rule, Mapping[str, float]]]:
    """Every Rule of the shipped plugins, with values from the flagships where reported."""
    reported: dict[int, Mapping[str, float]] = {}
    for name in FLAGSHIPS:
        scenario = negsim.load_scenario(SCENARIOS / f"{name}.toml")
        for agent in scenario.agents:
            plugin = DOCTRINES.get(agent.doctrine)
            if plugin is None:
                continue
            for rule, values in plugin.negsim_decision_rules(agent=agent, scenario=scenario):
                reported.setdefault(id(rule), dict(values))
    found = []
    for plugin in PLUGINS:
        for attribute, rule in sorted(vars(plugin).items()):
            if isinstance(rule, Rule):
                values = reported.get(id(rule))
                if values is None:  # no flagship agent reports it: made-up values
                    values = {s: 0.25 + 0.125 * i for i, s in enumerate(rule.symbols)}
                found.append((f"{plugin.__name__}.{attribute}", rule, values))
    return found


def per_call(fn: Evaluator, values: Mapping[str, float], number: int) -> float:
    """Seconds per call of ``fn(values)``, the call and the loop included."""
    return timeit.Timer("fn(values)", globals={"fn": fn, "values": values}).timeit(number) / number


def fmt(times: list[float]) -> str:
    """``median (min-max)`` in nanoseconds."""
    return f"{statistics.median(times) * 1e9:.0f} ({min(times) * 1e9:.0f}-{max(times) * 1e9:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and repeats")
    args = parser.parse_args()
    repeats, number = (5, 20_000) if args.quick else (15, 100_000)
    names = list(COMPILERS)
    rows = [
        "| rule | terms | " + " | ".join(f"{name} (ns/call)" for name in names) + " | "
        f"{names[0]} / {names[1]} | {names[2]} / {names[1]} |",
        "|---|---:|" + "---:|" * (len(names) + 2),
    ]
    totals = dict.fromkeys(names, 0.0)
    rules = shipped_rules()
    for label, rule, values in rules:
        expr = parse_expression(rule.expr)
        fns = {name: compile_(expr) for name, compile_ in COMPILERS.items()}
        results = {name: fn(values) for name, fn in fns.items()}
        if len(set(results.values())) != 1:
            raise SystemExit(f"{label}: the compilers disagree: {results}")
        times: dict[str, list[float]] = {name: [] for name in names}
        for fn in fns.values():
            per_call(fn, values, number // 10)  # warm up
        for _ in range(repeats):
            for name, fn in fns.items():
                times[name].append(per_call(fn, values, number))
        medians = {name: statistics.median(times[name]) for name in names}
        for name in names:
            totals[name] += medians[name]
        terms = len(expr.operands) if isinstance(expr, Add) else 1
        rows.append(
            f"| `{label}` | {terms} | "
            + " | ".join(fmt(times[name]) for name in names)
            + f" | {medians[names[0]] / medians[names[1]]:.2f}x"
            f" | {medians[names[2]] / medians[names[1]]:.2f}x |"
        )
    rows.append(
        "| all rules (sum of medians) | | "
        + " | ".join(f"{totals[name] * 1e9:.0f}" for name in names)
        + f" | **{totals[names[0]] / totals[names[1]]:.2f}x**"
        f" | {totals[names[2]] / totals[names[1]]:.2f}x |"
    )
    exprs = [parse_expression(rule.expr) for _, rule, _ in rules]
    compiling = {
        name: [
            timeit.Timer(lambda c=compile_: [c(e) for e in exprs]).timeit(20) / 20 / len(exprs)
            for _ in range(repeats)
        ]
        for name, compile_ in UNCACHED.items()
    }
    print(
        f"Evaluating the decision rules of the shipped doctrines: {repeats} repeats of "
        f"{number:,} calls per rule and compiler; Python {sys.version.split()[0]}.\n"
    )
    print("\n".join(rows))
    print(
        "\nCompiling them, once per distinct expression text (compile_expression caches the "
        "function), microseconds per rule, uncached: "
        + "; ".join(f"{name} {fmt([t / 1000 for t in compiling[name]])}" for name in names)
        + "."
    )


if __name__ == "__main__":
    main()
