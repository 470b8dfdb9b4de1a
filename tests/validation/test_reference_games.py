"""Reference games: negsim reproduces results that are known from the literature.

Each section plays one game of the example package ``examples/negsim-games`` and checks
its known answers exactly. The package's plugins are the installed ones when the
distribution is installed; otherwise the plugins its ``pyproject.toml`` declares under
the ``negsim`` entry-point group are loaded from its source folder and registered
in-process (as ``tests/property/_support.py`` does for ``negsim-hawkish``), so the
games are checked either way, and so are the entry points.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import io
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import negsim
from negsim.model import ActionKind, ActionTaken, OutcomeReached, PluginRole, Result
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
