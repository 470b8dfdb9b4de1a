"""The record of honouring: the scenario key, the Bayes update of the challenger's
prior from it, and the sequence of crises that carries it from one crisis to the next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import negsim
import negsim_wedge as wedge
from negsim.beliefs import Belief
from negsim.cli import main
from negsim.crisis import nominal_view, past_honour_chance, record_likelihood
from negsim.engine import derive_seed, public_info
from negsim.experiments import honour_record, with_record
from negsim.model import (
    AgentType,
    Commitment,
    CommitmentState,
    HonourRecord,
    Result,
    WorldState,
)
from negsim.scenario import dump_scenario, scenario_from_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
KOREA = SCENARIOS / "korea_bilateral.toml"


# -- the closed forms ------------------------------------------------------------------


@given(st.floats(0.01, 50.0), st.floats(-60.0, 60.0))
def test_the_chance_of_honouring_a_past_case_integrates_the_rule(
    stakes: float, margin: float
) -> None:
    """The closed form against a midpoint sum over the unknown chance of winning."""
    n = 4000
    share = sum((i + 0.5) / n * stakes + margin > 0.0 for i in range(n)) / n
    assert past_honour_chance(stakes, margin) == pytest.approx(share, abs=1.5 / n)


def test_a_record_is_a_tempered_binomial_likelihood() -> None:
    chance = lambda t: float(t.params["q"])  # noqa: E731
    firm = AgentType("firm", {"q": 0.9}, 1.0)
    assert record_likelihood(chance, HonourRecord(2, 1), 1.0)(firm) == pytest.approx(0.081)
    assert record_likelihood(chance, HonourRecord(2, 1), 0.5)(firm) == pytest.approx(0.081**0.5)
    assert record_likelihood(chance, HonourRecord(2, 1), 0.0)(firm) == 1.0
    never = AgentType("never", {"q": 0.0}, 1.0)
    assert record_likelihood(chance, HonourRecord(0, 3), 1.0)(never) == 1.0
    assert record_likelihood(chance, HonourRecord(1, 0), 1.0)(never) == 0.0


# -- the challenger's prior, moved by the record ---------------------------------------


def _two_type_korea(**record: int) -> negsim.Scenario:
    """``korea_bilateral`` with a USA of stakes 2 or 8 (even odds) and a record."""
    data: dict[str, Any] = dump_scenario(negsim.load_scenario(KOREA))
    usa = next(a for a in data["agents"] if a["id"] == "USA")
    usa["prior"] = {
        "kind": "discrete",
        "types": [
            {"name": "low", "probability": 0.5, "params": {"stakes": 2.0}},
            {"name": "high", "probability": 0.5, "params": {"stakes": 8.0}},
        ],
    }
    if record:
        usa["record"] = record
    return scenario_from_dict(data)


def _dprk_belief_about_usa(scenario: negsim.Scenario, *overrides: str) -> Belief:
    scenario = negsim.apply_overrides(scenario, overrides)
    dprk = next(a for a in scenario.agents if a.id == "DPRK")
    view = nominal_view(dprk, scenario)
    state = wedge.Challenger()
    wedge._size_up(attrs.evolve(view, state=state), state)
    return state.helpers["USA"]


def test_the_record_moves_the_prior_by_bayes_rule() -> None:
    """Hand-computed: the DPRK's estimates give the margin ``est_ties - est_cost_war =
    1 - 2 = -1``, so a past case was honoured with chance ``1 - 1/s``: 1/2 for stakes
    2 and 7/8 for stakes 8. Two cases honoured and one failed have likelihoods
    ``(1/2)**2 * (1/2) = 128/1024`` and ``(7/8)**2 * (1/8) = 98/1024``; from even odds
    the posterior of the low type is ``128/226 = 64/113``. At weight 1/2 the
    likelihoods are their square roots, ``8*sqrt(2)`` and ``7*sqrt(2)`` (over 32): 8/15."""
    scenario = _two_type_korea(honoured=2, failed=1)
    assert _dprk_belief_about_usa(scenario).probability("low") == pytest.approx(64 / 113)
    half = _dprk_belief_about_usa(scenario, "agents.DPRK.params.record_weight=0.5")
    assert half.probability("low") == pytest.approx(8 / 15)
    ignored = _dprk_belief_about_usa(scenario, "agents.DPRK.params.record_weight=0")
    assert ignored.probabilities == (0.5, 0.5)


def test_backing_down_lowers_the_expected_stakes_and_honouring_raises_them() -> None:
    none = _dprk_belief_about_usa(_two_type_korea()).expect("stakes")
    failed = _dprk_belief_about_usa(_two_type_korea(failed=1)).expect("stakes")
    honoured = _dprk_belief_about_usa(_two_type_korea(honoured=1)).expect("stakes")
    assert failed < none == 5.0 < honoured


def test_a_record_no_type_can_explain_leaves_the_prior() -> None:
    """Every type honours a past case when ties outweigh the cost of war: a failure
    then has probability 0 under every type and Bayes' rule says nothing about it."""
    belief = _dprk_belief_about_usa(
        _two_type_korea(failed=2), "agents.DPRK.params.est_cost_war=0.5"
    )
    assert belief.probabilities == (0.5, 0.5)


# -- the scenario key ------------------------------------------------------------------


def test_the_record_is_public_and_round_trips() -> None:
    scenario = negsim.load_scenario(KOREA, overrides=["agents.USA.record.failed=2"])
    assert public_info(scenario).record_of("USA") == HonourRecord(honoured=0, failed=2)
    assert public_info(scenario).record_of("JPN") == HonourRecord()
    again = scenario_from_dict(dump_scenario(scenario))
    assert [a.record for a in again.agents] == [a.record for a in scenario.agents]
    plain = dump_scenario(negsim.load_scenario(KOREA))
    assert all("record" not in a for a in plain["agents"])


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"honoured": -1}, "agents[3].record.honoured: must be >= 0: -1"),
        ({"failed": 1.5}, "agents[3].record.failed: expected an integer, got float 1.5"),
        ({"failed": True}, "agents[3].record.failed: expected an integer, got bool True"),
        ({"honored": 2}, "agents[3].record.honored: unknown key; valid: honoured, failed"),
        (3, "agents[3].record: expected a table, got int 3"),
    ],
)
def test_a_bad_record_is_one_clear_message_and_exit_2(
    tmp_path: Path, record: object, message: str
) -> None:
    data: dict[str, Any] = dump_scenario(negsim.load_scenario(KOREA))
    data["agents"][3]["record"] = record  # the USA, fourth by id and in the file
    with pytest.raises(negsim.ScenarioError) as caught:
        scenario_from_dict(data, source="korea.toml")
    assert message in str(caught.value)
    text = KOREA.read_text(encoding="utf-8").replace(
        'id = "USA"\n', f'id = "USA"\nrecord = {_toml(record)}\n', 1
    )
    path = tmp_path / "korea.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: {message}\n"
    assert "Traceback" not in result.output


def _toml(value: object) -> str:
    if isinstance(value, dict):
        items = ", ".join(f"{k} = {_toml(v)}" for k, v in value.items())
        return "{ " + items + " }"
    return "true" if value is True else str(value)


# -- the record of a run, and the sequence --------------------------------------------


def _result(*commitments: Commitment) -> Result:
    return Result("deterred", "test", 3, (), commitments, WorldState(round=3))


def _owed(cid: str, debtor: str, creditor: str, state: str, **kw: Any) -> Commitment:
    return Commitment(cid, debtor, creditor, state=CommitmentState(state), **kw)


def test_a_run_adds_one_case_per_state_whose_casus_foederis_arrived() -> None:
    scenario = negsim.load_scenario(KOREA)  # alliances US-ROK and US-JPN
    result = _result(
        _owed("a", "USA", "ROK", "discharged"),
        _owed("b", "USA", "JPN", "violated"),  # any failure makes the case failed
        _owed("c", "ROK", "USA", "discharged"),
        _owed("d", "JPN", "USA", "violated", standing=True),  # a standing grant
        _owed("e", "JPN", "DPRK", "discharged"),  # owed outside its alliances
        _owed("f", "JPN", "USA", "detached"),  # undecided when the run ended
    )
    assert honour_record(result, scenario) == {
        "ROK": HonourRecord(honoured=1),
        "USA": HonourRecord(failed=1),
    }


def test_with_record_adds_to_the_record_by_overrides() -> None:
    scenario = negsim.load_scenario(KOREA, overrides=["agents.USA.record.honoured=2"])
    later = with_record(scenario, {"USA": HonourRecord(failed=1), "ROK": HonourRecord()})
    assert public_info(later).record_of("USA") == HonourRecord(honoured=2, failed=1)
    assert later.overrides[-2:] == (
        "agents.USA.record.honoured=2",
        "agents.USA.record.failed=1",
    )
    assert with_record(scenario, {}) is scenario


def test_a_sequence_is_deterministic_and_starts_with_the_plain_run() -> None:
    korea = negsim.load_scenario(KOREA)
    runs = negsim.simulate_sequence(korea, crises=3, seed=4)
    again = negsim.simulate_sequence(korea, crises=3, seed=4)
    assert [r.events for r in runs] == [r.events for r in again]
    assert runs[0].events == negsim.simulate(korea, seed=4).events
    assert [r.provenance.seed for r in runs if r.provenance] == [
        4,
        derive_seed(4, "crisis", 1),
        derive_seed(4, "crisis", 2),
    ]
    carried = with_record(korea, honour_record(runs[0], korea))
    assert runs[1].events == negsim.simulate(carried, seed=derive_seed(4, "crisis", 1)).events
    assert runs[1].provenance is not None
    assert runs[1].provenance.overrides == carried.overrides != ()


def test_a_sequence_needs_a_crisis() -> None:
    with pytest.raises(ValueError, match="crises must be >= 1: 0"):
        negsim.simulate_sequence(negsim.load_scenario(KOREA), crises=0)
