"""The example scenarios ship inside the wheel and ``negsim examples`` copies them out."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from negsim.cli import main
from negsim.scenario import example_path, list_examples

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "examples" / "scenarios"


def test_every_example_scenario_is_force_included_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    expected = {
        f"examples/scenarios/{p.name}": f"negsim/_data/scenarios/{p.name}"
        for p in SOURCE.glob("*.toml")
    }
    assert included == expected


def test_the_built_wheel_holds_the_examples(tmp_path: Path) -> None:
    """Build the wheel with hatchling itself and read its file list."""
    wheel_builder = pytest.importorskip("hatchling.builders.wheel")
    builder = wheel_builder.WheelBuilder(str(ROOT))
    (built,) = builder.build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(built) as wheel:
        names = set(wheel.namelist())
        for path in SOURCE.glob("*.toml"):
            inside = f"negsim/_data/scenarios/{path.name}"
            assert inside in names
            assert wheel.read(inside) == path.read_bytes()


def test_examples_are_listed_from_the_source_tree() -> None:
    names = [e.name for e in list_examples()]
    assert names == sorted(p.stem for p in SOURCE.glob("*.toml"))
    assert example_path("korea-bilateral") == example_path("korea_bilateral.toml")


def test_cli_lists_and_copies(tmp_path: Path) -> None:
    listed = CliRunner().invoke(main, ["examples"])
    assert listed.exit_code == 0
    assert "korea_bilateral" in listed.output
    copied = CliRunner().invoke(main, ["examples", "korea_integrated", "--to", str(tmp_path)])
    assert copied.exit_code == 0, copied.output
    target = tmp_path / "korea_integrated.toml"
    assert target.read_bytes() == (SOURCE / "korea_integrated.toml").read_bytes()
    again = CliRunner().invoke(main, ["examples", "korea_integrated", "--to", str(tmp_path)])
    assert again.exit_code == 2
    assert "--force" in again.output


def test_cli_unknown_example_names_the_choices() -> None:
    result = CliRunner().invoke(main, ["examples", "korea"])
    assert result.exit_code == 2
    assert "choose from baltic_nato, korea_bilateral, korea_integrated" in result.output
