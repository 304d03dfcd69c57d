"""Regular grid: sample rate inference, forward fill of short gaps, cuts at long ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from uns_anomaly.dataset_io import ReadOptions, read_samples
from uns_anomaly.errors import InputError
from uns_anomaly.regularize import build_grid


def _grid(tmp_path: Path, frame: pd.DataFrame, **kwargs: object):
    path = tmp_path / "x.csv"
    frame.to_csv(path, index=False)
    table = read_samples(path, ReadOptions(channels=tuple(c for c in frame.columns if c != "t"), time_column="t"))
    return build_grid(table, **kwargs)  # type: ignore[arg-type]


def test_infers_the_sample_rate_from_the_median_interval_despite_jitter(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    t = np.arange(500) * 0.01 + rng.uniform(-0.002, 0.002, 500)
    grid = _grid(tmp_path, pd.DataFrame({"t": t, "x": np.sin(t)}))
    assert grid.sample_rate_hz == pytest.approx(100, rel=0.02)
    assert len(grid.segments) == 1
    assert len(grid.segments[0].values) == pytest.approx(500, rel=0.01)


def test_forward_fills_a_short_gap_of_one_channel(tmp_path: Path) -> None:
    x = np.arange(20.0)
    x[5:8] = np.nan
    grid = _grid(tmp_path, pd.DataFrame({"t": np.arange(20.0), "x": x, "y": np.ones(20)}), max_gap_samples=3)
    (segment,) = grid.segments
    assert segment.values[5:8, 0].tolist() == [4.0, 4.0, 4.0]


def test_cuts_the_series_at_a_gap_longer_than_the_limit(tmp_path: Path) -> None:
    t = np.concatenate([np.arange(10.0), np.arange(30.0, 40.0)])
    grid = _grid(tmp_path, pd.DataFrame({"t": t, "x": t}), max_gap_samples=5)
    assert [len(s.values) for s in grid.segments] == [10, 10]
    assert [s.start_ns for s in grid.segments] == [0, 30_000_000_000]


def test_a_channel_missing_longer_than_the_limit_cuts_the_grid(tmp_path: Path) -> None:
    x = np.arange(30.0)
    x[10:20] = np.nan
    grid = _grid(tmp_path, pd.DataFrame({"t": np.arange(30.0), "x": x, "y": np.ones(30)}), max_gap_samples=2)
    assert [len(s.values) for s in grid.segments] == [12, 10]


def test_resamples_to_a_given_rate_with_the_latest_sample(tmp_path: Path) -> None:
    grid = _grid(tmp_path, pd.DataFrame({"t": np.arange(10.0), "x": np.arange(10.0)}), sample_rate_hz=2.0)
    (segment,) = grid.segments
    assert segment.values[:5, 0].tolist() == [0.0, 0.0, 1.0, 1.0, 2.0]


def test_rejects_series_that_repeat_timestamps(tmp_path: Path) -> None:
    frame = pd.DataFrame({"t": np.repeat(np.arange(50.0), 2), "x": np.arange(100.0)})
    with pytest.raises(InputError, match="give --series-columns"):
        _grid(tmp_path, frame)
