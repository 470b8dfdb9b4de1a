"""The allies' fact index and the combat model's staging give what the scans they replaced gave.

The allies read who attacks whom, who is in danger, whether a war is on, the victims and
their partners' acts from one index per set of facts, and
:func:`negsim.crisis.defence_by_day` stages each helper's deployments once per scenario.
Each is held here to the code it replaced (kept below as the reference, as it was), on
random facts, including malformed ones, and random helpers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.crisis import _ally as ally
from negsim.crisis import (
    at_war,
    attacker_of,
    defence_by_day,
    deployments,
    in_danger,
    victims,
)
from negsim.crisis._combat import arrival_delay, garrison
from negsim.model import Capabilities, PublicInfo, freeze

IDS = ("A", "B", "C", "D", "AB")
NAMES = (
    "attacking",
    "attacked",
    "threatened",
    "responds",
    "conceded",
    "repelled",
    "denies_access",
    "pledged",
)


@st.composite
def facts(draw: st.DrawFn) -> frozenset[str]:
    """Facts of one to three arguments over a few ids, and a few malformed ones."""
    atoms = draw(
        st.lists(
            st.tuples(
                st.sampled_from(NAMES),
                st.lists(st.sampled_from(IDS), min_size=1, max_size=3),
                st.booleans(),
            ),
            max_size=14,
        )
    )
    out = {f"{name}({','.join(args)}{')' if closed else ''}" for name, args, closed in atoms}
    out |= set(draw(st.lists(st.sampled_from(["attacking", "attacking(", "x(A,B)"]), max_size=2)))
    return frozenset(out)


def view_of(world_facts: frozenset[str]) -> Any:
    """What the readers of facts use of a view: its world's facts."""
    return SimpleNamespace(world=SimpleNamespace(facts=world_facts))


# -- the references, as they were ---------------------------------------------------------


def attacker_of_reference(view: Any, target: str) -> str | None:
    for fact in view.world.facts:
        if fact.startswith("attacking(") and fact.endswith(f",{target})"):
            return str(fact[len("attacking(") :].split(",")[0])
    return None


def in_danger_reference(view: Any, state: str) -> bool:
    facts = view.world.facts
    return f"attacked({state})" in facts or any(
        f.startswith("threatened(") and f.endswith(f",{state})") for f in facts
    )


def at_war_reference(view: Any) -> bool:
    return any(f.startswith("attacking(") for f in view.world.facts)


def victims_reference(view: Any, among: Iterable[str]) -> list[str]:
    facts = view.world.facts
    return sorted(
        t for t in set(among) if f"attacked({t})" in facts and f"repelled({t})" not in facts
    )


def acts_reference(view: Any, partners: set[str]) -> list[tuple[str, bool]]:
    """The partners' acts ``listen`` observed, in order, with their reliability."""
    out = []
    for fact in view.world.facts:
        name, _, rest = fact.partition("(")
        if name not in ("responds", "conceded"):
            continue
        who, _, whom = rest[:-1].partition(",")
        if who not in partners:
            continue
        if name == "conceded":
            out.append((fact, False))
        elif who != whom:
            out.append((fact, True))
    return out


def resisted_reference(view: Any, target: str) -> bool:
    facts = view.world.facts
    return any(f.startswith("responds(") and f.endswith(f",{target})") for f in facts)


@settings(max_examples=300, deadline=None)
@given(facts(), st.sets(st.sampled_from(IDS)))
def test_the_fact_index_reads_the_facts_as_the_scans_did(
    world_facts: frozenset[str], partners: set[str]
) -> None:
    view = view_of(world_facts)
    assert at_war(view) == at_war_reference(view)
    assert victims(view, partners) == victims_reference(view, partners)
    for target in IDS:
        assert attacker_of(view, target) == attacker_of_reference(view, target)
        assert in_danger(view, target) == in_danger_reference(view, target)
        index = ally._facts(view)
        assert (target in index.responded) == resisted_reference(view, target)
    acts = [(fact, reliable) for fact, who, reliable in ally._facts(view).acts if who in partners]
    assert acts == acts_reference(view, partners)
    assert ally._facts(view).denied == {f for f in world_facts if f.startswith("denies_access(")}


# -- the combat model's staging -----------------------------------------------------------


def defence_by_day_reference(
    public: PublicInfo,
    target: str,
    size: float,
    *,
    helpers: Mapping[str, float],
    start: Mapping[str, int],
    access: Callable[[str, str], float],
    integrated: Iterable[str] = (),
    days: int,
) -> list[float]:
    wp = public.world_params
    speed = float(wp.get("deploy_km_per_day", 500.0))
    multiplier = float(wp.get("integration_multiplier", 1.0))
    caps: Mapping[str, Capabilities] = public.capabilities
    local = size / float(wp.get("concentration", 1.0))
    own = local * garrison(target, caps)
    joint = set(integrated)
    added = [0.0] * days
    for helper, p_honour in helpers.items():
        if helper == target or p_honour <= 0.0:
            continue
        boost = multiplier if helper in joint else 1.0
        for d in deployments(helper, caps):
            gate = 1.0 if d.location in (target, helper) else access(d.location, helper)
            day = start.get(helper, 0) + arrival_delay(caps[d.location].distance_km, speed)
            share = 1.0 - local if d.location == target else 1.0
            if day < days:
                added[day] += p_honour * gate * share * d.power * boost
    out = []
    for extra in added:
        own += extra
        out.append(own)
    return out


STATES = ("A", "B", "C", "D", "E")
unit = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def publics(draw: st.DrawFn) -> PublicInfo:
    """Public information with random forces, bases, distances and world parameters."""
    capabilities = {}
    for state in STATES:
        hosted = draw(
            st.dictionaries(
                st.sampled_from(STATES), st.floats(0.0, 60000.0, allow_nan=False), max_size=3
            )
        )
        capabilities[state] = Capabilities(
            conventional=draw(st.floats(0.0, 100.0, allow_nan=False)),
            forces_hosted={k: v for k, v in hosted.items() if k != state},
            distance_km=draw(st.floats(0.0, 9000.0, allow_nan=False)),
        )
    params = {
        "deploy_km_per_day": draw(st.floats(100.0, 2000.0, allow_nan=False)),
        "integration_multiplier": draw(st.floats(1.0, 2.0, allow_nan=False)),
        "concentration": draw(st.floats(1.0, 5.0, allow_nan=False)),
    }
    return PublicInfo(
        scenario="random",
        agents=STATES,
        names=freeze({s: s for s in STATES}),
        doctrines=freeze(dict.fromkeys(STATES, "none")),
        capabilities=freeze(capabilities),
        alliances=(),
        treaties=(),
        world_params=freeze(params),
        max_rounds=20,
    )


@settings(max_examples=200, deadline=None)
@given(
    publics(),
    st.sampled_from(STATES),
    unit,
    st.dictionaries(st.sampled_from(STATES), unit, max_size=5),
    st.dictionaries(st.sampled_from(STATES), st.integers(0, 6), max_size=5),
    st.frozensets(st.sampled_from(STATES)),
    st.frozensets(st.tuples(st.sampled_from(STATES), st.sampled_from(STATES))),
    st.integers(1, 12),
)
def test_staged_defence_is_the_defence_reckoned_afresh(
    public: PublicInfo,
    target: str,
    size: float,
    helpers: dict[str, float],
    start: dict[str, int],
    integrated: frozenset[str],
    shut: frozenset[tuple[str, str]],
    days: int,
) -> None:
    def access(host: str, user: str) -> float:
        return 0.0 if (host, user) in shut else 0.5

    kwargs: dict[str, Any] = {
        "helpers": helpers,
        "start": start,
        "access": access,
        "integrated": integrated,
        "days": days,
    }
    staged = defence_by_day(public, target, size, **kwargs)
    afresh = defence_by_day_reference(public, target, size, **kwargs)
    assert staged == afresh  # the same floats, not merely close
    assert all(not math.isnan(x) for x in staged)
