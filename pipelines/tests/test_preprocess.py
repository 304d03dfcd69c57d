"""Preprocess step on simulator data: time split, normalization, normal-only training windows."""

from __future__ import annotations

from pathlib import Path

import argparse

import numpy as np
import pandas as pd
import pytest
from conftest import CELLS, LINE, UNINSPECTED_SECONDS, WELDING, make_cells_frame, make_pump_frame, read_json

from uns_anomaly.baseline import MIN_ASSET_SAMPLES, Histogram, histogram, psi_of
from uns_anomaly.dataset_io import ReadOptions, read_samples
from uns_anomaly.preprocess import (
    MAX_TRAINING_WINDOWS,
    MIN_TRAINING_WINDOWS,
    PreprocessOptions,
    add_read_arguments,
    choose_training_stride,
    preprocess,
    read_options_from,
    trimmed_moments,
    window_count,
)
from uns_anomaly.errors import InputError
from uns_anomaly.regularize import build_grid
from uns_anomaly.windows import WindowSet

READ = ReadOptions(channels=WELDING, label_column="label")

PUMP = ReadOptions(
    channels=("flow_rate", "discharge_pressure", "motor_current", "vibration_rms"),
    time_column="timestamp",
    label_column="state",
    normal_label="ok",
)


def first_rows(folder: Path, rows: int) -> Path:
    """The pump log's first ``rows`` rows (normal operation) as a CSV file."""
    path = folder / "pump.csv"
    make_pump_frame().head(rows).assign(state="ok").to_csv(path, index=False)
    return path


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


def normal_training_values(data: Path, metadata: dict[str, object]) -> np.ndarray:
    """The raw grid values of the normal samples of the training period, computed here anew."""
    grid = build_grid(read_samples(data, READ))
    end = np.datetime64(metadata["trainingData"]["end"].rstrip("Z"), "ns").astype(np.int64)  # type: ignore[index]
    return np.concatenate(
        [s.values[(grid.times(s) < end) & (s.labels == "normal")] for s in grid.segments]  # type: ignore[operator]
    )


def test_normalization_is_fitted_on_the_normal_training_samples_only(prepared: Path, welding_data: Path) -> None:
    metadata = read_json(prepared / "train" / "metadata.json")
    values = normal_training_values(welding_data, metadata)
    for channel, mean, std in zip(metadata["channels"], *trimmed_moments(values)):  # type: ignore[arg-type]
        assert channel["normalization"]["mean"] == pytest.approx(mean)
        assert channel["normalization"]["std"] == pytest.approx(std)
    train = WindowSet.load(prepared / "train")
    assert abs(float(train.windows.mean())) < 0.2


def test_a_few_glitches_in_the_normal_period_do_not_set_the_scale() -> None:
    rng = np.random.default_rng(7)
    clean = rng.normal(5.0, 2.0, size=(20_000, 1))
    glitched = clean.copy()
    glitched[rng.choice(len(glitched), size=10, replace=False)] = 1e6
    mean, std = trimmed_moments(glitched)
    assert mean[0] == pytest.approx(5.0, abs=0.05)
    assert std[0] == pytest.approx(2.0, rel=0.02)
    assert float(glitched.std()) > 10_000  # what a plain z-score would have divided every fault by


def test_below_a_thousand_samples_nothing_is_trimmed() -> None:
    values = np.random.default_rng(3).normal(size=(999, 2))
    mean, std = trimmed_moments(values)
    assert mean == pytest.approx(values.mean(axis=0))
    assert std == pytest.approx(values.std(axis=0))


def test_a_constant_channel_is_only_centred_and_a_nearly_constant_one_keeps_its_rare_values_scale() -> None:
    values = np.zeros((5_000, 2))
    values[:, 0] = 3.0
    values[:3, 1] = 1.0  # a valve open for 3 samples of 5,000: every trimmed sample is 0
    mean, std = trimmed_moments(values)
    assert (mean[0], std[0]) == (3.0, 1.0)
    assert std[1] == pytest.approx(values[:, 1].std())


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


def test_the_drift_baseline_holds_histograms_of_the_raw_normal_training_values(prepared: Path, welding_data: Path) -> None:
    metadata = read_json(prepared / "train" / "metadata.json")
    values = normal_training_values(welding_data, metadata)
    baseline = metadata["baseline"]
    assert baseline["method"] == "histogram"  # type: ignore[index]
    assert [c["name"] for c in baseline["channels"]] == list(WELDING)  # type: ignore[index]
    for i, channel in enumerate(baseline["channels"]):  # type: ignore[index]
        expected = histogram(values[:, i])
        assert channel["edges"] == expected.edges.tolist() and channel["proportions"] == expected.proportions.tolist()
        assert (channel["samples"], channel["source"]) == (len(values), "training")
    wire = baseline["channels"][WELDING.index("wire_feed_speed")]  # type: ignore[index]
    assert wire["edges"][0] == 0 and wire["proportions"][0] > 0.2, "the wire stands still between seams"
    for period in ("validation", "test"):
        assert set(metadata["drift"]["channels"][period]) == set(WELDING)  # type: ignore[index]
        assert all(v >= 0 for v in metadata["drift"]["channels"][period].values())  # type: ignore[index]


def histogram_of(entry: dict[str, object]) -> Histogram:
    """A baseline histogram back from its manifest form."""
    return Histogram(np.array(entry["edges"]), np.array(entry["proportions"]), int(entry["samples"]))  # type: ignore[call-overload]


def cell_values(metadata: dict[str, object], period: str) -> dict[str, np.ndarray]:
    """Raw [samples, channels] of each cell of ``make_cells_frame`` in a split's time range."""
    frame = make_cells_frame()
    split = metadata["splits"][period]  # type: ignore[index]
    times = frame["sample_time"]
    inside = (times >= pd.Timestamp(split["start"])) & (times < pd.Timestamp(split["end"]))
    return {
        cell: group[["arc_current", "arc_voltage"]].to_numpy()
        for cell, group in frame[inside].groupby("cell")
    }


def test_each_asset_gets_histograms_of_the_raw_training_values_of_its_own_series(cells_prepared: Path) -> None:
    metadata = read_json(cells_prepared / "train" / "metadata.json")
    assets = metadata["baseline"]["assets"]  # type: ignore[index]
    assert [a["series"] for a in assets] == [{**LINE, "cell": c} for c in ("cell-010", "cell-020", "cell-030")]
    training = cell_values(metadata, "train")
    for asset in assets:
        values = training[asset["series"]["cell"]]
        assert [c["name"] for c in asset["channels"]] == ["arc_current", "arc_voltage"]
        for i, channel in enumerate(asset["channels"]):
            expected = histogram(values[:, i])
            assert channel["edges"] == expected.edges.tolist() and channel["proportions"] == expected.proportions.tolist()
            assert (channel["samples"], channel["source"]) == (len(values), "training")
    for asset in assets:
        set_point = CELLS[asset["series"]["cell"]][0]
        own = asset["channels"][0]["edges"]
        assert set_point - 8 < own[0] and own[-1] < set_point + 8, "a cell's deciles lie around its set point"
    pooled = metadata["baseline"]["channels"][0]["edges"]  # type: ignore[index]
    assert pooled[0] < CELLS["cell-010"][0] < CELLS["cell-030"][0] < pooled[-1], "the pooled ones span every cell"


def test_a_series_with_fewer_than_1000_training_samples_gets_no_entry(cells_prepared: Path) -> None:
    metadata = read_json(cells_prepared / "train" / "metadata.json")
    assert len(cell_values(metadata, "train")["cell-040"]) < MIN_ASSET_SAMPLES
    assert "cell-040" not in [a["series"]["cell"] for a in metadata["baseline"]["assets"]]  # type: ignore[index]


def test_each_cell_is_stable_against_its_own_baseline_but_drifted_against_the_pooled_one(cells_prepared: Path) -> None:
    """Nothing drifts in the data; only the pooled baseline, a mix of set points, says otherwise."""
    metadata = read_json(cells_prepared / "train" / "metadata.json")
    drift = {d["series"]["cell"]: d["channels"] for d in metadata["drift"]["assets"]}  # type: ignore[index]
    assert [d["series"] for d in metadata["drift"]["assets"]] == [a["series"] for a in metadata["baseline"]["assets"]]  # type: ignore[index]
    assert all(v < 0.1 for cell in drift.values() for period in cell.values() for v in period.values() if v is not None)
    assert drift["cell-010"]["test"]["arc_current"] is not None
    assert set(drift["cell-030"]["test"].values()) == {None}, "cell-030 stopped before the test period"
    pooled = histogram_of(metadata["baseline"]["channels"][0])  # type: ignore[index]
    against_pooled = {d["series"]["cell"]: d["channels_against_pooled"] for d in metadata["drift"]["assets"]}  # type: ignore[index]
    for cell in ("cell-010", "cell-020"):
        expected = psi_of(pooled, cell_values(metadata, "test")[cell][:, 0])
        assert against_pooled[cell]["test"]["arc_current"] == pytest.approx(expected) and expected > 0.25
    assert metadata["drift"]["channels"]["test"]["arc_current"] > 0.25  # type: ignore[index]


def test_reads_labelled_telemetry_ignoring_seam_id_and_taking_site_from_the_folder(
    inspected_data: Path, welding_data: Path
) -> None:
    inspected, original = read_samples(inspected_data, READ), read_samples(welding_data, READ)
    assert inspected.series_keys == original.series_keys and inspected.series_columns == original.series_columns
    assert "site" in inspected.series_columns
    for name in ("series", "channel", "time_ns", "value"):
        np.testing.assert_array_equal(getattr(inspected, name), getattr(original, name))
    assert set(inspected.labels["label"]) - set(original.labels["label"]) == {"uninspected"}  # type: ignore[index]


def overlaps(windows: WindowSet, start_ns: int, low: float, high: float) -> np.ndarray:
    """Windows (of 128 samples at 1 kHz) sharing a sample with [low, high) seconds after start_ns."""
    first, last = windows.start_ns - start_ns, windows.start_ns - start_ns + 127_000_000
    return (last >= low * 1e9) & (first < high * 1e9)


def test_windows_with_uninspected_samples_are_neither_trained_nor_validated_on(inspected_prepared: Path) -> None:
    metadata = read_json(inspected_prepared / "train" / "metadata.json")
    assert metadata["labels"]["unknown"] == "uninspected"  # type: ignore[index]
    assert "uninspected" not in metadata["labels"]["classes"]  # type: ignore[index]
    start = np.datetime64(metadata["trainingData"]["start"].rstrip("Z"), "ns").astype(np.int64)  # type: ignore[index]
    (in_training, in_test) = UNINSPECTED_SECONDS
    for split in ("train", "validation"):
        windows = WindowSet.load(inspected_prepared / split)
        assert set(windows.labels) == {"normal"}
        assert not overlaps(windows, start, *in_training).any()
    test = WindowSet.load(inspected_prepared / "test")
    unknown = overlaps(test, start, *in_test)
    assert unknown.any() and (test.labels[unknown] == "uninspected").all()
    assert "uninspected" not in set(test.labels[~unknown])


def test_an_empty_unknown_label_makes_it_a_label_like_any_other(inspected_data: Path, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_read_arguments(parser)
    assert read_options_from(parser.parse_args(["--channels", "a"])).unknown_label == "uninspected"
    read = read_options_from(parser.parse_args(["--channels", ",".join(WELDING), "--label-column", "label",
                                                "--unknown-label", ""]))
    assert read.unknown_label is None
    metadata = preprocess(inspected_data, tmp_path, read, PreprocessOptions())
    assert "uninspected" in metadata["labels"]["classes"]  # type: ignore[index]


def test_rejects_an_unknown_label_equal_to_the_normal_one(welding_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown label must differ"):
        preprocess(welding_data, tmp_path, ReadOptions(WELDING, label_column="label", unknown_label="normal"),
                   PreprocessOptions())


@pytest.mark.parametrize(
    ("lengths", "window", "stride", "chosen"),
    [
        ([100_000], 128, 64, 64),  # 1,561 windows at the scoring stride: kept
        ([10_000], 128, 64, 38),  # 155 at 64: the longest stride giving 256 or more
        ([240], 60, 30, 1),  # 7 at 30, 181 even at 1: windows overlap in all but one sample
        ([5_000_000], 128, 64, 100),  # 78,123 at 64: the shortest stride giving at most 50,000
        ([100_000_000], 128, 64, 128),  # too many even one window apart: never a sample left out
    ],
)
def test_the_training_stride_follows_the_amount_of_data(
    lengths: list[int], window: int, stride: int, chosen: int
) -> None:
    assert choose_training_stride(lengths, window, stride) == chosen
    count = window_count(lengths, window, chosen)
    if 1 < chosen < stride:
        assert count >= MIN_TRAINING_WINDOWS > window_count(lengths, window, chosen + 1)
    if stride < chosen < window:
        assert count <= MAX_TRAINING_WINDOWS < window_count(lengths, window, chosen - 1)


def test_few_rows_give_overlapping_training_windows_and_test_windows_at_the_scoring_stride(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A new line's first 400 rows, a window of 60: at the scoring stride (30) the training
    # period (240 rows) would hold 7 windows and validation 2.
    metadata = preprocess(first_rows(tmp_path, 400), tmp_path / "out", PUMP, PreprocessOptions(window=60, stride=30))
    splits = metadata["splits"]
    assert (splits["train"]["stride"], splits["validation"]["stride"], splits["test"]["stride"]) == (1, 1, 30)  # type: ignore[index]
    assert len(WindowSet.load(tmp_path / "out" / "train")) > 7 * 20
    assert metadata["window"] == {"length": 60, "stride": 30}
    out = capsys.readouterr().out
    assert "training stride 1 (chosen from the data): 181 training windows" in out
    assert f"warning: only 181 training windows (of 60 samples in 240 training time steps); {MIN_TRAINING_WINDOWS}" in out


def test_a_given_training_stride_is_kept(tmp_path: Path) -> None:
    options = PreprocessOptions(window=60, stride=30, train_stride=10)
    metadata = preprocess(first_rows(tmp_path, 400), tmp_path / "out", PUMP, options)
    assert metadata["splits"]["train"]["stride"] == 10  # type: ignore[index]
    with pytest.raises(InputError, match="training stride must be >= 1"):
        PreprocessOptions(train_stride=0).check()
