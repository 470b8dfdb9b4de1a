"""The proposition language: parsing, compiling and converting to sympy.

Commitments state their antecedents and consequents as propositions over the world's boolean
facts, written as text such as ``attacked(ROK) & ~denies_access(JPN, USA)``.
:func:`parse` reads the text into an immutable tree of :class:`Atom`, :class:`Const`,
:class:`Not`, :class:`And`, :class:`Or`, :class:`Implies` and :class:`Equiv` nodes, without
evaluating anything; :func:`compile_predicate` turns a tree into a fast predicate over the set of
true fact keys for the simulation loop; :func:`to_sympy` and :func:`from_sympy` carry trees to
and from sympy for analysis. sympy is imported only when those two are called.

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
"""

from __future__ import annotations

from negsim.logic._ast import And, Atom, Const, Equiv, Implies, Not, Or, Prop
from negsim.logic._compile import atoms, compile_predicate, evaluate
from negsim.logic._parser import parse
from negsim.logic._sympy import from_sympy, to_sympy

__all__ = [
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
]

# Document and show the public names where users import them from.
for _public in (
    And,
    Atom,
    Const,
    Equiv,
    Implies,
    Not,
    Or,
    atoms,
    compile_predicate,
    evaluate,
    from_sympy,
    parse,
    to_sympy,
):
    _public.__module__ = __name__
del _public
