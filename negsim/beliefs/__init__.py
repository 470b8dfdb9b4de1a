"""Beliefs: what one agent believes about another agent's private type.

A :class:`Belief` is a discrete distribution over another agent's types, held in the
believing agent's private state and updated in place by Bayes' rule from
type-contingent likelihoods. The types and the public priors it starts from are value
objects of the model (:mod:`negsim.model`). This package imports only the model and the
standard library.
"""

from negsim.beliefs._belief import Belief

__all__ = ["Belief"]
