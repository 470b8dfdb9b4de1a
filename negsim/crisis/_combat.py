"""The combat model the crisis world runs and the doctrines reason with.

One round is one day. A grab is contested ground: each round the attacker wins the
day's fighting with the probability a ratio-form contest success function gives
(Tullock 1980; Hirshleifer, Public Choice 1989), and its control of the ground moves
by one step up or down. Both sides wear down by Lanchester-type attrition in
proportion to the other side's share of the day. The longer the ground has been held,
the more the defender's power is discounted (Altman, ISQ 2017 and IO 2020:
consolidation), so a late counter-offensive can still succeed, but less often.

Where forces are comes from the scenario: a state's conventional power is spread over
the states that host its forces, in proportion to the troops there
(``forces_hosted``); forces reach the theatre after the days their host's distance
takes at ``deploy_km_per_day``; forces staged in a host that denies access do not
fight, and a conventional strike on a host destroys part of what is staged there.
The functions here are pure, so a challenger's estimate runs the same model as the
world.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import attrs

from negsim.model import Capabilities

__all__ = [
    "Deployment",
    "arrival_delay",
    "contest",
    "deployments",
    "garrison",
    "grab_odds",
    "tripwire_hazard",
]


def contest(attack: float, defence: float, *, decisiveness: float, advantage: float) -> float:
    """The probability that the attacker wins a day's fighting.

    ``attack**d / (attack**d + (advantage*defence)**d)``, the ratio-form contest
    success function with the defender's advantage as a multiplier on its power
    (Hirshleifer 1989; the attacker needs ``advantage`` times the defence for even odds).

    >>> contest(30, 10, decisiveness=1.0, advantage=1.5)
    0.6666666666666666
    >>> contest(5, 0, decisiveness=1.0, advantage=1.5)
    1.0
    """
    if attack <= 0.0:
        return 0.0
    if defence <= 0.0:
        return 1.0
    try:  # the ratio first: forces of any scale neither underflow nor overflow
        odds: float = (advantage * defence / attack) ** decisiveness
    except OverflowError:
        return 0.0
    return 1.0 / (1.0 + odds)


def tripwire_hazard(troops: float, *, risk: float, half: float) -> float:
    """Extra per-day escalation hazard from ``troops`` of outside powers at risk.

    ``risk * troops / (troops + half)``: grows with the forces at risk and saturates at
    ``risk`` (Schelling 1966: the tripwire; a few soldiers commit less than an army).

    >>> round(tripwire_hazard(28500, risk=0.02, half=10000), 4)
    0.0148
    >>> tripwire_hazard(0, risk=0.02, half=10000)
    0.0
    """
    return risk * troops / (troops + half) if troops > 0 else 0.0


def arrival_delay(distance_km: float, km_per_day: float) -> int:
    """Days for forces ``distance_km`` away to reach the theatre (0 when there).

    >>> arrival_delay(1000, 500), arrival_delay(0, 500), arrival_delay(1001, 500)
    (2, 0, 3)
    """
    if distance_km <= 0:
        return 0
    return math.ceil(distance_km / km_per_day)


def garrison(target: str, capabilities: Mapping[str, Capabilities]) -> float:
    """The power on ``target``'s territory: its own and what foreign states station there.

    Worked out once per capabilities table and target.

    >>> from negsim.model import Capabilities
    >>> caps = {
    ...     "USA": Capabilities(conventional=60),
    ...     "ROK": Capabilities(conventional=43, forces_hosted={"USA": 30000}),
    ...     "JPN": Capabilities(forces_hosted={"USA": 60000}),
    ... }
    >>> garrison("ROK", caps)
    63.0
    """
    key = (target, id(capabilities))
    hit = _GARRISONS.get(key)
    if hit is not None and hit[0] is capabilities:
        return hit[1]
    own = capabilities[target].conventional
    power = own + sum(
        d.power
        for owner in capabilities[target].forces_hosted
        if owner in capabilities
        for d in deployments(owner, capabilities)
        if d.location == target
    )
    if len(_GARRISONS) > 4096:
        _GARRISONS.clear()
    _GARRISONS[key] = (capabilities, power)
    return power


_GARRISONS: dict[tuple[str, int], tuple[Mapping[str, Capabilities], float]] = {}
"""Garrisons by (target, identity of the capabilities table), the table kept with its
entry so that a recycled id can never hit (a scenario's table is the same object in
every run, and :func:`deployments` is worked out once per table too)."""


@attrs.frozen
class Deployment:
    """A share of one state's conventional power staged in one place.

    Attributes:
        owner: Whose forces.
        location: The state whose territory they are on (the owner's own for forces
            at home).
        power: The conventional power staged there.
        troops: The troops there (``forces_hosted``; 0 for forces at home).
    """

    owner: str
    location: str
    power: float
    troops: float


def deployments(owner: str, capabilities: Mapping[str, Capabilities]) -> tuple[Deployment, ...]:
    """Where ``owner``'s conventional power is, by location, sorted.

    A state with forces stationed abroad has its power spread over its hosts in
    proportion to the troops in each; a state with none has it all at home. Worked out
    once per capabilities table (a scenario's is the same object in every run).

    >>> from negsim.model import Capabilities
    >>> caps = {
    ...     "USA": Capabilities(conventional=60),
    ...     "ROK": Capabilities(forces_hosted={"USA": 30000}),
    ...     "JPN": Capabilities(forces_hosted={"USA": 60000}),
    ... }
    >>> [(d.location, d.power) for d in deployments("USA", caps)]
    [('JPN', 40.0), ('ROK', 20.0)]
    """
    key = (owner, id(capabilities))
    hit = _DEPLOYMENTS.get(key)
    if hit is not None and hit[0] is capabilities:
        return hit[1]
    power = capabilities[owner].conventional
    hosted = {
        host: caps.forces_hosted[owner]
        for host, caps in capabilities.items()
        if caps.forces_hosted.get(owner, 0.0) > 0
    }
    total = sum(hosted.values())
    if not total:
        found: tuple[Deployment, ...] = (Deployment(owner, owner, power, 0.0),)
    else:
        found = tuple(
            Deployment(owner, host, power * troops / total, troops)
            for host, troops in sorted(hosted.items())
        )
    if len(_DEPLOYMENTS) > 4096:
        _DEPLOYMENTS.clear()
    _DEPLOYMENTS[key] = (capabilities, found)
    return found


_DEPLOYMENTS: dict[tuple[str, int], tuple[Mapping[str, Capabilities], tuple[Deployment, ...]]] = {}
"""Deployments by (owner, identity of the capabilities table); the table is kept with
its entry so that a recycled id can never hit."""


def grab_odds(
    attack: float,
    defence: Sequence[float],
    *,
    advance: float,
    decisiveness: float,
    advantage: float,
    entrenchment: float,
    ceasefire: int,
    control: float | None = None,
    held: int = 0,
) -> float:
    """The probability that a grab stands, by the world's own day-by-day rules.

    An exact forward pass over the chain of control levels and days held. A new grab
    starts with one ``advance`` taken by surprise; one under way starts from its
    ``control`` (the share held) and ``held`` (days held in full). Then each day the
    attacker gains one ``advance`` with the contest probability against that day's
    ``defence`` (discounted by ``entrenchment`` for each day held) and loses one
    otherwise; back at zero the grab is defeated; held fully for ``ceasefire`` days it
    stands; at the end of ``defence`` the side holding most of the ground keeps it. The
    challenger's and the allies' estimates use it with the defence they expect.

    >>> round(grab_odds(20, [5, 5, 5, 5, 5, 5], advance=0.5, decisiveness=1,
    ...                 advantage=1.5, entrenchment=0.0, ceasefire=2), 3)
    0.662
    >>> grab_odds(20, [0, 0, 0], advance=0.5, decisiveness=1, advantage=1.5,
    ...           entrenchment=0.0, ceasefire=1)
    1.0
    >>> round(grab_odds(20, [5, 5, 5, 5, 5, 5], advance=0.5, decisiveness=1,
    ...                 advantage=1.5, entrenchment=0.0, ceasefire=2, control=1.0, held=1), 3)
    0.908
    """
    top = max(1, math.ceil(1.0 / advance - 1e-9))
    level = 1 if control is None else min(top, round(control / advance))
    return _grab_odds(
        attack,
        tuple(defence),
        advance,
        decisiveness,
        advantage,
        entrenchment,
        ceasefire,
        level,
        held if control is not None else (1 if top == 1 else 0),
    )


@functools.lru_cache(maxsize=8192)
def _grab_odds(
    attack: float,
    defence: tuple[float, ...],
    advance: float,
    decisiveness: float,
    advantage: float,
    entrenchment: float,
    ceasefire: int,
    level: int,
    held: int,
) -> float:
    """:func:`grab_odds` on hashable arguments, memoised.

    The same estimates recur in every run of a scenario, and the chain is pure.
    """
    top = max(1, math.ceil(1.0 / advance - 1e-9))
    # probability mass by (steps of control, days held at full control)
    if level <= 0:
        return 0.0
    mass: dict[tuple[int, int], float] = {(level, held): 1.0}
    stands = 0.0
    for d in defence:
        nxt: dict[tuple[int, int], float] = {}
        for (level, held), p in mass.items():
            win = contest(
                attack,
                d * math.exp(-entrenchment * held),
                decisiveness=decisiveness,
                advantage=advantage,
            )
            for step, q in ((1, win), (-1, 1.0 - win)):
                if not q:
                    continue
                new = min(top, max(0, level + step))
                if new == 0 and d > 0:
                    continue  # defeated
                kept = held + 1 if new == top else 0
                if kept >= ceasefire:
                    stands += p * q
                    continue
                nxt[new, kept] = nxt.get((new, kept), 0.0) + p * q
        mass = nxt
    return min(1.0, stands + sum(p for (level, _), p in mass.items() if 2 * level >= top))
