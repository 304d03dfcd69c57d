"""Regular sampling: puts every series on a regular time grid, filling short gaps.

Rule (the edge runtime does the same, see ``missingValues`` in the manifest): each grid point takes,
for every channel, the latest non-missing sample at or before it, if that sample is at most
``max_gap_samples`` sample periods old (forward fill). Where a channel has no such sample, or the
series has no samples for longer than that, the grid is cut: windows never span a cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from .dataset_io import SampleTable
from .errors import InputError

#: Share of duplicate (series, channel, time) samples above which the series are clearly mixed up.
MAX_DUPLICATE_SHARE = 0.01


@dataclass(frozen=True)
class Segment:
    """A gap-free stretch of one series on the regular grid: ``time(i) = start_ns + i * period``."""

    series: int
    start_ns: int
    values: np.ndarray  # float64 [samples, channels], raw units
    labels: np.ndarray | None  # object [samples]: label of each grid point


@dataclass(frozen=True)
class Grid:
    """Every series of a :class:`SampleTable` on one regular grid."""

    period_ns: int
    max_gap_samples: int
    segments: list[Segment]

    @property
    def sample_rate_hz(self) -> float:
        return 1e9 / self.period_ns

    def times(self, segment: Segment) -> np.ndarray:
        return segment.start_ns + np.arange(len(segment.values), dtype=np.int64) * self.period_ns


def _sorted_order(table: SampleTable) -> np.ndarray:
    return np.lexsort((table.time_ns, table.channel, table.series))


def infer_period_ns(table: SampleTable, order: np.ndarray | None = None) -> int:
    """The median interval between consecutive samples of one channel of one series."""
    order = _sorted_order(table) if order is None else order
    time = table.time_ns[order]
    group = table.series[order].astype(np.int64) * (len(table.channels) + 1) + table.channel[order]
    same = group[1:] == group[:-1]
    diffs = np.diff(time)[same]
    diffs = diffs[diffs > 0]
    if diffs.size == 0:
        raise InputError("cannot infer the sample rate: no series has two samples at different times")
    return int(np.median(diffs))


def build_grid(
    table: SampleTable, sample_rate_hz: float | None = None, max_gap_samples: int = 5
) -> Grid:
    """Puts every series of ``table`` on a regular grid (see the module docstring for the rule)."""
    if max_gap_samples < 0:
        raise InputError(f"max gap must be >= 0 samples, got {max_gap_samples}")
    order = _sorted_order(table)
    if sample_rate_hz is None:
        period_ns = infer_period_ns(table, order)
    elif sample_rate_hz <= 0:
        raise InputError(f"sample rate must be > 0 Hz, got {sample_rate_hz}")
    else:
        period_ns = int(round(1e9 / sample_rate_hz))
    series = table.series[order]
    channel = table.channel[order]
    time = table.time_ns[order]
    value = table.value[order]
    same_point = (series[1:] == series[:-1]) & (channel[1:] == channel[:-1]) & (time[1:] == time[:-1])
    if same_point.sum() > MAX_DUPLICATE_SHARE * len(time):
        raise InputError(
            f"{int(same_point.sum())} samples repeat the time of another sample of the same channel: "
            "give --series-columns that tell the series apart"
        )
    present = ~np.isnan(value)
    series, channel, time, value = series[present], channel[present], time[present], value[present]
    bounds = _group_bounds(series.astype(np.int64) * len(table.channels) + channel)
    per_key = {
        (int(series[start]), int(channel[start])): (time[start:end], value[start:end])
        for start, end in bounds
    }
    labels = _labels_by_series(table)
    segments: list[Segment] = []
    for s in range(len(table.series_keys)):
        channels = [per_key.get((s, c)) for c in range(len(table.channels))]
        if any(c is None for c in channels):
            continue  # a series without one of the channels cannot be windowed
        segments += _series_segments(
            s, [c for c in channels if c is not None], labels.get(s), period_ns, max_gap_samples
        )
    return Grid(period_ns=period_ns, max_gap_samples=max_gap_samples, segments=segments)


def _group_bounds(keys: np.ndarray) -> list[tuple[int, int]]:
    if keys.size == 0:
        return []
    cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [keys.size]])
    return list(zip(starts.tolist(), ends.tolist()))


def _labels_by_series(table: SampleTable) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per series: label times and labels, one per time; a non-normal label wins a tie."""
    if table.labels is None:
        return {}
    frame = table.labels
    normal = frame["label"].to_numpy() == table.normal_label
    frame = frame.assign(_normal=normal).sort_values(["series", "time_ns", "_normal"], kind="stable")
    frame = frame.drop_duplicates(["series", "time_ns"], keep="first")
    result: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for s, group in frame.groupby("series", sort=False):
        result[int(s)] = (group["time_ns"].to_numpy(), group["label"].to_numpy(dtype=object))
    return result


def _series_segments(
    series: int,
    channels: list[tuple[np.ndarray, np.ndarray]],
    labels: tuple[np.ndarray, np.ndarray] | None,
    period_ns: int,
    max_gap_samples: int,
) -> list[Segment]:
    tolerance = period_ns // 2
    max_age = max_gap_samples * period_ns + tolerance
    union = np.unique(np.concatenate([t for t, _ in channels]))
    breaks = np.flatnonzero(np.diff(union) > (max_gap_samples + 1) * period_ns + tolerance) + 1
    segments: list[Segment] = []
    for piece in np.split(union, breaks):
        count = int((piece[-1] - piece[0]) // period_ns) + 1
        grid = piece[0] + np.arange(count, dtype=np.int64) * period_ns
        values = np.empty((count, len(channels)), dtype=np.float64)
        for c, (t, v) in enumerate(channels):
            index = np.searchsorted(t, grid, side="right") - 1
            fresh = (index >= 0) & (grid - t[np.maximum(index, 0)] <= max_age)
            values[:, c] = np.where(fresh, v[np.maximum(index, 0)], np.nan)
        grid_labels = None
        if labels is not None:
            label_times, label_values = labels
            index = np.searchsorted(label_times, grid, side="right") - 1
            grid_labels = label_values[np.maximum(index, 0)]
        complete = ~np.isnan(values).any(axis=1)
        for start, end in _runs(complete):
            segments.append(
                Segment(
                    series=series,
                    start_ns=int(grid[start]),
                    values=values[start:end],
                    labels=None if grid_labels is None else grid_labels[start:end],
                )
            )
    return segments


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of every run of True in ``mask``."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))
