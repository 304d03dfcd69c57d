"""Drift baseline: decile edges, the bin rule, proportions, the PSI as the edge runtime computes it, and
which series make the per-asset entries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from uns_anomaly import baseline
from uns_anomaly.baseline import asset_baselines, asset_key, assets_of, bin_index, histogram, proportions, psi, psi_of


def test_ties_collapse_the_deciles_into_fewer_edges_with_unequal_proportions() -> None:
    """Half the sample is 0 (a welding signal between seams): deciles 0.1-0.5 are all 0."""
    values = np.concatenate([np.zeros(50), np.arange(1, 51)])
    h = histogram(values)
    assert h.edges.tolist() == [0, 10, 20, 30, 40]
    assert h.proportions.tolist() == pytest.approx([0.5, 0.1, 0.1, 0.1, 0.1, 0.1])
    assert h.samples == 100


def test_distinct_values_get_nine_edges_and_a_tenth_of_the_sample_per_bin() -> None:
    h = histogram(np.random.default_rng(1).normal(150, 20, 10_000))
    assert len(h.edges) == 9 and (np.diff(h.edges) > 0).all()
    assert h.proportions.tolist() == pytest.approx([0.1] * 10)


def test_a_constant_sample_has_one_edge_and_all_of_it_in_the_first_bin() -> None:
    h = histogram(np.full(30, 13.9))
    assert h.edges.tolist() == [13.9]
    assert h.proportions.tolist() == [1.0, 0.0]


def test_a_value_on_an_edge_belongs_to_the_bin_below_it() -> None:
    """Bin of v = number of edges e with e < v: bin 0 is (-inf, 0], bin 1 (0, 10], ..."""
    edges = np.array([0.0, 10.0, 20.0])
    values = np.array([-1.0, 0.0, 1e-9, 10.0, 10.000001, 20.0, 21.0, math.inf])
    assert bin_index(values, edges).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert proportions(values[:-1], edges).tolist() == pytest.approx([2 / 7, 2 / 7, 2 / 7, 1 / 7])


def test_rejects_values_that_are_not_finite_or_missing() -> None:
    with pytest.raises(ValueError, match="finite"):
        histogram(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="at least one"):
        histogram(np.zeros(0))


def test_psi_follows_the_contract_formula_with_both_sides_floored() -> None:
    assert psi(np.array([0.5, 0.5]), np.array([0.9, 0.1])) == pytest.approx(0.4 * math.log(1.8) - 0.4 * math.log(0.2))
    assert psi(np.array([0.7, 0.3, 0.0]), np.array([0.7, 0.3, 0.0])) == 0.0
    # an empty bin on either side counts as 1e-4, so the statistic stays finite
    assert psi(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(2 * (1 - 1e-4) * math.log(1e4))


def test_psi_is_near_zero_for_the_same_distribution_and_large_for_a_shifted_one() -> None:
    rng = np.random.default_rng(7)
    baseline = histogram(rng.normal(150, 20, 20_000))
    assert psi_of(baseline, rng.normal(150, 20, 5_000)) < 0.01
    assert psi_of(baseline, rng.normal(170, 20, 5_000)) > 0.25  # shifted by one standard deviation


def test_an_asset_is_keyed_by_the_isa95_levels_among_the_series_columns_in_uns_path_order() -> None:
    series = {"cell": "cell-010", "pump_id": "7", "site": "zwickau", "enterprise": "acme"}
    assert asset_key(series) == (("enterprise", "acme"), ("site", "zwickau"), ("cell", "cell-010"))
    assert asset_key({"pump_id": "7"}) == ()
    assert asset_key({}) == ()


@pytest.mark.parametrize("value", ["", "a/b", "cell+", "#"])
def test_a_series_whose_level_cannot_be_a_uns_topic_level_is_no_asset(value: str) -> None:
    assert asset_key({"site": "zwickau", "cell": value}) == ()


def test_series_that_share_their_isa95_levels_make_one_asset() -> None:
    series = [
        {"site": "a", "pump_id": "1"},
        {"site": "b", "pump_id": "1"},
        {"site": "a", "pump_id": "2"},
        {"pump_id": "3"},
    ]
    assert assets_of(series) == {(("site", "a"),): [0, 2], (("site", "b"),): [1]}


def test_an_asset_takes_the_values_of_all_its_series_and_needs_1000_of_them() -> None:
    rng = np.random.default_rng(3)
    series = [{"cell": "a", "robot": "1"}, {"cell": "a", "robot": "2"}, {"cell": "b"}, {"cell": "c"}]
    values = {0: rng.normal(10, 1, (600, 2)), 1: rng.normal(20, 1, (400, 2)), 2: rng.normal(0, 1, (999, 2))}
    (a,) = asset_baselines(series, values)  # b has 999 samples, c none
    assert (a.key, a.members) == ((("cell", "a"),), [0, 1])
    pooled = np.concatenate([values[0], values[1]])
    for channel, h in enumerate(a.channels):
        assert h.samples == 1000 and h.edges.tolist() == histogram(pooled[:, channel]).edges.tolist()
    assert a.to_json(["x", "y"])["series"] == {"cell": "a"}


def test_of_more_assets_than_allowed_those_with_the_most_samples_stay_in_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(baseline, "MAX_ASSETS", 2)
    series = [{"cell": c} for c in "abc"]
    values = {0: np.zeros((1000, 1)), 1: np.zeros((1200, 1)), 2: np.zeros((1100, 1))}
    assert [a.key for a in asset_baselines(series, values)] == [(("cell", "b"),), (("cell", "c"),)]
