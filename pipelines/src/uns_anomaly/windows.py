"""Windows over regular segments, their labels, and their storage between steps.

A window is ``length`` consecutive grid points of one segment; consecutive windows start ``stride``
points apart. Window label rule: a window is labelled with the defect class most frequent in it when
at least half of its samples carry a defect label, otherwise ``normal``; ``anomaly_fraction``
keeps the share of samples not labelled normal, so training can drop every window that has any.

Unknown label: samples may carry a label that says "not known" (``uninspected`` in the Lakehouse's
``labelled_telemetry``: a seam without an inspection result yet). Such a sample is neither normal
nor a defect; a window holding any takes the unknown label itself, whatever else it holds, and is
used neither for training and validation nor for the test metrics.

Settling: a process does not return to normal the instant a labelled episode ends (a gas flow
recovers with a lag, a temperature cools down). Normal-labelled samples up to ``settle`` samples
after a sample not labelled normal (a defect, or an unknown label that may hide one) are
*settling*; a window containing any is ``settling`` and is used neither for training and
validation nor, when it is labelled normal, for the test metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Share of non-normal samples from which a window takes a defect label (majority rule).
ANOMALY_LABEL_SHARE = 0.5

WINDOWS_FILE = "windows.npz"


@dataclass(frozen=True)
class WindowSet:
    """Windows of normalized values with where they came from and their labels."""

    windows: np.ndarray  # float32 [n, channels, length]
    series: np.ndarray  # int32 [n]
    start_ns: np.ndarray  # int64 [n]
    labels: np.ndarray  # str [n]: normal, a defect class, or the unknown label
    anomaly_fraction: np.ndarray  # float32 [n]
    settling: np.ndarray  # bool [n]

    def __len__(self) -> int:
        return int(self.windows.shape[0])

    def select(self, mask: np.ndarray) -> WindowSet:
        return WindowSet(
            windows=self.windows[mask],
            series=self.series[mask],
            start_ns=self.start_ns[mask],
            labels=self.labels[mask],
            anomaly_fraction=self.anomaly_fraction[mask],
            settling=self.settling[mask],
        )

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / WINDOWS_FILE
        np.savez(
            path,
            windows=self.windows,
            series=self.series,
            start_ns=self.start_ns,
            labels=self.labels.astype(str),
            anomaly_fraction=self.anomaly_fraction,
            settling=self.settling,
        )
        return path

    @staticmethod
    def load(folder: Path) -> WindowSet:
        with np.load(folder / WINDOWS_FILE, allow_pickle=False) as data:
            return WindowSet(
                windows=data["windows"],
                series=data["series"],
                start_ns=data["start_ns"],
                labels=data["labels"],
                anomaly_fraction=data["anomaly_fraction"],
                settling=data["settling"],
            )

    @staticmethod
    def concat(parts: list[WindowSet], channels: int, length: int) -> WindowSet:
        if not parts:
            return WindowSet(
                windows=np.zeros((0, channels, length), dtype=np.float32),
                series=np.zeros(0, dtype=np.int32),
                start_ns=np.zeros(0, dtype=np.int64),
                labels=np.zeros(0, dtype=str),
                anomaly_fraction=np.zeros(0, dtype=np.float32),
                settling=np.zeros(0, dtype=bool),
            )
        return WindowSet(
            windows=np.concatenate([p.windows for p in parts]),
            series=np.concatenate([p.series for p in parts]),
            start_ns=np.concatenate([p.start_ns for p in parts]),
            labels=np.concatenate([p.labels.astype(object) for p in parts]).astype(str),
            anomaly_fraction=np.concatenate([p.anomaly_fraction for p in parts]),
            settling=np.concatenate([p.settling for p in parts]),
        )


def window_starts(samples: int, length: int, stride: int, cover_end: bool = False) -> np.ndarray:
    """Start indices of the windows in ``samples`` points; with ``cover_end`` the last point is
    always covered (one more window aligned to the end when the stride does not reach it)."""
    if samples < length:
        return np.zeros(0, dtype=np.int64)
    starts = np.arange(0, samples - length + 1, stride, dtype=np.int64)
    if cover_end and starts[-1] != samples - length:
        starts = np.append(starts, samples - length)
    return starts


def make_windows(
    normalized: np.ndarray,
    labels: np.ndarray | None,
    normal_label: str,
    starts: np.ndarray,
    length: int,
    series: int,
    start_ns: np.ndarray,
    settle: int = 0,
    unknown_label: str | None = None,
) -> WindowSet:
    """Cuts windows at ``starts`` from ``normalized`` [samples, channels] and labels them."""
    view = np.lib.stride_tricks.sliding_window_view(normalized, length, axis=0)  # [n, C, length]
    windows = np.ascontiguousarray(view[starts], dtype=np.float32)
    count = len(starts)
    window_labels = np.full(count, normal_label, dtype=object)
    fraction = np.zeros(count, dtype=np.float32)
    settling = np.zeros(count, dtype=bool)
    if labels is not None and count:
        text = labels.astype(str)
        not_normal = text != normal_label
        unknown = text == unknown_label if unknown_label else np.zeros(len(text), dtype=bool)
        defects = np.unique(text[not_normal & ~unknown])
        if defects.size:
            counts = np.stack([_per_window(text == d, starts, length) for d in defects], axis=1)
            majority = defects[counts.argmax(axis=1)]
            share = counts.sum(axis=1) / length
            window_labels = np.where(share >= ANOMALY_LABEL_SHARE, majority, normal_label)
        if unknown.any():
            window_labels = np.where(_per_window(unknown, starts, length) > 0, unknown_label, window_labels)
        fraction = (_per_window(not_normal, starts, length) / length).astype(np.float32)
        settling = _settling_windows(not_normal, settle, starts, length)
    return WindowSet(
        windows=windows,
        series=np.full(count, series, dtype=np.int32),
        start_ns=start_ns.astype(np.int64),
        labels=window_labels.astype(str),
        anomaly_fraction=fraction,
        settling=settling,
    )


def _per_window(points: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """How many of the ``points`` (a boolean per sample) each window holds."""
    cumulative = np.concatenate([[0], np.cumsum(points)])
    return cumulative[starts + length] - cumulative[starts]


def _settling_windows(not_normal: np.ndarray, settle: int, starts: np.ndarray, length: int) -> np.ndarray:
    """Windows holding a normal sample at most ``settle`` samples after one not labelled normal."""
    if settle <= 0:
        return np.zeros(len(starts), dtype=bool)
    index = np.arange(len(not_normal))
    last = np.maximum.accumulate(np.where(not_normal, index, -1))
    points = ~not_normal & (last >= 0) & (index - last <= settle)
    return _per_window(points, starts, length) > 0
