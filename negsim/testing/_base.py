"""A base class whose subclasses pytest collects as one test per invariant."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import hypothesis

from negsim.plugins import PluginRegistry
from negsim.testing._check import (
    DECISION_TIMEOUT,
    HASH_SEED_EXAMPLES,
    SHRINK_TIMEOUT,
    CheckReport,
    check_doctrine,
)
from negsim.testing._statics import Monotone
from negsim.testing._strategies import ParamStrategy

__all__ = ["DoctrineInvariants"]


class DoctrineInvariants:
    """Subclass it, name the doctrine, and pytest checks it against every invariant.

    Each ``test_*`` method is one invariant, checked by :func:`check_doctrine` over runs
    hypothesis generates, so a failure names the invariant and pytest shows the
    minimal counterexample::

        from negsim.testing import DoctrineInvariants

        class TestMyDoctrine(DoctrineInvariants):
            doctrine = "mydoctrine"        # an installed doctrine, or the plugin itself

    Set the other class attributes to tune the check. To leave an invariant out, set
    its method to ``None`` in the subclass (``test_hash_seed_determinism = None``).
    ``test_comparative_statics`` is collected only for a doctrine that declares
    comparative statics (:attr:`statics`, or its plugin's ``COMPARATIVE_STATICS``).

    Attributes:
        doctrine: The doctrine's name, or a plugin object (module or instance).
        name: The name to register a plugin object under.
        registry: A registry, or a function of no arguments returning one; the installed
            plugins when ``None``.
        world_rules: The world rules (name or plugin object); ``crisis`` by default.
        param_strategies: Strategies for some of the doctrine's parameters.
        max_examples: Runs per invariant; the current hypothesis profile's by default.
        hash_seed_examples: Runs replayed in a subprocess for the hash-seed check.
        max_members: The most member agents in a generated scenario.
        max_rounds: The largest ``max_rounds`` of a generated scenario.
        timeout: Seconds a run may take before it counts as never ending.
        decision_timeout: Seconds one hook call of an agent may take.
        shrink_timeout: Seconds a failing run is shrunk for, at most.
        targeted: Whether two runs in three aim every stimulus at the doctrine.
        statics: The comparative statics the doctrine promises (:class:`Monotone`).
        min_coverage: The fewest times each stimulus must be met, in each test.
        settings: Hypothesis settings to start from.
    """

    doctrine: ClassVar[str | object | None] = None
    name: ClassVar[str | None] = None
    registry: ClassVar[PluginRegistry | Callable[[], PluginRegistry] | None] = None
    world_rules: ClassVar[str | object | None] = None
    param_strategies: ClassVar[Mapping[str, ParamStrategy] | None] = None
    max_examples: ClassVar[int | None] = None
    hash_seed_examples: ClassVar[int] = HASH_SEED_EXAMPLES
    max_members: ClassVar[int] = 4
    max_rounds: ClassVar[int] = 10
    timeout: ClassVar[float | None] = 10.0
    decision_timeout: ClassVar[float | None] = DECISION_TIMEOUT
    shrink_timeout: ClassVar[float | None] = SHRINK_TIMEOUT
    targeted: ClassVar[bool] = True
    statics: ClassVar[Sequence[Monotone] | None] = None
    min_coverage: ClassVar[int | Mapping[str, int] | None] = None
    settings: ClassVar[hypothesis.settings | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect ``test_comparative_statics`` only when the doctrine declares statics."""
        super().__init_subclass__(**kwargs)
        declared = cls.statics or getattr(cls.doctrine, "COMPARATIVE_STATICS", None)
        if declared and "test_comparative_statics" not in cls.__dict__:
            cls.test_comparative_statics = cls._test_comparative_statics

    def check_invariant(self, invariant: str) -> CheckReport:
        """Check one invariant (a name from :data:`INVARIANTS`) as the attributes say.

        Raises:
            InvariantViolation: The invariant broke.
            TypeError: The subclass does not set :attr:`doctrine`.
        """
        cls = type(self)
        if cls.doctrine is None:
            raise TypeError(
                f"{cls.__name__} must set 'doctrine' to a doctrine's name or plugin object"
            )
        registry = cls.registry
        if registry is not None and not isinstance(registry, PluginRegistry):
            registry = registry()
        return check_doctrine(
            cls.doctrine,
            registry=registry,
            name=cls.name,
            invariants=[invariant],
            max_examples=cls.max_examples,
            hash_seed_examples=cls.hash_seed_examples,
            world_rules=cls.world_rules,
            param_strategies=cls.param_strategies,
            max_members=cls.max_members,
            max_rounds=cls.max_rounds,
            timeout=cls.timeout,
            decision_timeout=cls.decision_timeout,
            shrink_timeout=cls.shrink_timeout,
            targeted=cls.targeted,
            statics=cls.statics,
            min_coverage=cls.min_coverage,
            settings=cls.settings,
        )

    def test_termination(self) -> None:
        """Every run ends within ``max_rounds`` with an outcome (no exception, no hang)."""
        self.check_invariant("termination")

    def test_speaks_for_itself(self) -> None:
        """No agent speaks or acts for another."""
        self.check_invariant("speaks-for-itself")

    def test_delivery(self) -> None:
        """Every message is delivered once, to exactly its recipients, in the next round."""
        self.check_invariant("delivery")

    def test_commitment_lifecycle(self) -> None:
        """Every commitment's history is a path of the lifecycle machine, each step caused."""
        self.check_invariant("commitment-lifecycle")

    def test_consensus(self) -> None:
        """No collective decision under consensus without every member's consent."""
        self.check_invariant("consensus")

    def test_determinism(self) -> None:
        """The same scenario and seed give the same log twice in one process."""
        self.check_invariant("determinism")

    def test_sees_only_what_it_may(self) -> None:
        """No agent's decisions depend on what it could not observe."""
        self.check_invariant("sees-only-what-it-may")

    def test_moves_allowed(self) -> None:
        """No agent makes a move it has no right or means to make."""
        self.check_invariant("moves-allowed")

    def test_no_hidden_randomness(self) -> None:
        """No agent's hook uses randomness or time that is not its own."""
        self.check_invariant("no-hidden-randomness")

    test_comparative_statics: Callable[[DoctrineInvariants], None] | None = None
    """Every decision keeps the declared comparative statics (set for those that declare)."""

    def _test_comparative_statics(self) -> None:
        """Every decision keeps the comparative statics the doctrine declares."""
        self.check_invariant("comparative-statics")

    def test_hash_seed_determinism(self) -> None:
        """The same scenario and seed give a byte-identical log under another hash seed."""
        self.check_invariant("hash-seed-determinism")
