"""Tests of scenario loading: every problem named with file, path and choices; overrides."""

from __future__ import annotations

import textwrap
from pathlib import Path

import attrs
import pytest

import negsim
from negsim.errors import (
    OverrideError,
    ScenarioError,
    ScenarioFileError,
    UnknownDoctrineError,
)
from negsim.scenario import apply_overrides, dump_scenario, parse_override, scenario_from_dict
from tests.toyplugins import demo_data, demo_toml, make_registry

BASE = """\
[scenario]
name = "base"
world_rules = "toy"
max_rounds = 8
seed = 3

[world]
facts = ["alert(B)"]
params = { stop_round = 0 }

[[agents]]
id = "B"
name = "State B"
doctrine = "scripted"
capabilities = { conventional = 2.0 }
params = { aggr = 0.2 }

[[agents]]
id = "A"
name = "State A"
doctrine = "scripted"
capabilities = { conventional = 1.0, forces_hosted = { B = 10 } }
params = { aggr = 0.5 }

[[alliances]]
id = "X"
name = "alliance X"
kind = "collective"
members = ["A", "B"]
decision_rule = "consensus"
decision_deadline = 3

[[commitments]]
id = "c1"
debtor = "A"
creditor = "B"
antecedent = "attacked(B)"
consequent = "responds(A,B)"
deadline = 2
"""


@pytest.fixture(scope="module")
def registry():
    return make_registry()


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


def load_error(path, registry, cls=ScenarioError, **kw) -> ScenarioError:
    """The one error loading ``path`` raises; its message starts with the file name."""
    with pytest.raises(cls) as info:
        negsim.load_scenario(path, registry=registry, **kw)
    err = info.value
    assert isinstance(err, ScenarioError)
    assert str(err).startswith(f"{path}: ")
    assert err.source == str(path)
    return err


def test_base_file_loads_with_defaults_filled_in(write, registry):
    s = negsim.load_scenario(write(BASE), registry=registry)
    assert s.name == "base"
    assert s.agent_ids == ("A", "B")
    assert s.agent("A").params == {"aggr": 0.5, "patience": 3, "loud": False}
    assert s.agent("A").capabilities.forces_hosted == {"B": 10.0}
    assert s.world.facts == {"alert(B)"}
    assert s.world_params == {"stop_round": 0}
    assert (s.max_rounds, s.seed, s.world_rules) == (8, 3, "toy")
    assert s.commitments[0].deadline == 2
    assert s.alliances[0].members == ("A", "B")


# -- one problem, one error, naming file, path and choices -------------------------------------


def test_missing_file(tmp_path, registry):
    path = tmp_path / "nope.toml"
    err = load_error(path, registry, ScenarioFileError)
    assert isinstance(err, OSError)
    assert str(path) in str(err)
    assert "no such file" in str(err)
    assert len(err.problems) == 1


def test_toml_syntax_error_mentions_the_line(write, registry):
    path = write(edit("seed = 3", "seed = = 3"))
    err = load_error(path, registry, ScenarioFileError)
    assert str(path) in str(err)
    assert "line 5" in str(err)
    assert len(err.problems) == 1


def test_unknown_doctrine_lists_installed_ones(write, registry):
    path = write(
        edit(
            'doctrine = "scripted"\ncapabilities = { conventional = 2.0 }',
            'doctrine = "hawk"\ncapabilities = { conventional = 2.0 }',
        )
    )
    err = load_error(path, registry, UnknownDoctrineError)
    assert isinstance(err, LookupError)
    [problem] = err.problems
    assert problem.path == "agents[0].doctrine"
    assert str(path) in str(err)
    assert "'hawk'" in str(err)
    assert "installed: chatter, scripted" in str(err)


def test_unknown_world_rules_lists_installed_ones(write, registry):
    err = load_error(
        write(edit('world_rules = "toy"', 'world_rules = "crisis2"')),
        registry,
        UnknownDoctrineError,
    )
    [problem] = err.problems
    assert problem.path == "scenario.world_rules"
    assert "installed: toy" in problem.message


def test_alliance_naming_an_unknown_agent(write, registry):
    err = load_error(write(edit('members = ["A", "B"]', 'members = ["A", "Q"]')), registry)
    [problem] = err.problems
    assert problem.path == "alliances[0].members"
    assert "'Q'" in problem.message
    assert "known: A, B" in problem.message


@pytest.mark.parametrize(
    ("text", "path", "said"),
    [
        (
            'decision_rule = "majority"\nabstention_share = 0.3',
            "alliances[0].abstention_share",
            "abstention applies under decision_rule 'consensus', not 'majority'",
        ),
        (
            'decision_rule = "consensus"\nabstention_share = 1.5',
            "alliances[0].abstention_share",
            "1.5",
        ),
    ],
)
def test_bad_abstention_share(write, registry, text, path, said):
    err = load_error(write(edit('decision_rule = "consensus"', text)), registry)
    [problem] = err.problems
    assert problem.path == path
    assert said in problem.message


def test_duplicate_agent_id(write, registry):
    path = write(BASE + '\n[[agents]]\nid = "B"\nname = "again"\ndoctrine = "chatter"\n')
    err = load_error(path, registry)
    [problem] = err.problems
    assert problem.path == "agents[2].id"
    assert problem.message == "duplicate id 'B' (also agents[0])"
    assert str(path) in str(err)


def test_duplicate_agent_id_alone(registry):
    data = demo_data()
    data["agents"][1]["id"] = "ROK"
    data["alliances"] = []
    data["commitments"] = []
    data["world"]["facts"] = []
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source="dup.toml", registry=registry)
    [problem] = info.value.problems
    assert problem.path == "agents[1].id"
    assert str(info.value).startswith("dup.toml: agents[1].id: duplicate id 'ROK'")


def test_negative_force_level(write, registry):
    path = write(edit("conventional = 2.0", "conventional = -3.0"))
    err = load_error(path, registry)
    problems = {p.path: p.message for p in err.problems}
    assert problems["agents[0].capabilities.conventional"] == "must be >= 0: -3.0"
    assert f"{path}: " in str(err)


def test_wrong_type_inside_an_agent(write, registry):
    path = write(edit('name = "State A"', "name = 5"))
    err = load_error(path, registry)
    problems = {p.path: p.message for p in err.problems}
    assert problems["agents[1].name"] == "expected a string, got int 5"


CASCADE = (
    "negsim/scenario/_loader.py scenario_from_dict(): an agent table that fails to structure "
    "is dropped before agent_ids is built, so every alliance, commitment and fact naming it "
    "adds a false 'unknown agent' problem ('unknown agent B; known: A' when B is in the file)"
)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("conventional = 2.0", "conventional = -3.0", "agents[0].capabilities.conventional"),
        ('name = "State A"', "name = 5", "agents[1].name"),
    ],
)
def test_one_bad_agent_field_is_one_problem(write, registry, old, new, path):
    err = load_error(write(edit(old, new)), registry)
    assert [p.path for p in err.problems] == [path]


def test_wrong_type_of_max_rounds_names_its_path(write, registry):
    err = load_error(write(edit("max_rounds = 8", 'max_rounds = "eight"')), registry)
    [problem] = err.problems
    assert problem.path == "scenario.max_rounds"
    assert "expected an integer" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ('facts = ["alert(B)"]', 'facts = "alert(B)"', "world.facts", "expected an array"),
        ("max_rounds = 8", "max_rounds = 0", "scenario.max_rounds", "must be >= 1: 0"),
        (
            "params = { aggr = 0.2 }",
            'params = { aggr = "high" }',
            "agents[0].params.aggr",
            "expected float, got str 'high'",
        ),
        (
            'facts = ["alert(B)"]',
            'facts = ["alert(B) & x"]',
            "world.facts[0]",
            "expected one ground atom",
        ),
        ('facts = ["alert(B)"]', 'facts = ["alert(Q)"]', "world.facts[0]", "unknown agent 'Q'"),
    ],
)
def test_wrong_value_names_path_and_expectation(write, registry, old, new, path, expected):
    file = write(edit(old, new))
    err = load_error(file, registry)
    [problem] = err.problems
    assert problem.path == path
    assert expected in problem.message
    assert str(file) in str(err)


@pytest.mark.parametrize(
    ("old", "new", "path", "valid"),
    [
        (
            'kind = "collective"',
            'kind = "tribal"',
            "alliances[0].kind",
            "valid: collective, bilateral",
        ),
        (
            'decision_rule = "consensus"',
            'decision_rule = "vote"',
            "alliances[0].decision_rule",
            "valid: consensus, hub, majority",
        ),
    ],
)
def test_bad_choice_names_the_key_and_the_choices(write, registry, old, new, path, valid):
    err = load_error(write(edit(old, new)), registry)
    [problem] = err.problems
    assert problem.path == path
    assert valid in problem.message


def test_unparsable_proposition_names_the_column(write, registry):
    path = write(edit('antecedent = "attacked(B)"', 'antecedent = "attacked(B) &"'))
    err = load_error(path, registry)
    [problem] = err.problems
    assert problem.path == "commitments[0].antecedent"
    assert "column 14" in problem.message
    assert "unexpected end of text" in problem.message
    assert str(path) in str(err)


def test_unknown_top_level_key_lists_the_sections(write, registry):
    err = load_error(write(BASE + "\n[extras]\nx = 1\n"), registry)
    [problem] = err.problems
    assert problem.path == "extras"
    assert "valid: scenario, world, agents, alliances, commitments" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "path", "valid"),
    [
        ("seed = 3", "seed = 3\nsede = 4", "scenario.sede", "valid: name, description"),
        (
            'facts = ["alert(B)"]',
            'facts = ["alert(B)"]\nfact = []',
            "world.fact",
            "valid: facts, variables, params, exclusions",
        ),
        (
            "decision_deadline = 3",
            "decision_deadline = 3\ndeadline = 3",
            "alliances[0].deadline",
            "valid: id, name, kind, members, decision_rule",
        ),
    ],
)
def test_unknown_key_in_a_table_lists_valid_keys(write, registry, old, new, path, valid):
    err = load_error(write(edit(old, new)), registry)
    [problem] = err.problems
    assert problem.path == path
    assert valid in problem.message


def test_unknown_parameter_lists_valid_ones(write, registry):
    err = load_error(
        write(edit("params = { aggr = 0.2 }", "params = { agression = 0.2 }")), registry
    )
    [problem] = err.problems
    assert problem.path == "agents[0].params.agression"
    assert "valid: aggr, loud, patience" in problem.message


def test_parameter_out_of_range(write, registry):
    err = load_error(write(edit("params = { aggr = 0.2 }", "params = { aggr = 1.2 }")), registry)
    [problem] = err.problems
    assert problem.path == "agents[0].params.aggr"
    assert problem.message == "must be <= 1.0: 1.2"


def test_override_path_that_does_not_exist_lists_valid_keys(write, registry):
    path = write(BASE)
    err = load_error(path, registry, OverrideError, overrides=["scenario.max_round=5"])
    assert isinstance(err, KeyError)
    [problem] = err.problems
    assert problem.path == "--set scenario.max_round"
    assert "valid: max_rounds, name, seed, world_rules" in problem.message
    assert str(path) in str(err)
    err = load_error(path, registry, OverrideError, overrides=["agents.Q.params.aggr=1"])
    assert "no 'Q' in agents" in str(err)


def test_several_problems_are_listed_in_one_error(write, registry):
    text = (
        edit(
            'doctrine = "scripted"\ncapabilities = { conventional = 2.0 }',
            'doctrine = "hawk"\ncapabilities = { conventional = 2.0 }',
        )
        .replace("params = { aggr = 0.5 }", "params = { aggr = 5.0 }")
        .replace('members = ["A", "B"]', 'members = ["A", "Q"]')
        .replace('antecedent = "attacked(B)"', 'antecedent = "attacked(B"')
        + "\n[extras]\n"
    )
    path = write(text)
    err = load_error(path, registry, UnknownDoctrineError)
    assert sorted(p.path for p in err.problems) == sorted(
        [
            "extras",
            "agents[0].doctrine",
            "agents[1].params.aggr",
            "alliances[0].members",
            "commitments[0].antecedent",
        ]
    )
    text = str(err)
    assert text.startswith(f"{path}: 5 problems")
    assert all(f"  - {p.path}: " in text for p in err.problems)


def test_every_problem_of_one_table_is_listed(write, registry):
    err = load_error(
        write(edit("conventional = 2.0", "conventional = -3.0, nuclear = -1, forces = 2")),
        registry,
    )
    assert {p.path: p.message for p in err.problems} == {
        "agents[0].capabilities.forces": (
            "unknown key; valid: conventional, nuclear, forces_hosted, distance_km"
        ),
        "agents[0].capabilities.conventional": "must be >= 0: -3.0",
        "agents[0].capabilities.nuclear": "must be >= 0: -1",
    }
    err = load_error(
        write(edit("conventional = 2.0", "conventional = -3.0, nuclear = -1, distance_km = -5")),
        registry,
    )
    assert {p.path: p.message for p in err.problems} == {
        "agents[0].capabilities.conventional": "must be >= 0: -3.0",
        "agents[0].capabilities.nuclear": "must be >= 0: -1",
        "agents[0].capabilities.distance_km": "must be >= 0: -5.0",
    }


def test_a_malformed_id_says_the_rule(write, registry):
    err = load_error(write(edit('id = "X"', 'id = "X Y"')), registry)
    [problem] = err.problems
    assert problem.path == "alliances[0].id"
    assert problem.message == (
        "must be letters, digits, '_' or '-', starting with a letter or digit: 'X Y'"
    )


def test_a_wrong_world_variable_names_its_key(write, registry):
    err = load_error(
        write(edit("[world]\n", '[world]\nvariables = { tension = "high", risk = 0.5 }\n')),
        registry,
    )
    [problem] = err.problems
    assert problem.path == "world.variables.tension"
    assert problem.message == "expected a number, got str 'high'"


def test_unknown_key_in_a_commitment_lists_only_what_a_file_may_set(write, registry):
    err = load_error(write(edit("deadline = 2", "deadline = 2\ndeadlin = 2")), registry)
    [problem] = err.problems
    assert problem.path == "commitments[0].deadlin"
    assert problem.message == (
        "unknown key; valid: id, debtor, creditor, antecedent, consequent, deadline, expires, "
        "source, standing"
    )


def test_engine_keys_in_a_commitment(write, registry):
    err = load_error(write(edit("deadline = 2", 'deadline = 2\nstate = "violated"')), registry)
    [problem] = err.problems
    assert problem.path == "commitments[0]"
    assert problem.message == "'state' and 'detached_at' are set by the engine, not the file"


# One fault among a large alliance's listed commitments (56 at 8 members, structured in
# bulk when all are valid): the error is the one the table alone would give, at its place.
@pytest.mark.parametrize(
    ("key", "value", "path", "message"),
    [
        ("debtor", "XXX", "commitments[37].debtor", "unknown agent 'XXX'; known: CHL, M000, "),
        ("deadline", -1, "commitments[37].deadline", "must be >= 0: -1"),
        ("deadline", True, "commitments[37].deadline", "expected an integer, got bool True"),
        ("standing", "yes", "commitments[37].standing", "expected true or false, got 'yes'"),
        ("consequent", "responds(M004,", "commitments[37].consequent", "column 15: "),
        ("antecedent", "attacked(ZZZ)", "commitments[37].antecedent", "unknown agent 'ZZZ' "),
        ("deadlin", 2, "commitments[37].deadlin", "unknown key; valid: id, debtor, "),
        ("state", "violated", "commitments[37]", "'state' and 'detached_at' are set by"),
        ("id", "art5-M000-M001", "commitments[37].id", "duplicate id 'art5-M000-M001' (also "),
    ],
)
def test_one_bad_commitment_among_many_is_named_at_its_place(tmp_path, key, value, path, message):
    from negsim.testing._toml import scenario_toml
    from negsim_collective.synthetic import collective_crisis

    data = collective_crisis(8)
    assert len(data["commitments"]) == 56
    data["commitments"][37][key] = value
    file = tmp_path / "crisis.toml"
    file.write_text(scenario_toml(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        negsim.load_scenario(file)
    [problem] = info.value.problems
    assert info.value.source == str(file)
    assert problem.path == path
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (
            {"agents": [{"id": "A", "name": "a", "doctrine": "scripted"}]},
            "scenario.name",
            "required: a short name for the scenario",
        ),
        (
            {"scenario": {"name": "s", "world_rules": "toy"}},
            "agents",
            "required: at least one [[agents]] table",
        ),
        (
            {"scenario": {"name": "s", "world_rules": "toy"}, "agents": []},
            "agents",
            "required: at least one [[agents]] table",
        ),
        (
            {"scenario": {"name": "s", "world_rules": "toy"}, "agents": "A"},
            "agents",
            "expected an array, got str 'A'",
        ),
        (
            {"scenario": "s", "agents": [{"id": "A", "name": "a", "doctrine": "scripted"}]},
            "scenario",
            "expected a table, got str 's'",
        ),
        (
            {"scenario": {"name": "s", "world_rules": "toy"}, "agents": [5]},
            "agents[0]",
            "expected a table, got int 5",
        ),
    ],
)
def test_missing_or_misshapen_tables(registry, data, path, message):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source="f.toml", registry=registry)
    assert [(p.path, p.message) for p in info.value.problems] == [(path, message)]


def test_a_table_that_fails_does_not_hide_the_others_problems(write, registry):
    """Structural and plugin problems from different tables come in one error."""
    text = (
        edit('name = "State A"', "name = 5").replace(
            'doctrine = "scripted"\ncapabilities = { conventional = 2.0 }',
            'doctrine = "hawk"\ncapabilities = { conventional = 2.0 }',
        )
        + "\n[extras]\n"
    )
    err = load_error(write(text), registry, UnknownDoctrineError)
    assert sorted(p.path for p in err.problems) == [
        "agents[0].doctrine",
        "agents[1].name",
        "extras",
    ]


def test_no_agent_known(registry):
    data = {
        "scenario": {"name": "s", "world_rules": "toy"},
        "agents": [],
        "commitments": [{"id": "c", "debtor": "A", "creditor": "A"}],
    }
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, registry=registry)
    assert "commitments[0].debtor: unknown agent 'A'; known: (none)" in str(info.value)


# -- order, overrides, round trips --------------------------------------------------------------


def test_agent_order_in_the_file_does_not_matter(write, registry):
    forward = negsim.load_scenario(write(demo_toml(), "f.toml"), registry=registry)
    backward = negsim.load_scenario(write(demo_toml(reverse=True), "b.toml"), registry=registry)
    assert forward == backward
    assert forward.agent_ids == ("DPRK", "JPN", "ROK", "USA")
    assert negsim.engine.scenario_digest(forward) == negsim.engine.scenario_digest(backward)
    assert forward == scenario_from_dict(demo_data(), registry=registry)


@pytest.mark.parametrize(
    ("override", "check"),
    [
        ("agents.A.params.aggr=0.9", lambda s: s.agent("A").params["aggr"] == 0.9),
        ("scenario.max_rounds=5", lambda s: s.max_rounds == 5),
        ("alliances.X.decision_deadline=2", lambda s: s.alliances[0].decision_deadline == 2),
        (
            "agents.B.capabilities.conventional=7",
            lambda s: s.agent("B").capabilities.conventional == 7.0,
        ),
        (
            "agents.A.capabilities.forces_hosted.B=3",
            lambda s: s.agent("A").capabilities.forces_hosted == {"B": 3.0},
        ),
        ("commitments.c1.deadline=4", lambda s: s.commitments[0].deadline == 4),
        (
            'commitments.c1.consequent="concedes(A,B)"',
            lambda s: s.commitments[0].consequent == "concedes(A,B)",
        ),
        ("agents.A.params.patience=9", lambda s: s.agent("A").params["patience"] == 9),
        ("world.params.stop_round=4", lambda s: s.world_params["stop_round"] == 4),
    ],
)
def test_override_by_dotted_path(write, registry, override, check):
    path = write(BASE)
    plain = negsim.load_scenario(path, registry=registry)
    loaded = negsim.load_scenario(path, overrides=[override], registry=registry)
    assert check(loaded)
    assert not check(plain)
    key, value = parse_override(override)
    assert negsim.load_scenario(path, overrides=[(key, value)], registry=registry) == loaded
    # nothing else changed
    assert dump_scenario(loaded) != dump_scenario(plain)
    assert _without(dump_scenario(loaded), key) == _without(dump_scenario(plain), key)


def _without(data, dotted):
    """``data`` with the value at ``dotted`` (ids address tables in arrays) blanked."""
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        if isinstance(node, list):
            node = next(t for t in node if t.get("id") == part)
        else:
            node = node[part]
    node[last] = None
    return data


@pytest.mark.parametrize(
    "override",
    ["agents.A.params.aggr=0.9", "scenario.max_rounds=5", "alliances.X.decision_deadline=2"],
)
def test_apply_overrides_matches_load_with_overrides(write, registry, override):
    path = write(BASE)
    plain = negsim.load_scenario(path, registry=registry)
    loaded = negsim.load_scenario(path, overrides=[override], registry=registry)
    assert apply_overrides(plain, [override], registry=registry) == loaded


def test_simulate_with_overrides_on_a_scenario_with_commitments(write, registry):
    s = negsim.load_scenario(write(BASE), registry=registry)
    result = negsim.simulate(s, overrides=["scenario.max_rounds=2"], registry=registry)
    assert result.rounds == 2
    assert result.provenance.overrides == ("scenario.max_rounds=2",)


def test_simulate_reuses_one_variant_per_scenario_registry_and_overrides(write):
    from negsim._api import _overridden

    registry = make_registry()  # its own: a plugin is registered into it below
    s = negsim.load_scenario(write(BASE), registry=registry)
    once = _overridden(s, ("scenario.max_rounds=2",), registry)
    assert once.max_rounds == 2
    assert _overridden(s, ("scenario.max_rounds=2",), registry) is once
    assert _overridden(s, (("scenario.max_rounds", 2),), registry) is not once
    assert _overridden(s, ("scenario.max_rounds=3",), registry).max_rounds == 3
    assert _overridden(s, (), registry) is s
    other = negsim.load_scenario(write(BASE), registry=registry)
    assert _overridden(other, ("scenario.max_rounds=2",), registry) is not once
    registry.register(object(), "an_unrelated_plugin")  # the plugins changed: worked out again
    again = _overridden(s, ("scenario.max_rounds=2",), registry)
    assert again is not once
    assert again == once


def test_simulate_override_keys_tell_equal_values_of_other_types_apart():
    from negsim._api import _key

    assert _key((("a.b", 1),)) != _key((("a.b", True),))
    assert _key((("a.b", 1),)) != _key((("a.b", 1.0),))
    assert _key(("a.b=1", ("c", "x"))) == ("a.b=1", ("c", str, "x"))
    assert _key((("a.b", [1, 2]),)) is None  # not a plain scalar: not cached


OMITTED = (
    BASE.split("[[commitments]]")[0]
    .replace("max_rounds = 8\n", "")
    .replace("decision_deadline = 3\n", "")
    .replace("params = { aggr = 0.5 }\n", "")
)


def test_override_of_a_parameter_the_file_omits(write, registry):
    path = write(OMITTED)
    loaded = negsim.load_scenario(path, overrides=["agents.A.params.aggr=0.9"], registry=registry)
    assert loaded.agent("A").params["aggr"] == 0.9
    plain = negsim.load_scenario(path, registry=registry)
    assert apply_overrides(plain, ["agents.A.params.aggr=0.9"], registry=registry) == loaded


@pytest.mark.parametrize("override", ["scenario.max_rounds=5", "alliances.X.decision_deadline=2"])
def test_override_of_a_default_the_file_omits(write, registry, override):
    path = write(OMITTED)
    plain = negsim.load_scenario(path, registry=registry)
    via_scenario = apply_overrides(plain, [override], registry=registry)
    assert via_scenario != plain
    assert negsim.load_scenario(path, overrides=[override], registry=registry) == via_scenario


def test_override_value_is_still_checked(write, registry):
    path = write(BASE)
    with pytest.raises(ScenarioError) as info:
        negsim.load_scenario(path, overrides=["agents.A.params.aggr=1.5"], registry=registry)
    [problem] = info.value.problems
    assert problem.path == "agents[1].params.aggr"  # the place in the file
    assert problem.message == "must be <= 1.0: 1.5"


def test_apply_overrides_without_overrides_is_identity(write, registry):
    s = negsim.load_scenario(write(BASE), registry=registry)
    assert apply_overrides(s, [], registry=registry) is s


def test_apply_overrides_changes_only_what_it_names(write, registry):
    s = negsim.load_scenario(write(BASE), registry=registry)
    t = apply_overrides(s, ["agents.A.params.aggr=0.9", "scenario.seed=11"], registry=registry)
    a = s.agent("A")
    expected = attrs.evolve(
        s,
        seed=11,
        agents=[attrs.evolve(a, params={**a.params, "aggr": 0.9}), s.agent("B")],
    )
    assert t == expected


@pytest.mark.parametrize("source", ["base", "demo"])
def test_dump_scenario_round_trips(write, registry, source):
    if source == "base":
        s = negsim.load_scenario(write(BASE), registry=registry)
    else:
        s = scenario_from_dict(demo_data(), registry=registry)
    data = dump_scenario(s)
    assert scenario_from_dict(data, registry=registry) == s
    assert dump_scenario(scenario_from_dict(data, registry=registry)) == data


# -- scenario files are data --------------------------------------------------------------------


@pytest.mark.parametrize("where", ["antecedent", "consequent", "fact", "exclusion", "override"])
def test_hostile_proposition_is_refused_and_never_run(write, registry, tmp_path, where):
    marker = tmp_path / "pwned"
    hostile = f'__import__("os").system("touch {marker}")'
    escaped = hostile.replace('"', '\\"')
    overrides = []
    if where == "antecedent":
        text = edit('antecedent = "attacked(B)"', f'antecedent = "{escaped}"')
    elif where == "consequent":
        text = edit('consequent = "responds(A,B)"', f'consequent = "{escaped}"')
    elif where == "fact":
        text = edit('facts = ["alert(B)"]', f'facts = ["{escaped}"]')
    elif where == "exclusion":
        text = edit('facts = ["alert(B)"]', f'facts = ["alert(B)"]\nexclusions = ["{escaped}"]')
    else:
        text = BASE
        overrides = [f"commitments.c1.antecedent={hostile}"]
    with pytest.raises(ScenarioError) as info:
        negsim.load_scenario(write(text), overrides=overrides, registry=registry)
    [problem] = info.value.problems
    assert "column 1" in problem.message
    assert "unexpected '_'" in problem.message
    assert not marker.exists()


def test_load_scenario_accepts_a_string_path(write, registry):
    path = write(textwrap.dedent(BASE))
    assert negsim.load_scenario(str(path), registry=registry) == negsim.load_scenario(
        path, registry=registry
    )


# -- commitment templates --------------------------------------------------------------------

TEMPLATE = """
[[commitment_templates]]
id = "art5-{debtor}-{creditor}"
for_each_pair = "X"
antecedent = "attacked({creditor})"
consequent = "responds({debtor},{creditor})"
deadline = 2
source = "Art. 5, {debtor} to {creditor}"
"""


def test_a_template_gives_one_commitment_per_ordered_pair(write, registry):
    s = negsim.load_scenario(write(BASE + TEMPLATE), registry=registry)
    made = {c.id: c for c in s.commitments if c.id.startswith("art5-")}
    assert sorted(made) == ["art5-A-B", "art5-B-A"]
    ab = made["art5-A-B"]
    assert (ab.debtor, ab.creditor, ab.antecedent, ab.consequent) == (
        "A",
        "B",
        "attacked(B)",
        "responds(A,B)",
    )
    assert (ab.deadline, ab.source) == (2, "Art. 5, A to B")
    assert [c.id for c in s.commitments] == ["art5-A-B", "art5-B-A", "c1"]  # sorted by id


def test_a_template_s_keys_can_be_overridden(write, registry):
    s = negsim.load_scenario(
        write(BASE + TEMPLATE),
        overrides=["commitment_templates.art5-{debtor}-{creditor}.deadline=4"],
        registry=registry,
    )
    assert {c.deadline for c in s.commitments if c.id.startswith("art5-")} == {4}


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ('for_each_pair = "X"', 'for_each_pair = "Y"', "for_each_pair", "unknown alliance 'Y'"),
        ('id = "art5-{debtor}-{creditor}"', 'id = "art5-{debtor}"', "id", "{creditor} missing"),
        (
            'antecedent = "attacked({creditor})"',
            'antecedent = "attacked({creditor.__class__})"',
            "antecedent",
            "unknown placeholder {creditor.__class__}; valid: {debtor}, {creditor}",
        ),
        ('source = "Art. 5', 'source = "Art. {5', "source", "unmatched brace"),
        (
            'consequent = "responds({debtor},{creditor})"',
            'consequent = "responds({debtor},{creditor}) &"',
            "consequent",
            "(with debtor A and creditor B)",
        ),
        (
            'consequent = "responds({debtor},{creditor})"',
            'consequent = "responds({debtor},ZZZ)"',
            "consequent",
            "unknown agent 'ZZZ'",
        ),
        ("deadline = 2\nsource", "deadline = -1\nsource", "deadline", "must be >= 0: -1"),
    ],
)
def test_a_bad_template_is_one_clear_problem(write, registry, old, new, path, expected):
    assert old in TEMPLATE
    err = load_error(write(BASE + TEMPLATE.replace(old, new, 1)), registry)
    [problem] = err.problems
    assert problem.path == f"commitment_templates[0].{path}"
    assert expected in problem.message


def test_a_template_s_ids_must_not_repeat_a_listed_commitment_s(write, registry):
    text = BASE.replace('id = "c1"', 'id = "art5-B-A"') + TEMPLATE
    err = load_error(write(text), registry)
    [problem] = err.problems
    assert problem.path == "commitment_templates[0].id"
    assert "'art5-B-A'" in problem.message
    assert "commitments[0] has too" in problem.message


def test_a_template_is_checked_as_data_and_never_run(write, registry, tmp_path):
    marker = tmp_path / "pwned"
    hostile = f'{{debtor}}__import__(\\"os\\").system(\\"touch {marker}\\")'
    err = load_error(write(BASE + TEMPLATE.replace("attacked({creditor})", hostile, 1)), registry)
    [problem] = err.problems
    assert problem.path == "commitment_templates[0].antecedent"
    assert not marker.exists()
