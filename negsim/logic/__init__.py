"""The proposition and decision-rule languages: parsing, compiling and converting to sympy.

Commitments state their antecedents and consequents as propositions over the world's boolean
facts, written as text such as ``attacked(ROK) & ~denies_access(JPN, USA)``.
:func:`parse` reads the text into an immutable tree of :class:`Atom`, :class:`Const`,
:class:`Not`, :class:`And`, :class:`Or`, :class:`Implies` and :class:`Equiv` nodes, without
evaluating anything; :func:`compile_predicate` turns a tree into a fast predicate over the set of
true fact keys for the simulation loop; :func:`to_sympy` and :func:`from_sympy` carry trees to
and from sympy for analysis, and :func:`satisfiable` finds a world in which a tree holds. sympy
is imported only when those three are called. Decision rules,
arithmetic inequalities over numeric parameters, have their own language (see the last
section).

The grammar, from the loosest operator to the tightest:

.. code-block:: text

    equiv   := implies ( "<->" implies )*           left-associative
    implies := or ( ( ">>" | "->" ) implies )?       right-associative
    or      := and ( ( "|" | "or" ) and )*
    and     := unary ( ( "&" | "and" ) unary )*
    unary   := ( "~" | "!" | "not" ) unary | primary
    primary := "true" | "false" | atom | "(" equiv ")"
    atom    := NAME ( "(" ARG ( "," ARG )* ")" )?
    NAME    := [A-Za-z][A-Za-z0-9_]*     except true, false, and, or, not
    ARG     := [A-Za-z0-9][A-Za-z0-9_-]*   an agent id such as ROK or US-ROK

Whitespace between tokens is ignored. Text longer than 10,000 characters, or nested deeper
than 200 levels, is refused. Every refusal is a :class:`~negsim.errors.PropositionError`
whose column points at the offending character and whose reason says what was found there
and what was expected.

An atom is true when its key, the canonical text ``name(A,B)`` (or just ``name`` without
arguments), is in the set of true facts. ``str(prop)`` renders canonical text that parses
back to an equal tree:

>>> from negsim.logic import compile_predicate, parse
>>> prop = parse("attacked(ROK) and not denies_access(JPN, USA)")
>>> str(prop)
'attacked(ROK) & ~denies_access(JPN,USA)'
>>> compile_predicate(prop)({"attacked(ROK)"})
True

Decision rules
--------------

Doctrines state their honour-or-defect rules as arithmetic over named parameters: a
:class:`Rule` holds while its expression is greater than zero, as in the host's access rule

.. code-block:: text

    alliance_value + dependence * cost_abandon + audience_cost * t - reward - p_strike * cost_strike

:func:`parse_expression` reads such text (numbers, parameter names, ``+ - * / ^`` or ``**``,
unary minus, parentheses, and the functions ``min``, ``max``, ``exp``, ``log`` and ``sqrt``)
into an immutable :data:`Expr` tree, with the same safety, limits and errors as :func:`parse`:
nothing is evaluated, and a call of any other function (``eval(1)``) is refused by name with a
:class:`~negsim.errors.PropositionError`. :func:`compile_expression` turns a tree into a function
of a mapping of values, free of sympy: the Python function one would write by hand, generated
from the tree (never from text); :func:`expression_symbols` lists its parameters;
:func:`expression_to_sympy` carries it to sympy.

The same :class:`Rule` object serves the loop and the analysis: :meth:`Rule.value` and
:meth:`Rule.holds` call the compiled function, and :meth:`Rule.threshold` solves the rule for
one parameter with sympy (a closed form where one exists, else numerically) and returns a
:class:`Threshold`: the value at which the rule flips, on which side it holds, and the margin
from the scenario's value:

>>> from negsim.logic import Rule
>>> rule = Rule("grant_access", "V + D * C - r - p * S", "JPN grants access while ...", "")
>>> values = {"V": 1.0, "D": 0.5, "C": 2.0, "r": 0.5, "p": 0.25, "S": 4.0}
>>> rule.value(values)
0.5
>>> threshold = rule.threshold("p", values)
>>> threshold.closed_form
'(C*D + V - r)/S'
>>> threshold.describe()
'grant_access holds while p < 0.375 (scenario 0.25, margin 0.125)'

sympy is imported only by :func:`to_sympy`, :func:`from_sympy`, :func:`satisfiable`,
:func:`expression_to_sympy`, :meth:`Rule.to_sympy` and :meth:`Rule.threshold`, never by
``import negsim.logic``. No other part of negsim imports sympy.
"""

from __future__ import annotations

from negsim.logic._arith_ast import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Sym
from negsim.logic._arith_compile import compile_expression, expression_symbols
from negsim.logic._arith_parser import parse_expression
from negsim.logic._ast import And, Atom, Const, Equiv, Implies, Not, Or, Prop
from negsim.logic._compile import atoms, compile_predicate, evaluate
from negsim.logic._parser import parse, parse_shape, plain_atom
from negsim.logic._rules import Evaluation, HoldsWhen, Rule, Threshold, recording
from negsim.logic._sympy import expression_to_sympy, from_sympy, satisfiable, to_sympy

__all__ = [
    "Add",
    "And",
    "Atom",
    "Call",
    "Const",
    "Div",
    "Equiv",
    "Evaluation",
    "Expr",
    "HoldsWhen",
    "Implies",
    "Mul",
    "Neg",
    "Not",
    "Num",
    "Or",
    "Pow",
    "Prop",
    "Rule",
    "Sym",
    "Threshold",
    "atoms",
    "compile_expression",
    "compile_predicate",
    "evaluate",
    "expression_symbols",
    "expression_to_sympy",
    "from_sympy",
    "parse",
    "parse_expression",
    "parse_shape",
    "plain_atom",
    "recording",
    "satisfiable",
    "to_sympy",
]

# Document and show the public names where users import them from.
for _public in (
    Add,
    Call,
    Div,
    Mul,
    Neg,
    Num,
    Pow,
    Sym,
    And,
    Atom,
    Const,
    Equiv,
    Implies,
    Not,
    Or,
    Rule,
    Threshold,
    Evaluation,
    recording,
    atoms,
    compile_expression,
    compile_predicate,
    evaluate,
    expression_symbols,
    expression_to_sympy,
    from_sympy,
    parse,
    parse_expression,
    parse_shape,
    plain_atom,
    satisfiable,
    to_sympy,
):
    _public.__module__ = __name__
del _public
