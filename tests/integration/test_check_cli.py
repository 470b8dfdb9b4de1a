"""End-to-end tests of ``negsim check`` on scenario files, through click's CliRunner.

The command object is invoked directly, so these tests run whether or not it is
registered in the ``negsim`` group yet; the last test also runs it through the group
when it is.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import negsim
from negsim.cli._check import CONFLICT_EXIT, check

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "examples" / "scenarios"
FLAGSHIP = SCENARIOS / "korea_bilateral.toml"


def _treaties_only() -> Path:
    """korea_bilateral.toml without Japan's compliance commitment: the treaties alone."""
    text = FLAGSHIP.read_text(encoding="utf-8")
    start = text.index('[[commitments]]\nid = "jpn-complies"')
    path = Path(tempfile.mkdtemp(prefix="negsim-check-")) / "korea_treaties.toml"
    path.write_text(text[:start], encoding="utf-8")
    return path


KOREA = _treaties_only()
BALTIC = SCENARIOS / "baltic_nato.toml"

PLEDGE = """
[[commitments]]
id = "jpn-dprk-neutrality"
debtor = "JPN"
creditor = "DPRK"
antecedent = "nuclear_threat(DPRK,JPN) & attacked(ROK) & ~attacked(JPN)"
consequent = "denies_access(JPN,USA)"
source = "Coerced neutrality (Crawford 2011; Izumikawa 2013)"
"""


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(check, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def coerced(tmp_path: Path) -> Path:
    """korea_bilateral.toml with Japan's coerced neutrality pledge added."""
    path = tmp_path / "coerced.toml"
    path.write_text(KOREA.read_text(encoding="utf-8") + PLEDGE, encoding="utf-8")
    return path


def test_korea_bilateral_is_consistent() -> None:
    result = invoke(KOREA)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "us-rok-art3 USA -> ROK: attacked(ROK) >> responds(USA,ROK)" in out
    assert "Consistency: consistent" in out
    assert "kishi-herter and us-jpn-art5 never detach together" in out
    assert "Reachable violations: none" in out
    assert "Result: no conflict, no reachable violation (exit 0)" in out
    # each agent's rules with thresholds
    assert re.search(r"USA \(bilateral\) support: holds at the scenario's values", out)
    assert re.search(r"JPN \(bilateral\) grant_access: holds at the scenario's values", out)
    assert "support holds while cost_war < " in out


def test_entailment_question() -> None:
    result = invoke(
        KOREA, "--given", "attacked(ROK)", "--obliged", "grants_access(JPN,USA)", "--debtor", "JPN"
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Entailment: given attacked(ROK), is grants_access(JPN,USA) obliged of JPN? no" in out
    result = invoke(
        KOREA, "--given", "attacked(ROK) & ~attacked(JPN)", "--obliged", "consulted(USA,JPN)"
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "obliged? yes" in out
    assert "It follows from kishi-herter" in out


def test_param_threshold() -> None:
    # ``reward`` is no agent parameter: the access rule's symbol for the largest
    # conditional reward a host has been offered (0 at the start of a crisis)
    result = invoke(KOREA, "--param", "reward")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert re.search(r"JPN \(bilateral\) grant_access: holds at the scenario's values", out)
    assert re.search(r"grant_access holds while reward < [0-9.]+ \(scenario 0, margin [0-9.]+", out)


def _japan(data: dict[str, object], rule: str) -> dict[str, object]:
    rules = data["rules"]
    assert isinstance(rules, list)
    (report,) = [r for r in rules if r["agent"] == "JPN" and r["rule"] == rule]
    (threshold,) = report["thresholds"]
    return threshold


def test_overrides_move_the_threshold() -> None:
    # the price of Japan's bases rises one for one with the value it puts on the alliance
    nominal = float(negsim.load_scenario(KOREA).agent("JPN").params["alliance_value"])
    base = json.loads(invoke(KOREA, "--json", "--param", "reward").output)
    moved = json.loads(
        invoke(
            KOREA,
            "--json",
            "--param",
            "reward",
            "--set",
            f"agents.JPN.params.alliance_value={nominal + 7}",
        ).output
    )
    a, b = _japan(base, "grant_access"), _japan(moved, "grant_access")
    assert b["value"] == pytest.approx(a["value"] + 7)
    assert b["margin"] == pytest.approx(a["margin"] + 7)
    # and a cost of war set above its threshold turns Japan's support margin negative
    base = json.loads(invoke(KOREA, "--json", "--param", "cost_war").output)
    high = _japan(base, "support")["value"] + 1
    moved = json.loads(
        invoke(
            KOREA, "--json", "--param", "cost_war", "--set", f"agents.JPN.params.cost_war={high}"
        ).output
    )
    assert _japan(base, "support")["margin"] > 0 > _japan(moved, "support")["margin"]
    assert _japan(moved, "support")["scenario_value"] == pytest.approx(high)


def test_json_report() -> None:
    result = invoke(KOREA, "--json", "--obliged", "responds(USA,ROK)", "--given", "attacked(ROK)")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["conflicted"] is False
    assert data["file"] == str(KOREA)
    assert data["consistency"]["consistent"] is True
    assert data["entailment"]["verdict"] is True
    assert data["entailment"]["because"] == ["us-rok-art3"]
    assert {c["id"] for c in data["commitments"]} >= {"kishi-herter", "jpn-us-art6"}
    japan = [r for r in data["rules"] if r["agent"] == "JPN"]
    assert japan
    assert all("description" in t for t in japan[0]["thresholds"])


def test_conflict_exits_3(coerced: Path) -> None:
    result = invoke(coerced)
    assert result.exit_code == CONFLICT_EXIT == 3
    out = " ".join(result.output.split())
    assert "Consistency: INCONSISTENT" in out
    assert "conflict: jpn-dprk-neutrality, jpn-us-art6" in out
    assert "clash world: attacked(ROK), nuclear_threat(DPRK,JPN) hold" in out
    assert "Reachable violations: 1" in out
    assert "Result: 1 conflict and 1 reachable violation found (exit 3)" in out
    data = json.loads(invoke(coerced, "--json").output)
    assert data["conflicted"] is True
    (conflict,) = data["consistency"]["conflicts"]
    assert conflict["commitments"] == ["jpn-dprk-neutrality", "jpn-us-art6"]
    assert conflict["world"]["nuclear_threat(DPRK,JPN)"] is True


def test_baltic_in_one_line_per_form() -> None:
    result = invoke(BALTIC, "--given", "attacked(EST)", "--obliged", "responds(USA,EST)")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "992 x art5-*  C(<debtor>, <creditor>): attacked(<creditor>) >> " in out
    out = " ".join(out.split())  # undo the wrapping of long lines
    assert "992 commitments in 32 independent groups, 1 distinct" in out
    assert "It follows from art5-usa-est" in out
    assert "(collective, 32 agents) support" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.toml"], "no such file"),
        ([KOREA, "--obliged", "grants_access(JPN,"], "column 19"),
        ([KOREA, "--obliged", "grants_access(JPN,XYZ)"], "unknown agent 'XYZ'"),
        ([KOREA, "--set", "agents.NOPE.params.x=1"], "NOPE"),
    ],
)
def test_bad_input_exits_2_with_one_message(args: list[str | Path], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output


def test_contradictory_exclusions_are_bad_input(tmp_path: Path) -> None:
    text = KOREA.read_text(encoding="utf-8").replace(
        "exclusions = [", 'exclusions = [\n    "war",\n    "~war",', 1
    )
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    result = invoke(path)
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "error: world.exclusions: the exclusions cannot all hold in any world" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--given", "attacked(ROK)"], "--given and --debtor need --obliged"),
        (["--param", "no_such_param"], "no decision rule of any agent depends on 'no_such_param'"),
        (["--obliged", "war", "--debtor", "XYZ"], "no agent 'XYZ'"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(check, [str(KOREA), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_the_flagship_shows_the_seam_and_exits_3() -> None:
    result = invoke(FLAGSHIP)
    assert result.exit_code == 3, result.output
    assert "conflict: jpn-complies, jpn-us-art6" in result.output


def test_registered_in_the_command_group() -> None:
    from negsim.cli import main

    assert "check" in main.commands, sorted(main.commands)
    result = CliRunner().invoke(main, ["check", str(KOREA), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["conflicted"] is False


# -- alliances at scale: a templated file, and a bad template --------------------------------


def test_a_templated_alliance_is_checked_as_its_listing(tmp_path: Path) -> None:
    from negsim.testing._toml import scenario_toml
    from negsim_collective.synthetic import collective_crisis

    listed = tmp_path / "listed.toml"
    templated = tmp_path / "templated.toml"
    listed.write_text(scenario_toml(collective_crisis(12)))
    templated.write_text(scenario_toml(collective_crisis(12, templated=True)))
    a, b = invoke(listed), invoke(templated)
    assert (a.exit_code, b.exit_code) == (0, 0)
    assert a.output.split("\n", 1)[1] == b.output.split("\n", 1)[1]
    assert "132 x art5-M0*  C(<debtor>, <creditor>)" in a.output  # 12 * 11, on one line


def test_a_bad_template_is_bad_input(tmp_path: Path) -> None:
    from negsim.testing._toml import scenario_toml
    from negsim_collective.synthetic import collective_crisis

    data = collective_crisis(4, templated=True)
    data["commitment_templates"][0]["for_each_pair"] = "NATO"
    path = tmp_path / "bad.toml"
    path.write_text(scenario_toml(data))
    result = CliRunner().invoke(check, [str(path)])
    assert result.exit_code == 2
    assert "commitment_templates[0].for_each_pair: unknown alliance 'NATO'" in result.output
    assert "Traceback" not in result.output
