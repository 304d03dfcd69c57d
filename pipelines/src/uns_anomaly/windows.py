"""Windows over regular segments, their labels, and their storage between steps.

A window is ``length`` consecutive grid points of one segment; consecutive windows start ``stride``
points apart. Window label rule: a window is labelled with the defect class most frequent in it when
at least half of its samples carry a non-normal label, otherwise ``normal``; ``anomaly_fraction``
keeps the share of non-normal samples, so training can drop every window that has any.

Settling: a process does not return to normal the instant a labelled episode ends (a gas flow
recovers with a lag, a temperature cools down). Normal-labelled samples up to ``settle`` samples
after a non-normal one are *settling*; a window containing any is ``settling`` and is used neither
for training and validation nor, when it is labelled normal, for the test metrics.
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
    labels: np.ndarray  # str [n]
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
) -> WindowSet:
    """Cuts windows at ``starts`` from ``normalized`` [samples, channels] and labels them."""
    view = np.lib.stride_tricks.sliding_window_view(normalized, length, axis=0)  # [n, C, length]
    windows = np.ascontiguousarray(view[starts], dtype=np.float32)
    count = len(starts)
    window_labels = np.full(count, normal_label, dtype=object)
    fraction = np.zeros(count, dtype=np.float32)
    settling = np.zeros(count, dtype=bool)
    if labels is not None and count:
        classes, codes = np.unique(labels.astype(str), return_inverse=True)
        abnormal = np.flatnonzero(classes != normal_label)
        if abnormal.size:
            counts = np.empty((count, abnormal.size), dtype=np.int64)
            for j, k in enumerate(abnormal):
                cumulative = np.concatenate([[0], np.cumsum(codes == k)])
                counts[:, j] = cumulative[starts + length] - cumulative[starts]
            fraction = (counts.sum(axis=1) / length).astype(np.float32)
            majority = classes[abnormal][counts.argmax(axis=1)]
            window_labels = np.where(fraction >= ANOMALY_LABEL_SHARE, majority, normal_label)
            settling = _settling_windows(codes, abnormal, settle, starts, length)
    return WindowSet(
        windows=windows,
        series=np.full(count, series, dtype=np.int32),
        start_ns=start_ns.astype(np.int64),
        labels=window_labels.astype(str),
        anomaly_fraction=fraction,
        settling=settling,
    )


def _settling_windows(
    codes: np.ndarray, abnormal_codes: np.ndarray, settle: int, starts: np.ndarray, length: int
) -> np.ndarray:
    """Windows holding a normal sample at most ``settle`` samples after a non-normal one."""
    if settle <= 0:
        return np.zeros(len(starts), dtype=bool)
    abnormal = np.isin(codes, abnormal_codes)
    index = np.arange(len(codes))
    last = np.maximum.accumulate(np.where(abnormal, index, -1))
    points = ~abnormal & (last >= 0) & (index - last <= settle)
    cumulative = np.concatenate([[0], np.cumsum(points)])
    return (cumulative[starts + length] - cumulative[starts]) > 0

