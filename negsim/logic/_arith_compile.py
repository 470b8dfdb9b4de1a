"""Turning arithmetic expressions into fast Python functions, and listing their parameters.

:func:`compile_expression` writes each expression out as the Python function a person would
write by hand, ``def expression(v): return v["a"] + v["b"] * v["c"]``, and compiles it once
(cached). The function is generated generically, one rule per node kind, as a Python syntax
tree (:mod:`ast`) built from the validated expression tree, never from text: a parameter
name appears in it only as the string constant of a look-up ``v["name"]``, a number only as
a float constant, a function only as one of the fixed helpers ``_pow``, ``_exp``, ``_log``,
``_sqrt``, ``_min`` and ``_max``, and the function's globals hold those helpers and nothing
else (no builtins). Nothing is parsed from text, and nothing is passed to ``eval`` or
``exec``: the code object of the function is taken from the compiled tree and made into a
function directly.

This generic compiler replaced about fifty hand-specialised closure factories, one per
operator and pair of operand kinds, that nested a closure per operator.
``benchmarks/bench_rules.py`` times both in one run (the factories are kept there, copied)
on the decision rules of the shipped doctrines: the generated functions take 0.60x the time
of the factories' closures (0.52x to 0.65x per rule), being one call with the operators
inline where the closures made about one call per term; a naive generic compiler of one
closure per node took 1.84x. Compiling costs more (about 120 microseconds per rule against
30), once per distinct expression text.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeAlias, cast

from negsim.logic._arith_ast import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Sym
from negsim.logic._text import CACHE_SIZE

__all__ = ["Evaluator", "compile_expression", "expression_symbols"]

#: A compiled expression: takes a mapping of parameter values, returns the expression's value.
Evaluator: TypeAlias = Callable[[Mapping[str, float]], float]

# The only names a generated function reads besides its argument ``v`` and its temporaries.
_HELPERS: Mapping[str, Callable[..., float]] = {
    "_pow": math.pow,  # unlike '**', refuses a negative base with a fractional exponent
    "_exp": math.exp,
    "_log": math.log,
    "_sqrt": math.sqrt,
    "_min": min,
    "_max": max,
}

# The globals of every generated function: the helpers, and no builtins.
_GLOBALS: dict[str, Any] = {"__builtins__": {}, **_HELPERS}

# How two constants are folded, by the Python operator that would combine them.
_FOLD: Mapping[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}

# CPython's compiler recurses once per level of a syntax tree and refuses trees a few
# thousand levels deep (fewer when called with little stack left), while a chain of 2,500
# terms, which the parser accepts, is a tree of 2,500 levels. So a generated expression is
# kept lower than this: a subexpression that reaches it is assigned to a local variable
# first, and the statements run in order. A decision rule is a few levels high.
_MAX_HEIGHT = 50

_ARGUMENT = "v"
_FILENAME = "<expression>"
_NAME = "expression"


class _Code(NamedTuple):
    """A generated Python expression, how many levels high it is, and its constant value."""

    node: ast.expr
    height: int
    const: float | None = None  # the value, when the expression is constant


def _constant(value: float) -> _Code:
    return _Code(ast.Constant(value), 1, value)


def _parameter(name: str) -> _Code:
    # ``v["name"]``, with the name interned, as the keys of most value mappings are (literals
    # and identifiers are), so that a look-up compares identities instead of characters.
    argument = ast.Name(_ARGUMENT, ast.Load())
    look_up = ast.Subscript(argument, ast.Constant(sys.intern(name)), ast.Load())
    return _Code(look_up, 2)


class _Generator:
    """Writes one expression as Python: one expression, after the statements that spill."""

    def __init__(self) -> None:
        self.statements: list[ast.stmt] = []

    def _spill(self, node: ast.expr, height: int) -> _Code:
        """Keep a new expression lower than :data:`_MAX_HEIGHT` by assigning it to a local."""
        if height < _MAX_HEIGHT:
            return _Code(node, height)
        name = f"_t{len(self.statements)}"
        self.statements.append(ast.Assign([ast.Name(name, ast.Store())], node))
        return _Code(ast.Name(name, ast.Load()), 1)

    def _binary(self, op: ast.operator, left: _Code, right: _Code) -> _Code:
        if left.const is not None and right.const is not None:
            try:
                return _constant(_FOLD[type(op)](left.const, right.const))
            except (ArithmeticError, ValueError):
                pass  # leave it to fail when evaluated, as it would unfolded
        node = ast.BinOp(left.node, op, right.node)
        return self._spill(node, 1 + max(left.height, right.height))

    def _call(self, helper: str, args: list[_Code]) -> _Code:
        consts = [arg.const for arg in args]
        if all(const is not None for const in consts):
            try:
                return _constant(_HELPERS[helper](*consts))
            except (ArithmeticError, ValueError):
                pass  # leave it to fail when evaluated, as it would unfolded
        node = ast.Call(ast.Name(helper, ast.Load()), [arg.node for arg in args], [])
        return self._spill(node, 1 + max(arg.height for arg in args))

    def _negate(self, operand: _Code) -> _Code:
        if operand.const is not None:
            return _constant(-operand.const)
        return self._spill(ast.UnaryOp(ast.USub(), operand.node), 1 + operand.height)

    def expression(self, expr: Expr) -> _Code:
        """Write an expression, left to right as written, folding constant operations."""
        match expr:
            case Num(value=value):
                return _constant(value)
            case Sym(name=name):
                return _parameter(name)
            case Add(operands=(first, *rest)):
                code = self.expression(first)
                for term in rest:
                    if isinstance(term, Neg):  # a - b, not a + (-b)
                        code = self._binary(ast.Sub(), code, self.expression(term.operand))
                    else:
                        code = self._binary(ast.Add(), code, self.expression(term))
                return code
            case Mul(operands=(first, *rest)):
                code = self.expression(first)
                for factor in rest:
                    code = self._binary(ast.Mult(), code, self.expression(factor))
                return code
            case Neg(operand=operand):
                return self._negate(self.expression(operand))
            case Div(left=left, right=right):
                return self._binary(ast.Div(), self.expression(left), self.expression(right))
            case Pow(base=base, exponent=exponent):
                return self._call("_pow", [self.expression(base), self.expression(exponent)])
            case Call(func=func, args=args):
                return self._call(f"_{func}", [self.expression(arg) for arg in args])
        raise TypeError(f"not an expression: {expr!r}")


def _function(statements: list[ast.stmt], result: ast.expr) -> Evaluator:
    """Compile ``def expression(v): <statements>; return <result>`` into a function."""
    arguments = ast.arguments(
        posonlyargs=[], args=[ast.arg(_ARGUMENT)], kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    definition = ast.FunctionDef(
        name=_NAME, args=arguments, body=[*statements, ast.Return(result)], decorator_list=[]
    )
    module = ast.fix_missing_locations(ast.Module([definition], type_ignores=[]))
    code = compile(module, _FILENAME, "exec", dont_inherit=True)
    body = next(const for const in code.co_consts if isinstance(const, types.CodeType))
    return cast(Evaluator, types.FunctionType(body, _GLOBALS, _NAME))


def _compile(expr: Expr) -> Evaluator:
    generator = _Generator()
    result = generator.expression(expr)
    return _function(generator.statements, result.node)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile_cached(expr: Expr) -> Evaluator:
    return _compile(expr)


def compile_expression(expr: Expr) -> Evaluator:
    """Compile an expression into a fast function of a mapping of parameter values.

    The function is the one a person would write by hand (``a + b * c`` becomes ``def
    expression(v): return v["a"] + v["b"] * v["c"]``), generated from the tree, never from
    text, and cached per expression (the last 4,096). Constant subexpressions are folded,
    and the operations run left to right as written, so the result is the float a
    hand-written function would give.

    Evaluation follows Python's float arithmetic, with ``^`` as :func:`math.pow`: a missing
    parameter raises :class:`KeyError` (with the name), division by zero
    :class:`ZeroDivisionError`, ``log``/``sqrt`` of a negative number or a negative number to
    a fractional power :class:`ValueError`, and an overflowing ``exp`` or ``^``
    :class:`OverflowError`.

    Args:
        expr: The expression.

    Returns:
        A function that takes a mapping from parameter names to numbers (extra keys are
        ignored) and returns the expression's value.

    Raises:
        TypeError: ``expr`` is not an expression tree (parse text first).

    Example:
        >>> from negsim.logic import compile_expression, parse_expression
        >>> f = compile_expression(parse_expression("V + D * C - p * S"))
        >>> f({"V": 1.0, "D": 0.5, "C": 2.0, "p": 0.25, "S": 4.0})
        1.0
    """
    return _compile_cached(expr)


# -- symbols --------------------------------------------------------------------------------


def _children(expr: Expr) -> tuple[Expr, ...]:
    match expr:
        case Add(operands=operands) | Mul(operands=operands):
            return operands
        case Neg(operand=operand):
            return (operand,)
        case Div(left=left, right=right):
            return (left, right)
        case Pow(base=base, exponent=exponent):
            return (base, exponent)
        case Call(args=args):
            return args
        case Num() | Sym():
            return ()
    raise TypeError(f"not an expression: {expr!r}")


@functools.lru_cache(maxsize=CACHE_SIZE)
def _symbols_cached(expr: Expr) -> frozenset[str]:
    names: set[str] = set()
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Sym):
            names.add(node.name)
        else:
            stack.extend(_children(node))
    return frozenset(names)


def expression_symbols(expr: Expr) -> frozenset[str]:
    """Collect the names of the parameters an expression mentions.

    Args:
        expr: The expression.

    Returns:
        The parameter names, such as ``frozenset({"p_strike", "cost_strike"})``; empty for
        an expression built only from numbers.

    Raises:
        TypeError: ``expr`` is not an expression tree (parse text first).
    """
    return _symbols_cached(expr)
