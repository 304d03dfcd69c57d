"""Preprocess step on simulator data: time split, normalization, normal-only training windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import WELDING, read_json

from uns_anomaly.dataset_io import ReadOptions, read_samples
from uns_anomaly.preprocess import PreprocessOptions, preprocess
from uns_anomaly.errors import InputError
from uns_anomaly.regularize import build_grid
from uns_anomaly.windows import WindowSet

READ = ReadOptions(channels=WELDING, label_column="label")


@pytest.fixture(scope="module")
def prepared(welding_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prepared")
    preprocess(welding_data, out, READ, PreprocessOptions())
    return out


def test_writes_windows_for_each_split_and_metadata_in_train(prepared: Path) -> None:
    for split in ("train", "validation", "test"):
        windows = WindowSet.load(prepared / split)
        assert windows.windows.dtype == np.float32
        assert windows.windows.shape[1:] == (4, 128)
    metadata = read_json(prepared / "train" / "metadata.json")
    assert [c["name"] for c in metadata["channels"]] == list(WELDING)  # type: ignore[index]
    assert metadata["window"] == {"length": 128, "stride": 64}
    assert metadata["sampleRateHz"] == 1000
    assert metadata["read"]["label_column"] == "label"  # type: ignore[index]


def test_splits_by_time_without_overlap(prepared: Path) -> None:
    train, validation, test = (WindowSet.load(prepared / s) for s in ("train", "validation", "test"))
    window_ns = 128 * 1_000_000
    assert (train.start_ns + window_ns).max() <= validation.start_ns.min()
    assert (validation.start_ns + window_ns).max() <= test.start_ns.min()
    splits = read_json(prepared / "train" / "metadata.json")["splits"]
    assert splits["train"]["end"] == splits["validation"]["start"]  # type: ignore[index]


def test_train_and_validation_hold_only_fully_normal_windows_and_test_keeps_defects(prepared: Path) -> None:
    for split in ("train", "validation"):
        windows = WindowSet.load(prepared / split)
        assert (windows.anomaly_fraction == 0).all() and set(windows.labels) == {"normal"}
    test = WindowSet.load(prepared / "test")
    assert set(test.labels) - {"normal"}, "the fixture puts defects into the test period"
    assert (test.anomaly_fraction[test.labels != "normal"] >= 0.5).all()


def test_normalization_is_fitted_on_the_normal_training_samples_only(prepared: Path, welding_data: Path) -> None:
    metadata = read_json(prepared / "train" / "metadata.json")
    grid = build_grid(read_samples(welding_data, READ))
    end = np.datetime64(metadata["trainingData"]["end"].rstrip("Z"), "ns").astype(np.int64)  # type: ignore[index]
    values = np.concatenate(
        [s.values[(grid.times(s) < end) & (s.labels == "normal")] for s in grid.segments]  # type: ignore[operator]
    )
    for channel, mean, std in zip(metadata["channels"], values.mean(axis=0), values.std(axis=0)):  # type: ignore[arg-type]
        assert channel["normalization"]["mean"] == pytest.approx(mean)
        assert channel["normalization"]["std"] == pytest.approx(std)
    train = WindowSet.load(prepared / "train")
    assert abs(float(train.windows.mean())) < 0.2


def test_windows_never_span_two_series(prepared: Path) -> None:
    test = WindowSet.load(prepared / "test")
    for series in np.unique(test.series):
        starts = np.sort(test.start_ns[test.series == series])
        assert (np.diff(starts) % (64 * 1_000_000) == 0).all()
    assert len(np.unique(test.series)) == 2


def test_rejects_a_window_longer_than_the_data(welding_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="fewer than one window of 50000"):
        preprocess(welding_data, tmp_path, READ, PreprocessOptions(window=50_000, stride=100))


def test_rejects_fractions_that_leave_nothing_to_validate(welding_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="must be <= 1"):
        preprocess(welding_data, tmp_path, READ, PreprocessOptions(train_fraction=0.9, validation_fraction=0.2))
