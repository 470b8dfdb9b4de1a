"""Reference games: negsim reproduces results that are known from the literature.

Each section plays one game of the example package ``examples/negsim-games`` and checks
its known answers: exactly, or for a game with random private types within a stated
statistical tolerance. The package's plugins are the installed ones when the
distribution is installed; otherwise the plugins its ``pyproject.toml`` declares under
the ``negsim`` entry-point group are loaded from its source folder and registered
in-process (as ``tests/property/_support.py`` does for ``negsim-hawkish``), so the
games are checked either way, and so are the entry points.
"""

from __future__ import annotations

import doctest
import functools
import importlib
import importlib.util
import io
import math
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

import negsim
from negsim.model import (
    ActionKind,
    ActionTaken,
    DiscretePrior,
    MessageSent,
    NegotiationEnded,
    OutcomeReached,
    Performative,
    PluginRole,
    Result,
)
from negsim.plugins import default_registry
from negsim.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parents[2]
GAMES = ROOT / "examples" / "negsim-games"
GAMES_SRC = GAMES / "src" / "negsim_games"
ENTRY_POINTS: dict[str, str] = tomllib.loads((GAMES / "pyproject.toml").read_text())["project"][
    "entry-points"
]["negsim"]


def _games_package() -> ModuleType:
    """``negsim_games``: the installed package, or else the one in the source folder."""
    try:
        return importlib.import_module("negsim_games")
    except ImportError:
        pass
    spec = importlib.util.spec_from_file_location(
        "negsim_games", GAMES_SRC / "__init__.py", submodule_search_locations=[str(GAMES_SRC)]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its modules are imported as negsim_games.<game>
    spec.loader.exec_module(module)
    return module


def _load(value: str) -> object:
    """The object an entry point's value names (``module`` or ``module:attribute``)."""
    _games_package()
    module_name, _, attribute = value.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def _installed_plugins() -> list[tuple[str, object]]:
    installed = default_registry()
    return [
        (name, plugin)
        for name, plugin in installed.pm.list_name_plugin()
        if name and plugin is not None and name not in ENTRY_POINTS
    ]


@functools.cache
def games_registry() -> negsim.PluginRegistry:
    """The installed plugins, with the games' from their source folder if not installed."""
    installed = default_registry()
    if set(ENTRY_POINTS) <= set(installed.names()):
        return installed
    games = [(name, _load(value)) for name, value in ENTRY_POINTS.items()]
    return negsim.PluginRegistry([*_installed_plugins(), *games], discover=False)


def registry_with(**extra: object) -> negsim.PluginRegistry:
    """A new registry: the games' plugins and ``extra`` (the shared one is left alone)."""
    reg = games_registry()
    plugins = [(n, p) for n, p in reg.pm.list_name_plugin() if n and p is not None]
    return negsim.PluginRegistry([*plugins, *extra.items()], discover=False)


# ======================================================================================
# iterated prisoner's dilemma
# ======================================================================================
#
# The known answers are those of the Axelrod library (axelrod.Match with
# axelrod.Game(r=3, s=0, t=5, p=1) and turns=200) for the same pairs of strategies
# (Cooperator, Defector, TitForTat, Grudger); scores are (first player, second player).

IPD_SCENARIO = GAMES / "scenarios" / "ipd_tft_vs_alld.toml"
IPD_DOCTRINES = ("tit_for_tat", "always_defect", "always_cooperate", "grudger")
AXELROD = {"R": 3.0, "T": 5.0, "S": 0.0, "P": 1.0}

KNOWN = [
    # first, second, scores over 200 rounds, outcome
    ("tit_for_tat", "always_defect", (199, 204), "mutual_defection"),
    ("tit_for_tat", "tit_for_tat", (600, 600), "mutual_cooperation"),
    ("always_defect", "always_defect", (200, 200), "mutual_defection"),
    ("always_cooperate", "always_defect", (0, 1000), "exploitation"),
    ("always_cooperate", "always_cooperate", (600, 600), "mutual_cooperation"),
    ("always_cooperate", "tit_for_tat", (600, 600), "mutual_cooperation"),
    ("always_cooperate", "grudger", (600, 600), "mutual_cooperation"),
    ("grudger", "always_defect", (199, 204), "mutual_defection"),
    ("grudger", "tit_for_tat", (600, 600), "mutual_cooperation"),
    ("grudger", "grudger", (600, 600), "mutual_cooperation"),
]


class Scripted:
    """A doctrine that plays a fixed script of choices, ``C`` or ``D`` by round (cycled).

    It makes the moves the world rules document directly: ``stand_down`` to cooperate,
    ``mobilize`` to defect, ``""`` in the script for no move at all and ``B`` for both.
    """

    def __init__(self, *script: str) -> None:
        self.script = script

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> negsim.PluginSpec:
        return negsim.PluginSpec(role="doctrine", summary="plays a script")

    @negsim.hookimpl
    def negsim_decide(self, view: negsim.AgentView) -> list[negsim.Action]:
        other = next(a for a in view.public.agents if a != view.me)
        choice = self.script[(view.round - 1) % len(self.script)]
        kinds = {"C": ["stand_down"], "D": ["mobilize"], "": [], "B": ["stand_down", "mobilize"]}
        return [view.act(kind, other) for kind in kinds[choice]]


def ipd(
    first: str,
    second: str,
    *,
    rounds: int = 200,
    registry: negsim.PluginRegistry | None = None,
    agents: Sequence[str] = ("A", "B"),
    payoffs: Mapping[str, float] | None = None,
) -> negsim.Scenario:
    """A match of ``first`` (player ``A``) against ``second`` (player ``B``)."""
    doctrines = [first, second, *(["always_cooperate"] * (len(agents) - 2))]
    data: dict[str, Any] = {
        "scenario": {"name": f"{first}-vs-{second}", "world_rules": "ipd", "max_rounds": rounds},
        "world": {"params": dict(payoffs or {})},
        "agents": [
            {"id": a, "name": a, "doctrine": d} for a, d in zip(agents, doctrines, strict=True)
        ],
    }
    return scenario_from_dict(data, registry=registry or games_registry())


def play(scenario: negsim.Scenario, registry: negsim.PluginRegistry | None = None) -> Result:
    return negsim.simulate(scenario, registry=registry or games_registry())


def scores(result: Result, players: Iterable[str] = ("A", "B")) -> tuple[float, ...]:
    return tuple(result.world.value(f"score({p})") for p in players)


def choices(result: Result, player: str) -> str:
    """The player's choices round by round, as the world counts them: D when it mobilized."""
    defected = {
        e.round
        for e in result.events
        if isinstance(e, ActionTaken)
        and e.action.actor == player
        and e.action.kind is ActionKind.MOBILIZE
    }
    return "".join("D" if t in defected else "C" for t in range(1, result.rounds + 1))


def jsonl(result: Result) -> str:
    out = io.StringIO()
    negsim.write_jsonl(result, out)
    return out.getvalue()


def test_ipd_the_package_declares_the_world_and_the_four_doctrines() -> None:
    reg = games_registry()
    roles = {name: str(reg.spec(name).role) for name in ("ipd", *IPD_DOCTRINES)}
    assert roles == {"ipd": "world", **dict.fromkeys(IPD_DOCTRINES, "doctrine")}
    assert {"ipd", *IPD_DOCTRINES} <= set(ENTRY_POINTS)
    assert set(IPD_DOCTRINES) <= set(reg.names(PluginRole.DOCTRINE))
    spec = reg.spec("ipd")
    assert spec.defaults == AXELROD
    assert [o.name for o in spec.outcomes] == [
        "mutual_cooperation",
        "mutual_defection",
        "exploitation",
    ]
    assert all(o.description for o in spec.outcomes)


def test_ipd_the_example_scenario_is_tft_against_alld_over_200_rounds() -> None:
    scenario = negsim.load_scenario(IPD_SCENARIO, registry=games_registry())
    assert (scenario.world_rules, scenario.max_rounds) == ("ipd", 200)
    assert {a.id: a.doctrine for a in scenario.agents} == {
        "TFT": "tit_for_tat",
        "ALLD": "always_defect",
    }
    assert dict(scenario.world_params) == AXELROD


def test_ipd_tit_for_tat_against_always_defect_scores_199_and_204() -> None:
    """The Axelrod library's answer for this match: 199 for TFT, 204 for ALLD."""
    scenario = negsim.load_scenario(IPD_SCENARIO, registry=games_registry())
    result = play(scenario)
    assert scores(result, ("TFT", "ALLD")) == (199, 204)
    assert result.rounds == 200
    assert result.metrics["ipd_score(TFT)"] == 199
    assert result.metrics["ipd_score(ALLD)"] == 204
    assert result.metrics["ipd_cooperation_rate(TFT)"] == pytest.approx(1 / 200)
    assert result.metrics["ipd_cooperation_rate(ALLD)"] == 0
    assert result.metrics["rejected"] == 0
    # exploited once, then it defects back to the end
    assert choices(result, "TFT") == "C" + "D" * 199
    assert choices(result, "ALLD") == "D" * 200
    assert result.outcome == "mutual_defection"
    assert result.reason == "both defected in 199 of 200 rounds; scores ALLD 204, TFT 199"


def test_ipd_tit_for_tat_against_itself_scores_600_each() -> None:
    result = play(ipd("tit_for_tat", "tit_for_tat", payoffs=AXELROD))
    assert scores(result) == (600, 600)
    assert choices(result, "A") == choices(result, "B") == "C" * 200


def test_ipd_always_defect_against_itself_scores_200_each() -> None:
    result = play(ipd("always_defect", "always_defect", payoffs=AXELROD))
    assert scores(result) == (200, 200)


@pytest.mark.parametrize(
    ("first", "second", "expected", "outcome"), KNOWN, ids=[f"{k[0]}-{k[1]}" for k in KNOWN]
)
def test_ipd_every_pair_scores_as_in_the_axelrod_library(
    first: str, second: str, expected: tuple[int, int], outcome: str
) -> None:
    result = play(ipd(first, second))  # the default payoffs are Axelrod's
    assert scores(result) == expected
    assert result.outcome == outcome
    assert result.metrics["rejected"] == 0


@pytest.mark.parametrize(
    ("first", "second", "expected", "outcome"), KNOWN, ids=[f"{k[0]}-{k[1]}" for k in KNOWN]
)
def test_ipd_swapping_the_players_swaps_the_scores(
    first: str, second: str, expected: tuple[int, int], outcome: str
) -> None:
    swapped = play(ipd(second, first))
    assert scores(swapped) == expected[::-1]
    assert swapped.outcome == outcome
    # and renaming the players (B sorts before Z) changes nothing either
    renamed = play(ipd(first, second, agents=("Z", "B")))
    assert scores(renamed, ("Z", "B")) == expected


def test_ipd_grudger_never_forgives_where_tit_for_tat_does() -> None:
    """Against an opponent that defects in round 3 only (10 rounds): the Axelrod
    library gives Grudger 41 to 11 and TitForTat 29 to 29 (a MockPlayer opponent)."""
    reg = registry_with(defects_once=Scripted("C", "C", "D", *"CCCCCCC"))
    grudge = play(ipd("grudger", "defects_once", rounds=10, registry=reg), reg)
    assert choices(grudge, "A") == "CCCDDDDDDD"
    assert scores(grudge) == (41, 11)
    tft = play(ipd("tit_for_tat", "defects_once", rounds=10, registry=reg), reg)
    assert choices(tft, "A") == "CCCDCCCCCC"
    assert scores(tft) == (29, 29)


def test_ipd_scores_follow_the_payoff_parameters() -> None:
    """TFT against ALLD over n rounds scores S + (n-1)P against T + (n-1)P."""
    payoffs = {"R": 4.0, "T": 6.5, "S": -1.0, "P": 0.5}
    result = play(ipd("tit_for_tat", "always_defect", rounds=50, payoffs=payoffs))
    assert scores(result) == (-1 + 49 * 0.5, 6.5 + 49 * 0.5)


def test_ipd_no_move_is_cooperation_and_mobilizing_is_defection_whatever_else() -> None:
    reg = registry_with(silent=Scripted(""), both=Scripted("B"))
    silent = play(ipd("silent", "always_defect", rounds=10, registry=reg), reg)
    assert scores(silent) == (0, 50)
    assert silent.metrics["ipd_cooperation_rate(A)"] == 1
    both = play(ipd("both", "always_cooperate", rounds=10, registry=reg), reg)
    assert scores(both) == (50, 0)
    assert both.metrics["ipd_cooperation_rate(A)"] == 0


def test_ipd_the_outcome_is_classified_after_the_last_round_only() -> None:
    for rounds in (1, 7):
        result = play(ipd("always_cooperate", "always_defect", rounds=rounds))
        [reached] = result.events_of(OutcomeReached)
        assert (result.rounds, reached.round) == (rounds, rounds)
        assert result.outcome == "exploitation"
        assert result.reason == (
            f"one defected against a cooperator in {rounds} of {rounds} rounds "
            f"(A exploited B in 0, B exploited A in {rounds}); scores A 0, B {5 * rounds}"
        )


@pytest.mark.parametrize(
    ("first", "second", "outcome"),
    [
        ("CD", "CD", "mutual_defection"),  # one CC round, one DD round: a tie
        ("CC", "CD", "exploitation"),  # one CC round, one one-sided round: a tie
        ("DC", "DD", "mutual_defection"),  # one DD round, one one-sided round: a tie
        ("CCD", "CDD", "mutual_defection"),  # one of each kind
        ("CCC", "CCD", "mutual_cooperation"),  # two CC rounds to one
        ("CDD", "DCC", "exploitation"),  # three one-sided rounds
    ],
)
def test_ipd_outcome_is_the_most_common_kind_of_round_and_ties_go_to_defection(
    first: str, second: str, outcome: str
) -> None:
    reg = registry_with(first=Scripted(*first), second=Scripted(*second))
    result = play(ipd("first", "second", rounds=len(first), registry=reg), reg)
    assert result.outcome == outcome


def test_ipd_a_match_is_deterministic() -> None:
    scenario = negsim.load_scenario(IPD_SCENARIO, registry=games_registry())
    first, second = play(scenario), play(scenario)
    assert jsonl(first) == jsonl(second)
    other_seed = negsim.simulate(scenario, seed=12345, registry=games_registry())
    assert other_seed.events == first.events  # no rule draws a random number


@pytest.mark.parametrize(
    ("payoffs", "broken"),
    [
        ({"T": 2.0}, "T > R fails: T=2 <= R=3"),
        ({"T": 3.0}, "T > R fails: T=3 <= R=3"),
        ({"P": 3.5}, "R > P fails: R=3 <= P=3.5"),
        ({"P": 0.5, "S": 0.8}, "P > S fails: P=0.5 <= S=0.8"),
        ({"T": 7.0}, "2R > T + S fails: 2R=6 <= T + S=7"),
        ({"S": 2.0}, "P > S fails: P=1 <= S=2; 2R > T + S fails: 2R=6 <= T + S=7"),
    ],
)
def test_ipd_a_payoff_matrix_that_is_no_dilemma_is_refused_naming_the_values(
    payoffs: Mapping[str, float], broken: str
) -> None:
    values = {**AXELROD, **payoffs}
    scenario = ipd("tit_for_tat", "always_defect", payoffs=values)
    sim = negsim.Simulation(scenario, registry=games_registry())
    with pytest.raises(negsim.ScenarioError) as caught:
        sim.start()
    shown = ", ".join(f"{k}={values[k]:g}" for k in ("R", "T", "S", "P"))
    assert str(caught.value) == (
        f"tit_for_tat-vs-always_defect: world.params: the payoffs {shown} are not a "
        f"prisoner's dilemma, which needs T > R > P > S and 2R > T + S: {broken}"
    )
    assert sim.round == 0
    assert not sim.events


def test_ipd_needs_exactly_two_players() -> None:
    scenario = ipd("tit_for_tat", "always_defect", agents=("A", "B", "C"))
    with pytest.raises(negsim.ScenarioError, match=r"agents: .* two players; .* has 3: A, B, C"):
        play(scenario)


# ======================================================================================
# alternating offers with time-dependent concession
# ======================================================================================
#
# The known answer is computed here, independently of negsim: a few lines that play
# the two tactics of Faratin, Sierra & Jennings 1998 round by round (the targets
# u(t) = u_max - (u_max - u_min) (t/T)^(1/e), the bid closest to the target from the
# mover's side, acceptance when the offer is worth at least the mover's own next bid,
# AC_next) and return the agreement and its round. negsim must reach the same
# agreement in the same round.

CONCESSION_SCENARIO = GAMES / "scenarios" / "boulware_vs_conceder.toml"
BARGAINING_DOCTRINES = ("time_dependent", "boulware", "conceder")
TEN_VALUES = tuple(range(10))
EXPONENTS = {"boulware": 0.2, "conceder": 2.0, "time_dependent": 1.0}


def concession_closed_form(
    first: tuple[float, float, float],
    second: tuple[float, float, float],
    deadline: int,
    values: Sequence[int] = TEN_VALUES,
) -> tuple[int, int] | None:
    """The agreed value and round of two time-dependent tactics, or None (no agreement).

    ``first`` and ``second`` are each party's ``(e, u_min, u_max)``; the first party
    opens in round 1 and wants the value high (utility ``(v - lo) / (hi - lo)``), the
    second wants it low. Time is the round minus 1, the deadline ``T = deadline - 1``.
    """
    lo, hi = min(values), max(values)
    horizon = deadline - 1

    def worth(v: int, mover: int) -> float:
        share = (v - lo) / (hi - lo)
        return share if mover == 0 else 1 - share

    def aim(mover: int, t: int) -> float:
        e, u_min, u_max = (first, second)[mover]
        return u_max - (u_max - u_min) * (t / horizon) ** (1 / e)

    table: int | None = None
    for rnd in range(1, deadline + 1):
        mover = (rnd - 1) % 2
        goal = aim(mover, rnd - 1)
        good_enough = [v for v in values if worth(v, mover) >= goal - 1e-9]
        mine = min(good_enough, key=lambda v: worth(v, mover))
        if table is not None and worth(table, mover) >= worth(mine, mover) - 1e-9:
            return table, rnd
        table = mine
    return None


def concession(
    first: str,
    second: str,
    *,
    deadline: int = 20,
    params: Mapping[str, Mapping[str, float]] | None = None,
    values: Sequence[int] = TEN_VALUES,
) -> negsim.Scenario:
    """Alternating offers over ``values``: ``first`` (A, opens) against ``second`` (B)."""
    params = params or {}
    data: dict[str, Any] = {
        "scenario": {
            "name": f"{first}-vs-{second}",
            "world_rules": "bargaining",
            "max_rounds": deadline,
        },
        "agents": [
            {"id": "A", "name": "A", "doctrine": first, "params": dict(params.get("A", {}))},
            {"id": "B", "name": "B", "doctrine": second, "params": dict(params.get("B", {}))},
        ],
        "negotiations": [
            {
                "id": "split",
                "protocol": "alternating_offers",
                "parties": ["A", "B"],
                "deadline": deadline,
                "issues": [{"name": "value", "kind": "discrete", "values": list(values)}],
            }
        ],
    }
    return scenario_from_dict(data, registry=games_registry())


def agreement_of(result: Result, negotiation: str = "split") -> tuple[int, int] | None:
    """The agreed value and round, from the event log."""
    for e in result.events_of(NegotiationEnded):
        if e.negotiation == negotiation and e.agreed:
            return int(e.terms["value"]), e.round
    return None


def offers_of(result: Result, party: str) -> list[int]:
    return [
        int(e.message.terms["value"])
        for e in result.events_of(MessageSent)
        if e.message.sender == party and e.message.performative is Performative.OFFER
    ]


def tactic(doctrine: str, u_min: float = 0.0, u_max: float = 1.0) -> tuple[float, float, float]:
    return EXPONENTS[doctrine], u_min, u_max


def test_concession_the_package_declares_the_world_and_the_tactics() -> None:
    reg = games_registry()
    assert {"bargaining", *BARGAINING_DOCTRINES} <= set(ENTRY_POINTS)
    assert str(reg.spec("bargaining").role) == "world"
    assert [o.name for o in reg.spec("bargaining").outcomes] == [
        "agreement",
        "war",
        "disagreement",
    ]
    assert reg.spec("bargaining").defaults == {"p": 0.5}
    for name in BARGAINING_DOCTRINES:
        spec = reg.spec(name)
        assert str(spec.role) == "doctrine"
        assert spec.defaults == {"e": EXPONENTS[name], "u_min": 0.0, "u_max": 1.0}
        assert all(p.source != "assumption" for p in spec.params)


def test_concession_the_example_scenario_is_boulware_against_conceder_on_ten_values() -> None:
    scenario = negsim.load_scenario(CONCESSION_SCENARIO, registry=games_registry())
    assert scenario.world_rules == "bargaining"
    assert {a.id: a.doctrine for a in scenario.agents} == {"BOU": "boulware", "CON": "conceder"}
    [n] = scenario.negotiations
    assert (n.protocol, n.parties, n.opens, n.deadline) == (
        "alternating_offers",
        ("BOU", "CON"),
        1,
        20,
    )
    [issue] = n.issues
    assert (issue.name, str(issue.kind), issue.values) == ("value", "discrete", TEN_VALUES)


def test_concession_the_example_agrees_as_the_closed_form_says() -> None:
    """Boulware (opens) against Conceder, T = 19: the value 7 in round 17."""
    scenario = negsim.load_scenario(CONCESSION_SCENARIO, registry=games_registry())
    result = play(scenario)
    expected = concession_closed_form(tactic("boulware"), tactic("conceder"), 20)
    assert expected == (7, 17)
    assert agreement_of(result) == expected
    assert result.outcome == "agreement"
    assert result.reason == (
        "BOU and CON agreed on value = 7 in round 17; utilities BOU 0.778, CON 0.222"
    )
    assert result.metrics["bargaining_value"] == 7
    assert result.metrics["bargaining_round"] == 17
    assert result.metrics["bargaining_utility(BOU)"] == pytest.approx(7 / 9)
    assert result.metrics["bargaining_utility(CON)"] == pytest.approx(2 / 9)
    assert (result.metrics["bargaining_agreed"], result.metrics["bargaining_war"]) == (1, 0)
    assert result.metrics["rejected"] == 0
    # the Boulware holds at its best value while the Conceder gives ground
    assert offers_of(result, "BOU") == [9, 9, 9, 9, 9, 9, 9, 8]
    assert offers_of(result, "CON") == [2, 3, 4, 5, 6, 6, 7, 7]


CONCESSION_CASES = [
    # first, second, deadline, (u_min, u_max) of each
    ("boulware", "conceder", 20, (0.0, 1.0), (0.0, 1.0)),
    ("conceder", "boulware", 20, (0.0, 1.0), (0.0, 1.0)),
    ("boulware", "conceder", 9, (0.0, 1.0), (0.0, 1.0)),
    ("conceder", "boulware", 40, (0.0, 1.0), (0.0, 1.0)),
    ("boulware", "boulware", 20, (0.0, 1.0), (0.0, 1.0)),
    ("conceder", "conceder", 20, (0.0, 1.0), (0.0, 1.0)),
    ("time_dependent", "time_dependent", 14, (0.0, 1.0), (0.0, 1.0)),
    ("boulware", "time_dependent", 30, (0.3, 0.9), (0.1, 1.0)),
    ("conceder", "boulware", 25, (0.2, 1.0), (0.35, 0.95)),
]


@pytest.mark.parametrize(
    ("first", "second", "deadline", "bounds_a", "bounds_b"),
    CONCESSION_CASES,
    ids=[f"{c[0]}-{c[1]}-T{c[2]}-u{c[3][0]:g}-{c[4][0]:g}" for c in CONCESSION_CASES],
)
def test_concession_agreement_and_round_match_the_closed_form(
    first: str,
    second: str,
    deadline: int,
    bounds_a: tuple[float, float],
    bounds_b: tuple[float, float],
) -> None:
    params = {
        "A": {"u_min": bounds_a[0], "u_max": bounds_a[1]},
        "B": {"u_min": bounds_b[0], "u_max": bounds_b[1]},
    }
    result = play(concession(first, second, deadline=deadline, params=params))
    expected = concession_closed_form(tactic(first, *bounds_a), tactic(second, *bounds_b), deadline)
    assert expected is not None
    assert agreement_of(result) == expected
    assert result.outcome == "agreement"


@pytest.mark.parametrize("e", [0.1, 0.5, 1.0, 3.0, 8.0])
@pytest.mark.parametrize("deadline", [6, 15])
def test_concession_any_exponent_against_a_conceder_matches_the_closed_form(
    e: float, deadline: int
) -> None:
    params = {"A": {"e": e}}
    result = play(concession("time_dependent", "conceder", deadline=deadline, params=params))
    expected = concession_closed_form((e, 0.0, 1.0), tactic("conceder"), deadline)
    assert agreement_of(result) == expected


def test_concession_reservation_utilities_that_do_not_overlap_end_in_disagreement() -> None:
    """Each holds out for at least 0.6 of the pie: no value gives both that much."""
    params = {"A": {"u_min": 0.6}, "B": {"u_min": 0.6}}
    assert concession_closed_form((0.2, 0.6, 1.0), (2.0, 0.6, 1.0), 20) is None
    result = play(concession("boulware", "conceder", params=params))
    assert agreement_of(result) is None
    assert result.outcome == "disagreement"
    assert result.reason == "no agreement on value by round 20"
    assert result.rounds == 20
    assert result.metrics["bargaining_round"] == 20
    assert result.metrics["bargaining_utility(A)"] == result.metrics["bargaining_utility(B)"] == 0
    assert "bargaining_value" not in result.metrics


def test_concession_boulware_gets_more_than_the_conceder_whoever_opens() -> None:
    """The textbook direction: against each other the Boulware takes the larger share."""
    ahead = play(concession("boulware", "conceder"))
    behind = play(concession("conceder", "boulware"))
    assert ahead.metrics["bargaining_utility(A)"] > ahead.metrics["bargaining_utility(B)"]
    assert behind.metrics["bargaining_utility(B)"] > behind.metrics["bargaining_utility(A)"]


@pytest.mark.parametrize("opponent", ["time_dependent", "boulware", "conceder"])
def test_concession_boulware_agrees_later_and_gets_more_than_a_conceder(opponent: str) -> None:
    """Against the same opponent, a Boulware holds out longer and ends with more."""
    boulware = play(concession("boulware", opponent))
    conceder = play(concession("conceder", opponent))
    assert boulware.metrics["bargaining_round"] > conceder.metrics["bargaining_round"]
    assert boulware.metrics["bargaining_utility(A)"] > conceder.metrics["bargaining_utility(A)"]


def test_concession_each_tactic_opens_at_its_best_and_never_takes_back_a_concession() -> None:
    result = play(concession("time_dependent", "time_dependent", deadline=30))
    a, b = offers_of(result, "A"), offers_of(result, "B")
    assert (a[0], b[0]) == (9, 0)
    assert a == sorted(a, reverse=True)
    assert b == sorted(b)


def test_concession_a_negotiation_is_the_same_whatever_the_seed() -> None:
    scenario = negsim.load_scenario(CONCESSION_SCENARIO, registry=games_registry())
    first = negsim.simulate(scenario, seed=0, registry=games_registry())
    other = negsim.simulate(scenario, seed=987, registry=games_registry())
    assert first.events == other.events


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"parties": ["A", "B", "C"]},
            r"negotiations\.split\.parties: a bargaining game has two parties; "
            r"'split' has 3: A, B, C",
        ),
        (
            {"issues": [{"name": "side", "kind": "discrete", "values": ["left", "right"]}]},
            r"negotiations\.split\.issues: issue 'side' must have numeric values: "
            r"'left', 'right'",
        ),
        (
            {
                "issues": [
                    {"name": "x", "low": 0.0, "high": 1.0},
                    {"name": "y", "low": 0.0, "high": 1.0},
                ]
            },
            r"negotiations\.split\.issues: a bargaining game is over one issue; "
            r"'split' has 2: x, y",
        ),
    ],
)
def test_bargaining_refuses_what_is_not_one_bilateral_negotiation_over_one_number(
    change: Mapping[str, Any], problem: str
) -> None:
    data: dict[str, Any] = {
        "scenario": {"name": "bad", "world_rules": "bargaining", "max_rounds": 5},
        "agents": [{"id": x, "name": x, "doctrine": "time_dependent"} for x in ("A", "B", "C")],
        "negotiations": [
            {
                "id": "split",
                "protocol": "alternating_offers",
                "parties": ["A", "B"],
                "deadline": 5,
                "issues": [{"name": "value", "kind": "discrete", "values": [0, 1]}],
                **change,
            }
        ],
    }
    scenario = scenario_from_dict(data, registry=games_registry())
    with pytest.raises(negsim.ScenarioError, match=problem):
        play(scenario)


def test_bargaining_a_scenario_without_a_negotiation_is_refused() -> None:
    data: dict[str, Any] = {
        "scenario": {"name": "bad", "world_rules": "bargaining", "max_rounds": 5},
        "agents": [{"id": x, "name": x, "doctrine": "time_dependent"} for x in ("A", "B")],
    }
    scenario = scenario_from_dict(data, registry=games_registry())
    with pytest.raises(negsim.ScenarioError, match="a bargaining game has one negotiation"):
        play(scenario)


# ======================================================================================
# take-it-or-leave-it crisis bargaining with a private cost of war (Fearon 1995)
# ======================================================================================
#
# P demands x of a good worth 1; R accepts iff 1 - x >= 1 - p - c, else they fight
# (P wins with probability p; war costs P k and R c). R's c is its private type, drawn
# from the uniform prior on [0, C]; P knows only the prior. With C > k the closed form
# is x* = p + (C - k) / 2 and P(war) = (C - k) / (2 C) (derived in the module's
# docstring, negsim_games.tioli).
#
# Sample size and tolerances. Each setting is played over SEEDS = 2,000 seeds, one run
# each. The prior is discretised into POINTS = 201 types, which moves the answers off
# the continuous ones by at most 3 / (4 n) for P(war) and 3 C / (4 n) for x (n =
# POINTS; the module docstring shows why). P's demand does not depend on R's type, so
# every run's demand must lie within 3 C / (4 n) of x*; the share of runs that end in
# war must lie within 4 standard errors, 4 sqrt(q (1 - q) / SEEDS) with q = P(war),
# plus 3 / (4 n), of P(war): about 0.043 + 0.004. 2,000 runs of two rounds take about
# a second per setting.

FEARON_SCENARIO = GAMES / "scenarios" / "fearon_tioli.toml"
FEARON_PUBLIC_SCENARIO = GAMES / "scenarios" / "fearon_tioli_public.toml"
SEEDS = 2000
POINTS = 201

FEARON_SETTINGS = [
    # p, C, k: x*, P(war)
    (0.5, 0.4, 0.1),  # 0.65, 0.375
    (0.3, 0.6, 0.2),  # 0.5, 1/3
    (0.4, 0.5, 0.0),  # 0.65, 0.5
]


def fearon_closed_form(p: float, C: float, k: float) -> tuple[float, float]:
    """``(x*, P(war))`` for c ~ U[0, C]: P's optimal demand and the chance R rejects it."""
    x = min(max(p + (C - k) / 2, p), p + C)
    return x, (x - p) / C


def fearon(p: float, C: float, k: float) -> negsim.Scenario:
    """The example scenario with P's odds ``p``, R's prior U[0, ``C``] and P's cost ``k``."""
    scenario = negsim.load_scenario(FEARON_SCENARIO, registry=games_registry())
    overrides = [
        f"world.params.p={p}",
        f"agents.R.prior.high={C}",
        f"agents.R.prior.points={POINTS}",
        f"agents.P.params.cost_war={k}",
    ]
    return negsim.apply_overrides(scenario, overrides, registry=games_registry())


def crisis_run(scenario: negsim.Scenario, seed: int) -> tuple[float, float, str]:
    """One run: P's demand, R's drawn cost of war, and the outcome."""
    sim = negsim.Simulation(scenario, seed=seed, registry=games_registry())
    result = sim.run()
    demand = next(
        float(e.message.terms["demand"])
        for e in result.events_of(MessageSent)
        if e.message.sender == "P" and e.message.performative is Performative.OFFER
    )
    return demand, float(sim.types["R"].params["cost_war"]), result.outcome


def crisis_runs(scenario: negsim.Scenario, seeds: int) -> list[tuple[float, float, str]]:
    """For each seed from 0: P's demand, R's drawn cost of war, and the outcome."""
    return [crisis_run(scenario, seed) for seed in range(seeds)]


def with_public_cost(scenario: negsim.Scenario, c: float) -> negsim.Scenario:
    """``scenario`` with R's cost public: a prior of one type, ``c``."""
    agents = [
        attrs.evolve(a, prior=DiscretePrior.over("cost_war", {c: 1.0})) if a.id == "R" else a
        for a in scenario.agents
    ]
    return attrs.evolve(scenario, agents=agents)


@functools.cache
def fearon_runs(p: float, C: float, k: float) -> list[tuple[float, float, str]]:
    return crisis_runs(fearon(p, C, k), SEEDS)


def test_fearon_the_package_declares_the_two_doctrines() -> None:
    reg = games_registry()
    assert {"tioli_proposer", "tioli_receiver"} <= set(ENTRY_POINTS)
    assert set(reg.names(PluginRole.DOCTRINE)) >= {"tioli_proposer", "tioli_receiver"}
    assert reg.spec("tioli_proposer").defaults == {"cost_war": 0.1}
    assert reg.spec("tioli_receiver").defaults == {"cost_war": 0.2}


def test_fearon_the_example_scenario_is_an_ultimatum_with_a_private_cost() -> None:
    scenario = negsim.load_scenario(FEARON_SCENARIO, registry=games_registry())
    assert scenario.world_rules == "bargaining"
    assert dict(scenario.world_params) == {"p": 0.5}
    [n] = scenario.negotiations
    assert (n.protocol, n.parties, dict(n.params)) == (
        "alternating_offers",
        ("P", "R"),
        {"counter_offers": False},
    )
    [issue] = n.issues
    assert (issue.name, str(issue.kind), issue.low, issue.high) == ("demand", "continuous", 0, 1)
    agents = {a.id: a for a in scenario.agents}
    assert agents["P"].params["cost_war"] == 0.1
    prior = agents["R"].prior
    assert prior is not None
    assert (prior.param, prior.low, prior.high, prior.points) == ("cost_war", 0, 0.4, POINTS)
    assert agents["P"].prior is None


def test_fearon_closed_form_of_the_example() -> None:
    x, war = fearon_closed_form(0.5, 0.4, 0.1)
    assert (x, war) == (pytest.approx(0.65), pytest.approx(0.375))


@pytest.mark.parametrize(("p", "C", "k"), FEARON_SETTINGS)
def test_fearon_war_and_demand_match_the_closed_form(p: float, C: float, k: float) -> None:
    x_star, war_star = fearon_closed_form(p, C, k)
    runs = fearon_runs(p, C, k)
    assert len(runs) == SEEDS
    # P's demand: the same in every run, within the discretisation error of x*
    demands = {round(d, 12) for d, _, _ in runs}
    assert len(demands) == 1
    assert abs(runs[0][0] - x_star) <= 3 * C / (4 * POINTS)
    # the share of runs that end in war
    wars = sum(outcome == "war" for _, _, outcome in runs)
    tolerance = 4 * math.sqrt(war_star * (1 - war_star) / SEEDS) + 3 / (4 * POINTS)
    assert abs(wars / SEEDS - war_star) <= tolerance, (wars / SEEDS, war_star, tolerance)
    assert {o for _, _, o in runs} == {"agreement", "war"}


@pytest.mark.parametrize(("p", "C", "k"), FEARON_SETTINGS)
def test_fearon_the_receiver_fights_exactly_when_the_demand_leaves_it_less_than_war(
    p: float, C: float, k: float
) -> None:
    for demand, c, outcome in fearon_runs(p, C, k):
        fights = 1 - demand < 1 - p - c - 1e-9
        assert outcome == ("war" if fights else "agreement"), (demand, c)


def test_fearon_the_outcome_and_metrics_of_one_run() -> None:
    scenario = negsim.load_scenario(FEARON_SCENARIO, registry=games_registry())
    for seed, (demand, c, outcome) in enumerate(fearon_runs(0.5, 0.4, 0.1)[:40]):
        result = negsim.simulate(scenario, seed=seed, registry=games_registry())
        assert result.outcome == outcome
        assert result.metrics["bargaining_last_offer"] == demand
        assert result.rounds == result.metrics["bargaining_round"] == 2
        if outcome == "war":
            assert result.reason == (
                f"R rejected demand = {demand:g} in round 2: war, which P wins with probability 0.5"
            )
            assert result.metrics["bargaining_utility(P)"] == 0.5
            assert result.metrics["bargaining_war"] == 1
        else:
            assert result.metrics["bargaining_utility(P)"] == demand
            assert result.metrics["bargaining_utility(R)"] == pytest.approx(1 - demand)
            assert result.metrics["bargaining_value"] == demand
            assert c >= demand - 0.5 - 1e-9


def test_fearon_placebo_with_the_cost_public_there_is_never_a_war() -> None:
    """The same seeds and the same drawn costs as the first setting, with R's cost made
    public (a prior of one type, the true c): P demands p + c and R always accepts. The
    wars of the private case come from the private information."""
    p, C, k = FEARON_SETTINGS[0]
    private = fearon_runs(p, C, k)
    assert sum(o == "war" for _, _, o in private) > 0.3 * SEEDS
    scenario = fearon(p, C, k)
    public = [
        crisis_run(with_public_cost(scenario, c), seed) for seed, (_, c, _) in enumerate(private)
    ]
    assert len(public) == SEEDS
    assert [o for _, _, o in public] == ["agreement"] * SEEDS
    for (demand, c, _), (_, drawn, _) in zip(public, private, strict=True):
        assert c == drawn
        assert demand == pytest.approx(p + c)


def test_fearon_placebo_every_type_of_the_prior_agrees_when_it_is_public() -> None:
    p, C, k = FEARON_SETTINGS[0]
    scenario = fearon(p, C, k)
    prior = next(a.prior for a in scenario.agents if a.id == "R")
    assert prior is not None
    for t in prior.types:
        c = float(t.params["cost_war"])
        demand, drawn, outcome = crisis_run(with_public_cost(scenario, c), 0)
        assert (outcome, drawn, demand) == ("agreement", c, pytest.approx(p + c))


def test_fearon_the_public_cost_scenario_agrees_at_p_plus_c() -> None:
    scenario = negsim.load_scenario(FEARON_PUBLIC_SCENARIO, registry=games_registry())
    result = play(scenario)
    assert result.outcome == "agreement"
    assert result.metrics["bargaining_value"] == pytest.approx(0.75)
    assert result.reason == "P and R agreed on demand = 0.75 in round 2; utilities P 0.75, R 0.25"


def test_fearon_war_costs_the_proposer_more_than_it_could_gain_so_no_war() -> None:
    """C <= k: x* = p (clipped), P(war) = 0; against the discrete prior P demands the
    lowest type's threshold p + C / (2 n), which every type accepts."""
    p, C, k = 0.5, 0.2, 0.3
    assert fearon_closed_form(p, C, k) == (0.5, 0.0)
    runs = crisis_runs(fearon(p, C, k), 200)
    assert [o for _, _, o in runs] == ["agreement"] * 200
    assert runs[0][0] == pytest.approx(p + C / (2 * POINTS))


def test_fearon_the_proposer_needs_a_prior_over_the_receivers_cost() -> None:
    scenario = negsim.load_scenario(FEARON_SCENARIO, registry=games_registry())
    agents = [attrs.evolve(a, prior=None) for a in scenario.agents]
    # raised in a round, the plugin's ScenarioError names the plugin (exit code 1)
    with pytest.raises(
        negsim.PluginCallError,
        match=r"agents\.R\.prior: the proposer P needs a prior over R's 'cost_war'",
    ) as info:
        play(attrs.evolve(scenario, agents=agents))
    assert info.value.plugin == "tioli_proposer"
    assert isinstance(info.value.__cause__, negsim.ScenarioError)


@pytest.mark.parametrize("module", ["negsim_games.bargaining", "negsim_games.tioli"])
def test_bargaining_the_examples_in_the_docstrings_hold(module: str) -> None:
    """The modules' doctests: the targets of the tactics and the proposer's best demand."""
    games_registry()  # makes negsim_games importable when it is not installed
    found = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert found.attempted > 0
    assert found.failed == 0
