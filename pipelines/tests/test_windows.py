"""Windows: where they start and how they are labelled."""

from __future__ import annotations

import numpy as np

from uns_anomaly.windows import make_windows, window_starts


def test_window_starts_step_by_the_stride_and_can_cover_the_end() -> None:
    assert window_starts(10, 4, 3).tolist() == [0, 3, 6]
    assert window_starts(10, 4, 3, cover_end=True).tolist() == [0, 3, 6]
    assert window_starts(11, 4, 3, cover_end=True).tolist() == [0, 3, 6, 7]
    assert window_starts(3, 4, 1).size == 0


def test_a_window_takes_the_majority_defect_label_from_half_of_its_samples() -> None:
    labels = np.array(["normal"] * 4 + ["gas_loss"] * 3 + ["burn_through"] * 5 + ["normal"] * 4, dtype=object)
    values = np.arange(16, dtype=np.float32).reshape(16, 1)
    windows = make_windows(values, labels, "normal", np.array([0, 4, 8, 12]), 4, 7, np.arange(4) * 10)
    assert windows.labels.tolist() == ["normal", "gas_loss", "burn_through", "normal"]
    assert windows.anomaly_fraction.tolist() == [0.0, 1.0, 1.0, 0.0]
    assert windows.windows.shape == (4, 1, 4)
    assert windows.windows[1, 0].tolist() == [4, 5, 6, 7]
    assert windows.series.tolist() == [7, 7, 7, 7]
    shifted = make_windows(values, labels, "normal", np.array([2, 10]), 4, 0, np.zeros(2))
    assert shifted.labels.tolist() == ["gas_loss", "burn_through"]  # half of the samples suffice
    assert shifted.anomaly_fraction.tolist() == [0.5, 0.5]
    assert make_windows(values, labels, "normal", np.array([11]), 4, 0, np.zeros(1)).labels.tolist() == ["normal"]


def test_a_window_holding_an_unknown_label_takes_it_whatever_else_it_holds() -> None:
    labels = np.array(["normal"] * 4 + ["uninspected"] * 2 + ["gas_loss"] * 6 + ["normal"] * 4, dtype=object)
    values = np.zeros((16, 1), dtype=np.float32)
    starts = np.array([0, 2, 6, 8, 12])
    windows = make_windows(values, labels, "normal", starts, 4, 0, np.zeros(5), unknown_label="uninspected")
    assert windows.labels.tolist() == ["normal", "uninspected", "gas_loss", "gas_loss", "normal"]
    # unknown samples are not normal: training drops their windows like those with defects
    assert windows.anomaly_fraction.tolist() == [0.0, 0.5, 1.0, 1.0, 0.0]
    # half uninspected, half gas_loss: without an unknown label 'uninspected' is one more defect class
    # (the tie goes to the first class by name); with it the window is unknown
    tie = np.array([4])
    assert make_windows(values, labels, "normal", tie, 4, 0, np.zeros(1)).labels.tolist() == ["gas_loss"]
    assert make_windows(
        values, labels, "normal", tie, 4, 0, np.zeros(1), unknown_label="uninspected"
    ).labels.tolist() == ["uninspected"]


def test_normal_samples_right_after_a_defect_or_an_unknown_label_are_settling() -> None:
    labels = np.array(["uninspected"] * 2 + ["normal"] * 8 + ["gas_loss"] * 2 + ["normal"] * 8, dtype=object)
    values = np.zeros((20, 1), dtype=np.float32)
    starts = np.array([2, 6, 12, 16])
    windows = make_windows(values, labels, "normal", starts, 4, 0, np.zeros(4), settle=3, unknown_label="uninspected")
    assert windows.settling.tolist() == [True, False, True, False]
    assert windows.labels.tolist() == ["normal"] * 4
