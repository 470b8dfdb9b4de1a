"""The model: frozen attrs value objects and nothing else.

No I/O, no plugins, no engine: agents, alliances, messages, actions, commitments and
their lifecycle, the world state, typed events and outcomes, and the scenario that
holds them. Change a value with :func:`attrs.evolve`.
"""

from negsim.model._agents import (
    Agent,
    Alliance,
    AllianceKind,
    Capabilities,
    DecisionRule,
    ParamValue,
    Proposal,
)
from negsim.model._commitments import TRANSITIONS, Commitment, CommitmentState
from negsim.model._events import (
    EVENT_TYPES,
    ActionTaken,
    CommitmentChanged,
    CommitmentCreated,
    DecisionReached,
    Event,
    FactChanged,
    MessageSent,
    MoveRejected,
    Narration,
    Outcome,
    OutcomeReached,
    ProposalClosed,
    VariableChanged,
)
from negsim.model._frozen import FrozenMap, freeze
from negsim.model._messages import Action, ActionKind, Message, Move, Performative
from negsim.model._plugin import ParamSpec, PluginRole, PluginSpec
from negsim.model._result import Adjudication, PluginInfo, Provenance, Result
from negsim.model._scenario import Scenario
from negsim.model._types import (
    AgentType,
    DiscretePrior,
    NormalPrior,
    Prior,
    TriangularPrior,
    UniformPrior,
    draw,
)
from negsim.model._view import AgentView, PublicInfo
from negsim.model._world import WorldState

__all__ = [
    "EVENT_TYPES",
    "TRANSITIONS",
    "Action",
    "ActionKind",
    "ActionTaken",
    "Adjudication",
    "Agent",
    "AgentType",
    "AgentView",
    "Alliance",
    "AllianceKind",
    "Capabilities",
    "Commitment",
    "CommitmentChanged",
    "CommitmentCreated",
    "CommitmentState",
    "DecisionReached",
    "DecisionRule",
    "DiscretePrior",
    "Event",
    "FactChanged",
    "FrozenMap",
    "Message",
    "MessageSent",
    "Move",
    "MoveRejected",
    "Narration",
    "NormalPrior",
    "Outcome",
    "OutcomeReached",
    "ParamSpec",
    "ParamValue",
    "Performative",
    "Prior",
    "PluginInfo",
    "PluginRole",
    "PluginSpec",
    "Proposal",
    "PublicInfo",
    "ProposalClosed",
    "Provenance",
    "Result",
    "Scenario",
    "TriangularPrior",
    "UniformPrior",
    "VariableChanged",
    "WorldState",
    "draw",
    "freeze",
]
