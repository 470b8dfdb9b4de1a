"""Decision rules: named arithmetic inequalities, fast in the loop and solvable for analysis.

A doctrine states each honour-or-defect rule as a :class:`Rule`: an arithmetic expression
(see :func:`negsim.logic.parse_expression`) that holds while it is greater than zero, with a
plain-language meaning and a citation. The same object serves twice:

* in the simulation loop, :meth:`Rule.value` and :meth:`Rule.holds` call a Python function
  generated from the expression's tree when the rule is created (cached per expression
  text; see :func:`negsim.logic.compile_expression`), and never touch sympy;
* in analysis, :meth:`Rule.threshold` solves ``expr == 0`` for one parameter with sympy: a
  closed form where one exists (cached per expression and parameter, as it does not depend
  on the values), else a numeric root, and reports on which side of it the rule holds.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

from negsim.errors import MissingValueError
from negsim.logic._arith_compile import Evaluator, compile_expression, expression_symbols
from negsim.logic._arith_parser import parse_expression
from negsim.logic._sympy import expression_to_sympy, import_sympy

if TYPE_CHECKING:
    from sympy import Expr as SympyExpr  # type: ignore[import-untyped,unused-ignore]
    from sympy import Symbol  # type: ignore[import-untyped,unused-ignore]

__all__ = ["HoldsWhen", "Rule", "Threshold"]

_CACHE_SIZE = 1024

HoldsWhen = Literal["<", ">", "always", "never"]
"""How a rule's truth depends on a parameter: below (``<``) or above (``>``) the
threshold, or not at all (``always``, ``never``)."""


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"'{attribute.name}' must be a str: {value!r}")
    if not value.strip():
        raise ValueError(f"'{attribute.name}' must not be empty")


@attrs.frozen
class Threshold:
    """Where a rule flips as one parameter moves, the others held at a scenario's values.

    Attributes:
        rule: The rule's name.
        param: The parameter solved for.
        value: The parameter's value at which the rule's expression is zero and changes sign
            (the root nearest the scenario value when there are several); where no root
            flips the rule, a pole across which it jumps (``1/(p - 1)`` at ``p = 1``); None
            when neither was found.
        closed_form: The solution for the parameter in terms of the other parameters, as
            sympy prints it (``(C*D + V - r)/S``); None when the root was found numerically
            or there is none.
        holds_when: ``"<"`` when the rule holds while the parameter is below :attr:`value`,
            ``">"`` when above (up to the next root, if any: see :attr:`other_roots`);
            ``"always"`` or ``"never"`` when nothing where the rule changes sign was found,
            according to whether it holds at the scenario values.
        scenario_value: The parameter's value in the scenario.
        margin: How far the parameter can move before the rule flips: positive when the
            rule holds at the scenario value, negative when it fails (``value -
            scenario_value`` for ``"<"``, ``scenario_value - value`` for ``">"``); None
            without a threshold.
        other_roots: The other real values of the parameter at which the expression is
            zero, in increasing order.
    """

    rule: str
    param: str
    value: float | None
    closed_form: str | None
    holds_when: HoldsWhen
    scenario_value: float
    margin: float | None
    other_roots: tuple[float, ...] = ()

    def describe(self) -> str:
        """Describe the threshold in one sentence.

        Returns:
            Text such as ``"grant_access holds while p_strike < 0.31 (scenario 0.24,
            margin 0.07)"``, or ``"grant_access holds whatever the value of p_strike
            (scenario 0.24)"`` when there is no threshold.
        """
        scenario = f"scenario {self.scenario_value:.4g}"
        if self.value is None or self.margin is None:
            verb = "holds" if self.holds_when == "always" else "fails"
            text = f"{self.rule} {verb} whatever the value of {self.param} ({scenario})"
        else:
            text = (
                f"{self.rule} holds while {self.param} {self.holds_when} {self.value:.4g} "
                f"({scenario}, margin {self.margin:.4g})"
            )
        if self.other_roots:
            roots = ", ".join(f"{root:.4g}" for root in self.other_roots)
            if self.value is None:
                text += f"; it is zero without changing sign at {self.param} = {roots}"
            else:
                text += f"; other roots at {self.param} = {roots}"
        return text

    def __str__(self) -> str:
        return self.describe()


@attrs.frozen
class Rule:
    """A decision rule: it holds while its expression is greater than zero.

    The expression is parsed and compiled when the rule is created (both cached per text),
    so a malformed rule fails when its doctrine is loaded, and evaluating it in the loop is
    one call of a function generated from the expression's tree.

    Attributes:
        name: The rule's name, such as ``grant_access``.
        expr: The expression, such as ``alliance_value + dependence * cost_abandon -
            reward - p_strike * cost_strike``; the rule holds while it is > 0.
        doc: The rule's meaning in plain language: ``"JPN grants access while ..."``.
        source: The citation the rule rests on.

    Raises:
        negsim.errors.PropositionError: ``expr`` is not an arithmetic expression.

    Example:
        >>> from negsim.logic import Rule
        >>> rule = Rule("grant_access", "V + D * C - r - p * S", "JPN grants access", "")
        >>> values = {"V": 1.0, "D": 0.5, "C": 2.0, "r": 0.5, "p": 0.25, "S": 4.0}
        >>> rule.holds(values)
        True
        >>> print(rule.threshold("p", values))
        grant_access holds while p < 0.375 (scenario 0.25, margin 0.125)
    """

    name: str = attrs.field(validator=_check_name)
    expr: str = attrs.field(validator=attrs.validators.instance_of(str))
    doc: str = attrs.field(validator=attrs.validators.instance_of(str))
    source: str = attrs.field(validator=attrs.validators.instance_of(str))
    _function: Evaluator = attrs.field(init=False, repr=False, eq=False)
    _symbols: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        tree = parse_expression(self.expr, source=f"rule {self.name!r}")
        object.__setattr__(self, "_function", compile_expression(tree))
        object.__setattr__(self, "_symbols", tuple(sorted(expression_symbols(tree))))

    def __reduce__(self) -> tuple[Any, ...]:
        # The compiled function cannot be pickled: rebuild it from the text.
        return (type(self), (self.name, self.expr, self.doc, self.source))

    @property
    def symbols(self) -> tuple[str, ...]:
        """The names of the parameters the rule needs, sorted."""
        return self._symbols

    def value(self, values: Mapping[str, float]) -> float:
        """Evaluate the rule's expression.

        Args:
            values: The parameters' values (extra keys are ignored).

        Returns:
            The expression's value: the rule holds while it is > 0.

        Raises:
            KeyError: A parameter has no value (a :class:`MissingValueError` that names
                the rule and every missing parameter).
            ArithmeticError: Division by zero or overflow, with a note naming the rule.
            ValueError: ``log`` or ``sqrt`` of a negative number, or a negative number
                to a fractional power, with a note naming the rule.
        """
        try:
            result = self._function(values)
        except KeyError:
            missing = self._missing(values)
            if missing is None:  # the mapping itself failed: let its error through
                raise
            raise missing from None
        except (ArithmeticError, ValueError) as error:
            error.add_note(f"while evaluating rule {self.name!r}: {self.expr}")
            raise
        ledger = _LEDGER.get()
        if ledger is not None:
            ledger.append(Evaluation(self, {k: float(values[k]) for k in self._symbols}, result))
        return result

    def holds(self, values: Mapping[str, float]) -> bool:
        """Tell whether the rule holds: whether its expression is > 0.

        Args:
            values: The parameters' values (extra keys are ignored).

        Returns:
            True while the expression is greater than zero.

        Raises:
            KeyError: A parameter has no value (a :class:`MissingValueError` that names
                the rule and every missing parameter).
            ArithmeticError: Division by zero or overflow, with a note naming the rule.
            ValueError: ``log`` or ``sqrt`` of a negative number, or a negative number
                to a fractional power, with a note naming the rule.
        """
        return self.value(values) > 0

    def _missing(self, values: Mapping[str, float]) -> MissingValueError | None:
        missing = [name for name in self._symbols if name not in values]
        return MissingValueError(self.name, missing, self._symbols) if missing else None

    def to_sympy(self) -> SympyExpr:
        """Convert the rule's expression to sympy (see :func:`negsim.logic.expression_to_sympy`).

        Returns:
            The expression over plain ``sympy.Symbol`` parameters; the rule holds while it
            is > 0.
        """
        return expression_to_sympy(parse_expression(self.expr))

    def threshold(self, param: str, values: Mapping[str, float]) -> Threshold:
        """Find the value of one parameter at which the rule flips, the others held fixed.

        Solves ``expr == 0`` for ``param`` with ``sympy.solve`` (once per rule text and
        parameter), keeps the real roots at the given values of the other parameters, and
        takes the one nearest the scenario value where the expression changes sign (so
        between the scenario value and the threshold the rule does not flip). When sympy
        finds no closed form (or none that is real), a numeric root is sought with
        ``sympy.nsolve`` from the scenario value. Where no root flips the rule, a pole that
        does (a zero of the denominator) is taken instead. The side on which the rule holds
        comes from evaluating the rule just either side of the root, or, where one side
        cannot be evaluated, from the sign of the derivative there. This is analysis: it
        costs milliseconds (the first solve of a rule tens of them), so keep it out of the
        loop.

        Args:
            param: The parameter to solve for.
            values: The scenario's values of every parameter, ``param`` included.

        Returns:
            The threshold, with ``value`` None and ``holds_when`` ``"always"`` or
            ``"never"`` when no root where the rule changes sign was found.

        Raises:
            ValueError: The rule does not depend on ``param``.
            KeyError: A parameter has no value (a :class:`MissingValueError`).
            TypeError: ``param`` is not a string.
        """
        if not isinstance(param, str):
            raise TypeError(f"a parameter name must be a str, not {type(param).__name__}")
        if param not in self._symbols:
            raise ValueError(
                f"rule {self.name!r} does not depend on {param!r}: its parameters are "
                f"{', '.join(self._symbols) or '(none)'}"
            )
        missing = [name for name in self._symbols if name not in values]
        if missing:
            raise MissingValueError(self.name, missing, self._symbols)
        point = {name: float(values[name]) for name in self._symbols}
        return _threshold(self, param, point)

    def _holds_at(self, point: Mapping[str, float]) -> bool | None:
        """Whether the rule holds at a point; None where it cannot be evaluated."""
        try:
            return self._function(point) > 0
        except (ArithmeticError, ValueError):
            return None


# -- solving --------------------------------------------------------------------------------


@functools.cache
def _real_symbol(name: str) -> Symbol:
    # Solving over the reals keeps sympy from offering complex branches it need not.
    return import_sympy().Symbol(name, real=True)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _real_expression(text: str) -> SympyExpr:
    """The rule's expression over real symbols, for solving."""
    expr = expression_to_sympy(parse_expression(text))
    return expr.xreplace({symbol: _real_symbol(symbol.name) for symbol in expr.free_symbols})


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _solutions(text: str, param: str) -> tuple[SympyExpr, ...] | None:
    """The closed-form solutions of ``expr == 0`` for a parameter; None when solve fails.

    An expression linear in the parameter, ``a + b*param`` (every decision rule of the
    built-in doctrines, in each of its parameters), has the one root ``-a/b``: it is
    taken directly, a few times faster than ``sympy.solve``, whose general path
    simplifies and imports much more to reach the same answer.
    """
    expr, symbol = _real_expression(text), _real_symbol(param)
    return _linear_root(expr, symbol) or _solve(expr, symbol)


def _linear_root(expr: SympyExpr, symbol: Symbol) -> tuple[SympyExpr] | None:
    """``(-a/b,)`` when ``expr`` is ``a + b*symbol`` with ``a`` and ``b`` free of it."""
    slope = expr.diff(symbol)
    if slope == 0 or symbol in slope.free_symbols:
        return None
    return (import_sympy().cancel(-expr.subs(symbol, 0) / slope),)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _poles(text: str, param: str) -> tuple[SympyExpr, ...]:
    """Where the expression's denominator is zero: it may jump across zero there."""
    sympy = import_sympy()
    symbol = _real_symbol(param)
    try:
        _, denominator = sympy.fraction(sympy.together(_real_expression(text)))
    except Exception:  # sympy raises many kinds: then look for roots only
        return ()
    if symbol not in denominator.free_symbols:
        return ()
    return _solve(denominator, symbol) or ()


def _solve(expr: SympyExpr, symbol: Symbol) -> tuple[SympyExpr, ...] | None:
    sympy = import_sympy()
    try:
        solutions = sympy.solve(expr, symbol)
    except Exception:  # sympy raises many kinds (NotImplementedError, ...): fall back
        return None
    return tuple(solution for solution in solutions if isinstance(solution, sympy.Expr))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _slope(text: str, param: str) -> SympyExpr:
    """The derivative of the rule's expression with respect to a parameter."""
    return import_sympy().diff(_real_expression(text), _real_symbol(param))


def _exact(point: Mapping[str, float]) -> dict[Symbol, Any]:
    """Substitutions of exact rationals for the floats of a point (so 0.5 - 1/2 is 0)."""
    rational = import_sympy().Rational
    return {_real_symbol(name): rational(value) for name, value in point.items()}


def _real(number: Any) -> float | None:
    """A sympy or mpmath number as a float, or None when it is not finite and real."""
    try:
        value = complex(number)
    except (TypeError, ValueError, ArithmeticError):
        return None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        return None
    if abs(value.imag) > 1e-9 * max(1.0, abs(value.real)):
        return None
    return value.real


def _evaluate(expr: SympyExpr, subs: Mapping[Symbol, Any]) -> float | None:
    try:
        return _real(expr.xreplace(dict(subs)).evalf(30))
    except Exception:  # evaluation can fail in many ways (a zero denominator, ...)
        return None


def _numeric_root(text: str, param: str, subs: Mapping[Symbol, Any], start: float) -> float | None:
    """A root found by ``sympy.nsolve`` from the scenario value (or a few points around it)."""
    sympy = import_sympy()
    function = _real_expression(text).xreplace(dict(subs))
    symbol = _real_symbol(param)
    if symbol not in function.free_symbols:
        return None
    width = max(1.0, abs(start))
    for x0 in (start, start + width, start - width, start + 10 * width, start - 10 * width):
        try:
            root = sympy.nsolve(function, symbol, x0)
        except Exception:  # no convergence (ValueError), a singular start, ...: next start
            continue
        value = _real(root)
        if value is not None:
            return value
    return None


def _direction(rule: Rule, param: str, point: dict[str, float], root: float) -> HoldsWhen | None:
    """On which side of a root (or pole) the rule holds; None when it does not flip there.

    The rule is evaluated just below and just above the root; where one side cannot be
    evaluated (outside the domain of ``log``, say), the sign of the derivative at the root
    decides.
    """
    step = 1e-7 * max(1.0, abs(root))
    below = rule._holds_at({**point, param: root - step})
    above = rule._holds_at({**point, param: root + step})
    if below is not None and above is not None:
        if below == above:
            return None  # it touches zero (or jumps) without changing sign
        return "<" if below else ">"
    slope = _evaluate(_slope(rule.expr, param), _exact({**point, param: root}))
    if slope is not None and slope != 0:
        return ">" if slope > 0 else "<"
    if above is not None:
        return ">" if above else "<"
    if below is not None:
        return "<" if below else ">"
    return None


def _threshold(rule: Rule, param: str, point: dict[str, float]) -> Threshold:
    scenario = point[param]
    subs = _exact({name: value for name, value in point.items() if name != param})

    roots: list[tuple[float, str | None]] = []  # (value, closed form), without duplicates
    for solution in _solutions(rule.expr, param) or ():
        _add(roots, _evaluate(solution, subs), str(solution))
    if not roots:
        _add(roots, _numeric_root(rule.expr, param, subs, scenario), None)
    # Poles matter only where no root flips the rule: 1/(p - 1) flips at p = 1.
    poles: list[tuple[float, str | None]] = []
    for pole in _poles(rule.expr, param):
        _add(poles, _evaluate(pole, subs), str(pole))

    for candidates in (roots, poles):
        for value, closed_form in sorted(candidates, key=lambda c: (abs(c[0] - scenario), c[0])):
            direction = _direction(rule, param, point, value)
            if direction is None:
                continue
            margin = value - scenario if direction == "<" else scenario - value
            others = tuple(sorted(root for root, _ in roots if root != value))
            return Threshold(
                rule.name, param, value, closed_form, direction, scenario, margin, others
            )

    holds = rule._holds_at(point)
    always: HoldsWhen = "always" if holds else "never"
    others = tuple(sorted(root for root, _ in roots))
    return Threshold(rule.name, param, None, None, always, scenario, None, others)


def _add(
    found: list[tuple[float, str | None]], value: float | None, closed_form: str | None
) -> None:
    if value is not None and not any(
        math.isclose(value, known, rel_tol=1e-12, abs_tol=1e-300) for known, _ in found
    ):
        found.append((value, closed_form))


@attrs.frozen
class Evaluation:
    """One evaluation of a rule, as :func:`recording` keeps it.

    Attributes:
        rule: The rule evaluated.
        inputs: The value of each of its symbols.
        value: The expression's value: the rule held if it is > 0.
    """

    rule: Rule
    inputs: Mapping[str, float]
    value: float

    @property
    def holds(self) -> bool:
        """Whether the rule held."""
        return self.value > 0.0


_LEDGER: contextvars.ContextVar[list[Evaluation] | None] = contextvars.ContextVar(
    "negsim_rule_ledger", default=None
)


@contextlib.contextmanager
def recording() -> Iterator[list[Evaluation]]:
    """Keep every rule evaluation made inside the block, in order (the decision ledger).

    Off (the default) a rule's evaluation costs one context-variable look-up more.

    Example:
        >>> from negsim.logic import Rule, recording
        >>> rule = Rule("attack", "gain - cost", "attack while it pays", "")
        >>> with recording() as ledger:
        ...     rule.holds({"gain": 3.0, "cost": 1.0})
        True
        >>> [(e.rule.name, dict(e.inputs), e.value) for e in ledger]
        [('attack', {'cost': 1.0, 'gain': 3.0}, 2.0)]
    """
    ledger: list[Evaluation] = []
    token = _LEDGER.set(ledger)
    try:
        yield ledger
    finally:
        _LEDGER.reset(token)
