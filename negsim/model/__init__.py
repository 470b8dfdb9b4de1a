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
    HonourRecord,
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
    HonourDecided,
    MessageSent,
    MoveRejected,
    Narration,
    NegotiationEnded,
    NegotiationOpened,
    Outcome,
    OutcomeReached,
    ProposalClosed,
    RuleEvaluated,
    VariableChanged,
    as_outcome,
)
from negsim.model._frozen import FrozenMap, freeze
from negsim.model._limits import Limits
from negsim.model._messages import Action, ActionKind, Message, Move, Performative, Visibility
from negsim.model._negotiation import (
    Issue,
    IssueKind,
    Negotiation,
    Session,
    SessionStatus,
    Terms,
)
from negsim.model._plugin import OutcomeSpec, ParamSpec, PluginRole, PluginSpec
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
from negsim.model._values import ParamValue
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
    "HonourDecided",
    "HonourRecord",
    "RuleEvaluated",
    "Issue",
    "IssueKind",
    "Limits",
    "Message",
    "MessageSent",
    "Move",
    "MoveRejected",
    "Narration",
    "Negotiation",
    "NegotiationEnded",
    "NegotiationOpened",
    "NormalPrior",
    "Outcome",
    "OutcomeReached",
    "OutcomeSpec",
    "ParamSpec",
    "ParamValue",
    "Performative",
    "PluginInfo",
    "PluginRole",
    "PluginSpec",
    "Prior",
    "Proposal",
    "ProposalClosed",
    "Provenance",
    "PublicInfo",
    "Result",
    "Scenario",
    "Session",
    "SessionStatus",
    "Terms",
    "TriangularPrior",
    "UniformPrior",
    "VariableChanged",
    "Visibility",
    "WorldState",
    "as_outcome",
    "draw",
    "freeze",
]
