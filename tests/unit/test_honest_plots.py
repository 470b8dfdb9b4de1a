"""``negsim plot`` never pools over a swept parameter it does not show."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from negsim.cli import main

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")


def _rows(**params: list[object]) -> pd.DataFrame:
    """A fake sweep: every combination of the parameters, 4 runs each."""
    import itertools

    keys = list(params)
    records = []
    for values in itertools.product(*params.values()):
        for replicate in range(4):
            record = {f"param.a.{k}": v for k, v in zip(keys, values, strict=True)}
            outcome = "deterred" if replicate < 2 else "escalation"
            record.update(outcome=outcome, error=None, scenario="s", replicate=replicate)
            records.append(record)
    return pd.DataFrame(records)


def test_one_other_parameter_makes_one_panel_per_value() -> None:
    from negsim.plotting import plot_outcomes

    fig = plot_outcomes(_rows(x=[0.0, 1.0], y=[1, 2, 3]), "x")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
    assert len(panels) == 3
    assert [ax.get_title() for ax in panels] == ["y = 1", "y = 2", "y = 3"]


def test_two_other_parameters_are_refused_by_name() -> None:
    from negsim.experiments import SweepError
    from negsim.plotting import plot_outcomes

    with pytest.raises(SweepError, match=r"also vary a\.y, a\.z"):
        plot_outcomes(_rows(x=[0.0, 1.0], y=[1, 2], z=[True, False]), "x")
    # shown as a facet and a line group, nothing is pooled
    fig = plot_outcomes(_rows(x=[0.0, 1.0], y=[1, 2], z=[True, False]), "x", by="z", facet="y")
    assert sum(ax.has_data() for ax in fig.axes) == 2


def test_categorical_x_is_points_with_interval_bars_not_lines() -> None:
    from negsim.plotting import plot_outcomes

    fig = plot_outcomes(_rows(x=["bilateral", "collective"]), "x")
    (ax,) = [a for a in fig.axes if a.has_data()]
    assert all(line.get_linestyle() == "None" for line in ax.get_lines())
    assert len(ax.containers) == 2  # one errorbar container per outcome
    assert [t.get_text() for t in ax.get_xticklabels()] == ["bilateral", "collective"]


def test_axis_labels_are_settable() -> None:
    from negsim.plotting import plot_outcomes

    fig = plot_outcomes(_rows(x=[0.0, 1.0]), "x", xlabel="threat", ylabel="share")
    (ax,) = [a for a in fig.axes if a.has_data()]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("threat", "share")


def test_heatmap_cells_are_the_outcome_share() -> None:
    from negsim.plotting import plot_heatmap

    fig = plot_heatmap(_rows(x=[0.0, 1.0], y=[1, 2, 3]), "x", "y", "deterred")
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (3, 2)
    assert (image == 0.5).all()  # 2 of 4 runs deterred at every point


def test_cli_refuses_to_pool_and_draws_facets(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    (rows / "part-00000.csv").parent.mkdir()
    frame = _rows(x=[0.0, 1.0], y=[1, 2], z=[1, 2])
    frame.to_csv(rows / "part-00000.csv", index=False)
    refused = CliRunner().invoke(
        main, ["plot", str(rows), "--x", "x", "-o", str(tmp_path / "a.png")]
    )
    assert refused.exit_code == 2
    assert "also vary a.y, a.z" in refused.output
    drawn = CliRunner().invoke(
        main, ["plot", str(rows), "--x", "x", "--by", "z", "-o", str(tmp_path / "b.png")]
    )
    assert drawn.exit_code == 0, drawn.output
    assert (tmp_path / "b.png").stat().st_size > 0
    heat = CliRunner().invoke(
        main, ["plot", str(rows), "--x", "x", "--y", "y", "-o", str(tmp_path / "c.png")]
    )
    assert heat.exit_code == 2
    assert "--outcome" in heat.output


def test_one_panel_per_outcome_and_the_other_parameter_as_lines() -> None:
    from negsim.experiments import SweepError
    from negsim.plotting import plot_outcomes

    rows = _rows(x=[0.0, 1.0], y=[1, 2])
    fig = plot_outcomes(rows, "x", per_outcome=True)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
    assert [ax.get_title() for ax in panels] == ["deterred", "escalation"]
    # y is not pooled: each panel has one line per value of it
    assert all(len(ax.get_lines()) == 2 for ax in panels)
    with pytest.raises(SweepError, match="not both"):
        plot_outcomes(rows, "x", per_outcome=True, facet="y")


def test_metric_means_have_student_t_intervals_and_skip_na() -> None:
    from negsim.plotting import metric_summary, plot_metric

    stats = pytest.importorskip("scipy.stats")
    rows = pd.DataFrame(
        {
            "param.a.x": [0.0] * 4 + [1.0] * 4,
            "metric.m": [1.0, 2.0, 3.0, None, 5.0, 5.0, 5.0, 5.0],
            "outcome": ["deterred"] * 8,
            "error": [None] * 8,
        }
    )
    table = metric_summary(rows, ["param.a.x"], "metric.m").set_index("param.a.x")
    assert table.loc[0.0, "n"] == 3  # the run without the metric is left out
    assert table.loc[0.0, "mean"] == pytest.approx(2.0)
    half = stats.t.ppf(0.975, 2) * 1.0 / 3**0.5  # sd 1, n 3
    assert table.loc[0.0, "high"] - 2.0 == pytest.approx(half)
    assert table.loc[1.0, "low"] == table.loc[1.0, "high"] == 5.0
    fig = plot_metric(rows, "x", "m", xlabel="x", ylabel="m")
    assert fig.axes[0].get_ylabel() == "m"
    from negsim.experiments import SweepError

    with pytest.raises(SweepError, match="no metric 'z'; choose from m"):
        plot_metric(rows, "x", "z")
