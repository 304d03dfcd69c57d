"""Preprocess step: raw CSV/Parquet time series → normalized windows for train, validation, test.

1. read the channels asked for (long or wide layout, any number of files, Hive-style folders);
2. put each series on a regular grid (:mod:`uns_anomaly.regularize`, short gaps forward-filled);
3. split by time: the earliest ``train_fraction`` of the grid samples (by timestamp, across all
   series) is training data, the next ``validation_fraction`` validation, the rest test;
4. fit per-channel z-score normalization on the training period's normal samples only, its mean
   and std robust to a few outliers there (:func:`trimmed_moments`), and take
   the drift baseline of each channel from the same raw values, pooled and per asset
   (:mod:`uns_anomaly.baseline`);
5. cut windows inside each (series, gap-free stretch, split); training and validation keep only
   windows without any sample not labelled normal, test keeps every window with its label
   (:mod:`uns_anomaly.windows`; windows with an unknown label are kept there for evaluate to count
   and leave out). Test windows start ``stride`` samples apart, as the edge runtime scores them;
   training and validation windows ``train_stride`` apart, by default chosen from the data
   (:func:`choose_training_stride`): overlapping windows when the training period is short, a
   longer stride when it is long.

Writes ``<out>/train``, ``<out>/validation``, ``<out>/test`` (``windows.npz`` each) and
``<out>/train/metadata.json`` with the channels, normalization, drift baseline, window, sample rate
and the reading options the later steps and the scorer need.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .baseline import METHOD as BASELINE_METHOD
from .baseline import AssetBaseline, Histogram, asset_baselines, channel_histograms, histogram, psi_of
from .console import guarded, say
from .dataset_io import ReadOptions, SampleTable, read_samples
from .defaults import default
from .errors import InputError
from .regularize import Grid, build_grid
from .windows import WindowSet, make_windows, window_starts

METADATA_FILE = "metadata.json"
SPLITS = ("train", "validation", "test")
#: The share of each channel's training samples left out at either end before its mean and std are
#: taken: a few glitches in the normal period (a stuck reading, a spike of 1e6) must not set the scale
#: every fault is then measured in.
TRIMMED_SHARE = 0.001
#: The automatic training stride aims at this many training windows at least (down to a stride of
#: one sample: windows then overlap in all but one sample) ...
MIN_TRAINING_WINDOWS = 256
#: ... and at most this many (up to a stride of one window: no sample left out).
MAX_TRAINING_WINDOWS = 50_000


@dataclass(frozen=True)
class PreprocessOptions:
    """Windowing and splitting options of the preprocess step."""

    window: int = default("window")
    #: Samples between the starts of the test windows, and of the windows the edge runtime scores.
    stride: int = default("stride")
    #: Samples between the starts of the training and validation windows; None: chosen from the
    #: data (:func:`choose_training_stride`).
    train_stride: int | None = None
    sample_rate_hz: float | None = None
    max_gap_samples: int = 5
    train_fraction: float = 0.6
    validation_fraction: float = 0.2
    #: Seconds after each labelled episode in which the process is still settling (see
    #: :mod:`uns_anomaly.windows`); only used with a label column.
    settle_seconds: float = 0.5

    def check(self) -> None:
        problems = []
        if self.window < 2:
            problems.append(f"window must be >= 2 samples, got {self.window}")
        if self.stride < 1:
            problems.append(f"stride must be >= 1 sample, got {self.stride}")
        if self.train_stride is not None and self.train_stride < 1:
            problems.append(f"training stride must be >= 1 sample, got {self.train_stride}")
        if not 0 < self.train_fraction < 1:
            problems.append(f"train fraction must be in (0, 1), got {self.train_fraction}")
        if not 0 < self.validation_fraction < 1:
            problems.append(f"validation fraction must be in (0, 1), got {self.validation_fraction}")
        if self.settle_seconds < 0:
            problems.append(f"settle seconds must be >= 0, got {self.settle_seconds}")
        if self.train_fraction + self.validation_fraction > 1:
            problems.append("train fraction + validation fraction must be <= 1")
        if problems:
            raise InputError("; ".join(problems))


def iso(ns: int) -> str:
    """ISO 8601 UTC with milliseconds for a nanosecond timestamp."""
    return np.datetime_as_string(np.datetime64(int(ns), "ns"), unit="ms") + "Z"


def normal_values(grid: Grid, normal_label: str, start_ns: int, end_ns: int) -> dict[int, np.ndarray]:
    """Raw values [samples, channels] of the grid samples labelled normal in [start_ns, end_ns)
    (every sample when the data has no labels), by series index, in series order."""
    parts: dict[int, list[np.ndarray]] = {}
    for segment in grid.segments:
        times = grid.times(segment)
        keep = (times >= start_ns) & (times < end_ns)
        if segment.labels is not None:
            keep &= segment.labels == normal_label
        parts.setdefault(segment.series, []).append(segment.values[keep])
    return {series: np.concatenate(p) for series, p in parts.items()}


def pooled(values: dict[int, np.ndarray]) -> np.ndarray:
    """The values of every series together, in series order."""
    return np.concatenate(list(values.values()))


def trimmed_moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std per channel of the samples [samples, channels] between the channel's
    :data:`TRIMMED_SHARE` and 1 - :data:`TRIMMED_SHARE` quantiles (nothing is left out below
    1 / TRIMMED_SHARE samples). A channel whose trimmed samples are all equal keeps the std of all of
    them; one constant throughout gets std 1: it is then only centred, never divided by ~0."""
    low = np.quantile(values, TRIMMED_SHARE, axis=0, method="lower")
    high = np.quantile(values, 1 - TRIMMED_SHARE, axis=0, method="higher")
    inside = (values >= low) & (values <= high)
    counts = inside.sum(axis=0)
    mean = np.where(inside, values, 0.0).sum(axis=0) / counts
    std = np.sqrt((np.where(inside, values - mean, 0.0) ** 2).sum(axis=0) / counts)
    tiny = 1e-9 * np.maximum(1.0, np.abs(mean))
    std = np.where(std > tiny, std, values.std(axis=0))
    return mean, np.where(std > tiny, std, 1.0)


def fit_training_period(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Histogram]]:
    """Mean and std per channel (:func:`trimmed_moments`) and the pooled drift baseline of each
    channel, from the raw values [samples, channels] of the training period's normal grid samples."""
    if not len(values):
        raise InputError("the training period has no normal samples to fit the normalization on")
    mean, std = trimmed_moments(values)
    return mean, std, [histogram(values[:, i]) for i in range(values.shape[1])]


def channel_drift(
    grid: Grid,
    read: ReadOptions,
    baselines: list[Histogram],
    assets: list[AssetBaseline],
    periods: dict[str, tuple[int, int]],
) -> dict[str, object]:
    """Evidence for the baseline: per period, the PSI of each channel's normal samples in it against
    the channel's pooled baseline (``channels``), and of each asset's against its own entry and,
    to show what the entry is for, against the pooled baseline (``assets``); None for a period
    without normal samples."""
    channels: dict[str, dict[str, float | None]] = {}
    own: list[dict[str, dict[str, float | None]]] = [{} for _ in assets]
    against_pooled: list[dict[str, dict[str, float | None]]] = [{} for _ in assets]
    for period, (start, end) in periods.items():
        values = normal_values(grid, read.normal_label, start, end)
        channels[period] = _psi_per_channel(read.channels, baselines, pooled(values))
        for i, asset in enumerate(assets):
            mine = [values[s] for s in asset.members if s in values]
            sample = np.concatenate(mine) if mine else np.zeros((0, len(read.channels)))
            own[i][period] = _psi_per_channel(read.channels, asset.channels, sample)
            against_pooled[i][period] = _psi_per_channel(read.channels, baselines, sample)
    return {
        "channels": channels,
        "assets": [
            {"series": dict(a.key), "channels": o, "channels_against_pooled": p}
            for a, o, p in zip(assets, own, against_pooled)
        ],
    }


def _psi_per_channel(
    names: Sequence[str], baselines: Sequence[Histogram], values: np.ndarray
) -> dict[str, float | None]:
    return {name: psi_of(h, values[:, i]) if len(values) else None for i, (name, h) in enumerate(zip(names, baselines))}


def series_of(table: SampleTable) -> list[dict[str, str]]:
    """Each series' values of the series columns, in series index order."""
    return [dict(zip(table.series_columns, key)) for key in table.series_keys]


def split_times(grid: Grid, options: PreprocessOptions) -> tuple[int, int]:
    """Timestamps where validation and test begin (quantiles of all grid sample times)."""
    times = np.sort(np.concatenate([grid.times(s) for s in grid.segments]))
    first = int(times[min(len(times) - 1, int(options.train_fraction * len(times)))])
    second_index = int((options.train_fraction + options.validation_fraction) * len(times))
    second = int(times[second_index]) if second_index < len(times) else int(times[-1]) + 1
    return first, second


def window_count(lengths: Sequence[int], window: int, stride: int) -> int:
    """Windows of ``window`` samples, ``stride`` apart, in stretches of these lengths."""
    return sum((n - window) // stride + 1 for n in lengths if n >= window)


def choose_training_stride(lengths: Sequence[int], window: int, stride: int) -> int:
    """The stride of the training windows in stretches of ``lengths`` samples: ``stride`` (the
    scoring stride) when it gives between :data:`MIN_TRAINING_WINDOWS` and
    :data:`MAX_TRAINING_WINDOWS` windows; else the longest shorter stride (down to 1) that gives
    at least the minimum, or the shortest longer one (up to ``window``) that stays under the
    maximum."""
    chosen = stride
    while chosen > 1 and window_count(lengths, window, chosen) < MIN_TRAINING_WINDOWS:
        chosen -= 1
    while chosen < window and window_count(lengths, window, chosen) > MAX_TRAINING_WINDOWS:
        chosen += 1
    return chosen


def training_lengths(grid: Grid, end_ns: int) -> list[int]:
    """Samples of each gap-free stretch before ``end_ns`` (the training period)."""
    return [int(np.searchsorted(grid.times(segment), end_ns)) for segment in grid.segments]


def cut_windows(
    grid: Grid,
    mean: np.ndarray,
    std: np.ndarray,
    read: ReadOptions,
    options: PreprocessOptions,
    bounds: tuple[int, int],
    train_stride: int,
) -> dict[str, WindowSet]:
    """Windows of every split; train and validation without any sample not labelled normal."""
    parts: dict[str, list[WindowSet]] = {split: [] for split in SPLITS}
    strides = {"train": train_stride, "validation": train_stride, "test": options.stride}
    settle = int(round(options.settle_seconds * grid.sample_rate_hz))
    for segment in grid.segments:
        times = grid.times(segment)
        normalized = ((segment.values - mean) / std).astype(np.float32)
        edges = [0, *np.searchsorted(times, bounds).tolist(), len(times)]
        for split, start, end in zip(SPLITS, edges[:-1], edges[1:]):
            starts = window_starts(end - start, options.window, strides[split]) + start
            if not starts.size:
                continue
            parts[split].append(
                make_windows(
                    normalized,
                    segment.labels,
                    read.normal_label,
                    starts,
                    options.window,
                    segment.series,
                    times[starts],
                    settle,
                    read.unknown_label,
                )
            )
    channels = len(mean)
    sets = {split: WindowSet.concat(p, channels, options.window) for split, p in parts.items()}
    for split in ("train", "validation"):
        sets[split] = sets[split].select((sets[split].anomaly_fraction == 0) & ~sets[split].settling)
    return sets


def preprocess(
    input_path: Path, output_dir: Path, read: ReadOptions, options: PreprocessOptions
) -> dict[str, object]:
    """Runs the step; returns the metadata it wrote to ``train/metadata.json``."""
    options.check()
    if read.label_column and read.unknown_label == read.normal_label:
        raise InputError(f"the unknown label must differ from the normal label '{read.normal_label}'")
    say(f"reading {input_path}")
    table = read_samples(input_path, read)
    say(f"read {table.rows} rows ({table.layout} layout), {len(table.series_keys)} series")
    grid = build_grid(table, options.sample_rate_hz, options.max_gap_samples)
    longest = max((len(s.values) for s in grid.segments), default=0)
    if longest < options.window:
        raise InputError(
            f"too little data: the longest gap-free stretch has {longest} samples, "
            f"fewer than one window of {options.window}"
        )
    samples = sum(len(s.values) for s in grid.segments)
    say(
        f"regular grid at {grid.sample_rate_hz:g} Hz: {samples} time steps "
        f"in {len(grid.segments)} gap-free stretches"
    )
    bounds = split_times(grid, options)
    training = normal_values(grid, read.normal_label, min(s.start_ns for s in grid.segments), bounds[0])
    fitted_on = sum(len(v) for v in training.values())
    mean, std, baselines = fit_training_period(pooled(training))
    assets = asset_baselines(series_of(table), training)
    say(f"drift baseline: pooled over {fitted_on} normal training samples, {len(assets)} asset(s) of their own")
    lengths = training_lengths(grid, bounds[0])
    train_stride = options.train_stride or choose_training_stride(lengths, options.window, options.stride)
    windows_at_stride = window_count(lengths, options.window, train_stride)
    say(
        f"training stride {train_stride} ({'given' if options.train_stride else 'chosen from the data'}): "
        f"{windows_at_stride} training windows of {options.window} samples before leaving out labelled ones"
    )
    if windows_at_stride < MIN_TRAINING_WINDOWS:
        say(
            f"warning: only {windows_at_stride} training windows (of {options.window} samples in "
            f"{sum(lengths)} training time steps); {MIN_TRAINING_WINDOWS} or more make a model "
            "that generalises: give more normal data or a shorter window"
        )
    sets = cut_windows(grid, mean, std, read, options, bounds, train_stride)
    for split in ("train", "validation"):
        if not len(sets[split]):
            raise InputError(
                f"the {split} period holds no complete window of normal data "
                f"(window {options.window} samples): give more data or a shorter window"
            )
    for split in SPLITS:
        sets[split].save(output_dir / split)
        classes = dict(zip(*np.unique(sets[split].labels, return_counts=True)))
        say(f"{split}: {len(sets[split])} windows {json.dumps({str(k): int(v) for k, v in classes.items()})}")
    periods = {"validation": bounds, "test": (bounds[1], np.iinfo(np.int64).max)}
    baseline = {
        "method": BASELINE_METHOD,
        "channels": channel_histograms(read.channels, baselines),
        "assets": [a.to_json(read.channels) for a in assets],
    }
    drift = channel_drift(grid, read, baselines, assets, periods)
    metadata = _metadata(
        table, grid, read, options, input_path, mean, std, fitted_on, baseline, drift, bounds, sets, train_stride
    )
    (output_dir / "train" / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    return metadata


def _metadata(
    table: SampleTable,
    grid: Grid,
    read: ReadOptions,
    options: PreprocessOptions,
    input_path: Path,
    mean: np.ndarray,
    std: np.ndarray,
    fitted_on: int,
    baseline: dict[str, object],
    drift: dict[str, object],
    bounds: tuple[int, int],
    sets: dict[str, WindowSet],
    train_stride: int,
) -> dict[str, object]:
    first = min(s.start_ns for s in grid.segments)
    last = max(int(grid.times(s)[-1]) for s in grid.segments)
    end = last + grid.period_ns
    ranges = {"train": (first, bounds[0]), "validation": bounds, "test": (bounds[1], end)}
    labels = None
    if read.label_column:
        seen = np.unique(np.concatenate([s.labels for s in grid.segments if s.labels is not None]))
        labels = {
            "column": read.label_column,
            "normal": read.normal_label,
            "unknown": read.unknown_label,
            "classes": [str(c) for c in seen if c not in (read.normal_label, read.unknown_label)],
        }
    return {
        "channels": [
            {
                "name": name,
                **({"unit": table.units[name]} if name in table.units else {}),
                "normalization": {"method": "zscore", "mean": float(m), "std": float(s)},
            }
            for name, m, s in zip(read.channels, mean, std)
        ],
        "window": {"length": options.window, "stride": options.stride},
        "sampleRateHz": grid.sample_rate_hz,
        "missingValues": {"policy": "forward-fill", "maxGapSamples": options.max_gap_samples},
        "trainingData": {
            "source": str(input_path),
            "start": iso(first),
            "end": iso(bounds[0]),
            "rows": fitted_on,
            "windows": len(sets["train"]),
        },
        "baseline": baseline,
        "drift": drift,
        "splits": {
            split: {
                "start": iso(start),
                "end": iso(min(stop, end)),
                "windows": len(sets[split]),
                "stride": options.stride if split == "test" else train_stride,
            }
            for split, (start, stop) in ranges.items()
        },
        "labels": labels,
        "series": series_of(table),
        "read": asdict(read),
        "layout": table.layout,
        "seriesColumns": list(table.series_columns),
        "preprocess": asdict(options),
    }


def add_read_arguments(parser: argparse.ArgumentParser, default_channels: str | None = None) -> None:
    """The options that say how to read the input (shared by preprocess and the local CLI)."""
    parser.add_argument(
        "--channels",
        required=default_channels is None,
        default=default_channels,
        help="comma-separated channel names, in model order"
        + (f" (default {default_channels})" if default_channels else ""),
    )
    parser.add_argument("--time-column", default=ReadOptions.time_column)
    parser.add_argument("--time-unit", default="s", choices=["s", "ms", "us", "ns"],
                        help="unit of a numeric time column (default s)")
    parser.add_argument("--label-column", default=None,
                        help="per-sample label column (optional; enables metrics)")
    parser.add_argument("--normal-label", default="normal")
    parser.add_argument("--unknown-label", default=ReadOptions.unknown_label,
                        help="label of samples whose class is not known yet: windows holding any are "
                        f"neither trained on nor counted in the metrics (default {ReadOptions.unknown_label}; "
                        "'' for none)")
    parser.add_argument("--series-columns", default=None,
                        help="comma-separated columns identifying independent series "
                        "(default: those of enterprise,site,area,line,cell,asset present; '' for none)")
    parser.add_argument("--channel-column", default=None,
                        help="long layout: column with the channel name (default: auto, 'channel')")
    parser.add_argument("--value-column", default=None,
                        help="long layout: column with the value (default: auto, 'value')")
    parser.add_argument("--delimiter", default=None, help="CSV delimiter (default: detected)")


def add_window_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = PreprocessOptions()
    parser.add_argument("--window", type=int, default=defaults.window, help="samples per window")
    parser.add_argument("--stride", type=int, default=None,
                        help="samples between window starts when scoring, at the edge and in the test "
                        "period (default: half the window)")
    parser.add_argument("--train-stride", type=int, default=None,
                        help="samples between the starts of training and validation windows (default: "
                        f"chosen from the data for {MIN_TRAINING_WINDOWS}-{MAX_TRAINING_WINDOWS} training windows)")
    parser.add_argument("--sample-rate-hz", type=float, default=None,
                        help="grid sample rate (default: inferred from the median interval)")
    parser.add_argument("--max-gap-samples", type=int, default=defaults.max_gap_samples,
                        help="longest gap forward-filled, in samples; longer gaps cut the series")
    parser.add_argument("--train-fraction", type=float, default=defaults.train_fraction)
    parser.add_argument("--validation-fraction", type=float, default=defaults.validation_fraction)
    parser.add_argument("--settle-seconds", type=float, default=defaults.settle_seconds,
                        help="seconds after a labelled episode during which windows are used neither "
                        "for training nor for the metrics (the process is still settling)")


def split_list(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


def read_options_from(args: argparse.Namespace) -> ReadOptions:
    delimiter = args.delimiter.encode().decode("unicode_escape") if args.delimiter else None
    return ReadOptions(
        channels=split_list(args.channels) or (),
        time_column=args.time_column,
        label_column=args.label_column or None,
        normal_label=args.normal_label,
        unknown_label=args.unknown_label or None,
        series_columns=split_list(args.series_columns),
        channel_column=args.channel_column,
        value_column=args.value_column,
        delimiter=delimiter,
        time_unit=args.time_unit,
    )


def preprocess_options_from(args: argparse.Namespace) -> PreprocessOptions:
    return PreprocessOptions(
        window=args.window,
        stride=args.stride if args.stride is not None else max(1, args.window // 2),
        train_stride=args.train_stride,
        sample_rate_hz=args.sample_rate_hz,
        max_gap_samples=args.max_gap_samples,
        train_fraction=args.train_fraction,
        validation_fraction=args.validation_fraction,
        settle_seconds=args.settle_seconds,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Preprocess step: time series → windows")
    parser.add_argument("--input-dir", type=Path, default=Path("/opt/ml/processing/input/data"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/output"))
    add_read_arguments(parser)
    add_window_arguments(parser)
    args = parser.parse_args(argv)
    preprocess(args.input_dir, args.output_dir, read_options_from(args), preprocess_options_from(args))


def run(argv: Sequence[str] | None = None) -> int:
    return guarded(main, argv)
