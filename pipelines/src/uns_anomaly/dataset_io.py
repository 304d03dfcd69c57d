"""Reading multichannel time series from CSV or Parquet files, in long or wide layout.

Long layout (the Lakehouse telemetry table, the simulator's datasets): one row per sample per
channel, with a channel-name column and a value column. Wide layout: one row per sample, one column
per channel. Either way the result is a :class:`SampleTable`: flat arrays of (series, channel, time,
value) plus optional per-sample labels, which :mod:`uns_anomaly.regularize` turns into regular grids.
Only the columns asked for are read: others (``quality``, ``seam_id`` of the Lakehouse's
``labelled_telemetry``, Hive keys such as ``dt``) are left in the files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .defaults import default
from .errors import InputError

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".pq")

#: Columns that identify one asset in the Lakehouse telemetry table (the UNS hierarchy). When no
#: series columns are given, those of them present in the data separate the series.
UNS_SERIES_COLUMNS = ("enterprise", "site", "area", "line", "cell", "asset")

#: Column names the long layout is recognized by when none are given.
DEFAULT_CHANNEL_COLUMN = "channel"
DEFAULT_VALUE_COLUMN = "value"
DEFAULT_UNIT_COLUMN = "unit"

TIME_UNITS_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


@dataclass(frozen=True)
class ReadOptions:
    """How to read and interpret the input files (every field is step configuration)."""

    channels: tuple[str, ...]
    time_column: str = default("timeColumn")
    label_column: str | None = None
    normal_label: str = "normal"
    #: Label of samples whose class is not known yet (``labelled_telemetry``: a seam not inspected
    #: yet); windows holding any are neither trained on nor counted in the metrics. None: no such label.
    unknown_label: str | None = "uninspected"
    series_columns: tuple[str, ...] | None = None
    channel_column: str | None = None
    value_column: str | None = None
    delimiter: str | None = None
    time_unit: str = "s"


@dataclass(frozen=True)
class SampleTable:
    """Samples of every series, flattened; one entry per (series, channel, time) with a value."""

    series_keys: list[tuple[str, ...]]
    series_columns: tuple[str, ...]
    channels: tuple[str, ...]
    units: dict[str, str]
    series: np.ndarray  # int32 index into series_keys
    channel: np.ndarray  # int32 index into channels
    time_ns: np.ndarray  # int64, UTC nanoseconds (or the numeric time scaled to ns)
    value: np.ndarray  # float64, NaN where missing
    #: Per-sample labels: (series, time_ns, is-normal label string); None without a label column.
    labels: pd.DataFrame | None
    normal_label: str
    #: Original time value of each distinct (series, time_ns), for echoing input times in output.
    times: pd.DataFrame
    layout: str
    rows: int


def find_files(path: Path) -> list[Path]:
    """The CSV and Parquet files at ``path`` (a file, or a directory searched recursively).

    In a directory, a CSV file next to a Parquet file of the same name is skipped as a copy.
    """
    if not path.exists():
        raise InputError(f"input not found: {path}")
    if path.is_file():
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise InputError(f"unsupported input file {path}: expected .csv or .parquet")
        return [path]
    files = sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
    )
    # A CSV beside a Parquet file of the same name is the same data twice (the simulator writes both).
    parquet_stems = {p.with_suffix("") for p in files if p.suffix.lower() != ".csv"}
    files = [p for p in files if p.suffix.lower() != ".csv" or p.with_suffix("") not in parquet_stems]
    if not files:
        raise InputError(f"no .csv or .parquet files under {path}")
    return files


def hive_partitions(file: Path, root: Path) -> dict[str, str]:
    """Partition columns encoded in Hive-style directory names (``site=x/dt=y``) below ``root``."""
    parts = file.parent.relative_to(root).parts if root.is_dir() else ()
    return dict(part.split("=", 1) for part in parts if "=" in part)


def sniff_delimiter(file: Path) -> str:
    """The field delimiter of a CSV file, detected from its first lines (comma when unsure)."""
    with file.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        sample = handle.read(64 * 1024)
    if not sample.strip():
        raise InputError(f"{file} is empty")
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _header(file: Path, delimiter: str | None) -> list[str]:
    if file.suffix.lower() == ".csv":
        sep = delimiter or sniff_delimiter(file)
        return list(pd.read_csv(file, sep=sep, nrows=0).columns)
    import pyarrow.parquet as pq

    return list(pq.read_schema(file).names)


def _read(file: Path, columns: list[str], delimiter: str | None) -> pd.DataFrame:
    try:
        if file.suffix.lower() == ".csv":
            sep = delimiter or sniff_delimiter(file)
            return pd.read_csv(file, sep=sep, usecols=columns, low_memory=False)
        return pd.read_parquet(file, columns=columns)
    except (ValueError, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise InputError(f"cannot read {file}: {first_line}") from error


def _detect_layout(columns: list[str], options: ReadOptions) -> tuple[str, str, str]:
    """('long' | 'wide', channel column, value column) for the given header."""
    channel_column = options.channel_column or DEFAULT_CHANNEL_COLUMN
    value_column = options.value_column or DEFAULT_VALUE_COLUMN
    explicit_long = options.channel_column is not None or options.value_column is not None
    looks_long = channel_column in columns and value_column in columns
    all_channels_are_columns = all(c in columns for c in options.channels)
    if explicit_long or (looks_long and not all_channels_are_columns):
        for column in (channel_column, value_column):
            if column not in columns:
                raise InputError(f"column '{column}' not found; columns are {', '.join(columns)}")
        return "long", channel_column, value_column
    missing = [c for c in options.channels if c not in columns]
    if missing:
        raise InputError(
            f"channel column(s) {', '.join(missing)} not found (wide layout); "
            f"columns are {', '.join(columns)}"
        )
    return "wide", channel_column, value_column


def _time_to_ns(values: pd.Series, column: str, unit: str) -> np.ndarray:
    if unit not in TIME_UNITS_NS:
        raise InputError(f"unknown time unit '{unit}': use one of {', '.join(TIME_UNITS_NS)}")
    if values.isna().any():
        raise InputError(f"time column '{column}' has {int(values.isna().sum())} empty values")
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.dt.tz_convert("UTC") if values.dt.tz is not None else values
        return stamps.astype("datetime64[ns]").to_numpy().astype(np.int64)
    if pd.api.types.is_numeric_dtype(values):
        return np.round(values.to_numpy(dtype=np.float64) * TIME_UNITS_NS[unit]).astype(np.int64)
    try:
        parsed = pd.to_datetime(values, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        try:
            parsed = pd.to_datetime(values, utc=True, format="mixed")
        except (ValueError, TypeError) as error:
            raise InputError(
                f"time column '{column}' has values that are not times, e.g. '{values.iloc[0]}'"
            ) from error
    return parsed.astype("datetime64[ns, UTC]").dt.tz_localize(None).to_numpy().astype(np.int64)


def _numeric(values: pd.Series, name: str) -> np.ndarray:
    numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    numeric[~np.isfinite(numeric)] = np.nan
    if np.isnan(numeric).all():
        raise InputError(f"channel '{name}' has no numeric values")
    return numeric


def read_samples(path: Path, options: ReadOptions) -> SampleTable:
    """Reads every CSV/Parquet file at ``path`` into a :class:`SampleTable` of the channels asked."""
    if not options.channels:
        raise InputError("no channels given")
    if len(set(options.channels)) != len(options.channels):
        raise InputError(f"channels repeat a name: {','.join(options.channels)}")
    files = find_files(path)
    frames: list[pd.DataFrame] = []
    layout = ""
    for file in files:
        partitions = hive_partitions(file, path)
        header = _header(file, options.delimiter)
        file_layout, channel_column, value_column = _detect_layout(
            header + [k for k in partitions if k not in header], options
        )
        if layout and file_layout != layout:
            raise InputError(f"{file} is in {file_layout} layout, earlier files in {layout} layout")
        layout = file_layout
        available = header + [k for k in partitions if k not in header]
        series_columns = _series_columns(options, available)
        wanted = [options.time_column, *series_columns]
        if options.label_column:
            wanted.append(options.label_column)
        if layout == "long":
            wanted += [channel_column, value_column]
            if DEFAULT_UNIT_COLUMN in available:
                wanted.append(DEFAULT_UNIT_COLUMN)
        else:
            wanted += list(options.channels)
        missing = [c for c in dict.fromkeys(wanted) if c not in available]
        if missing:
            raise InputError(
                f"column(s) {', '.join(missing)} not found in {file}; "
                f"columns are {', '.join(available)}"
            )
        from_file = [c for c in dict.fromkeys(wanted) if c in header]
        frame = _read(file, from_file, options.delimiter)
        for key, value in partitions.items():
            if key in wanted and key not in frame.columns:
                frame[key] = value
        if layout == "long":
            frame = frame[frame[channel_column].astype(str).isin(options.channels)]
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return _to_samples(table, options, layout, series_columns, files)


def _series_columns(options: ReadOptions, available: list[str]) -> tuple[str, ...]:
    if options.series_columns is not None:
        return options.series_columns
    return tuple(c for c in UNS_SERIES_COLUMNS if c in available)


def _to_samples(
    table: pd.DataFrame,
    options: ReadOptions,
    layout: str,
    series_columns: tuple[str, ...],
    files: list[Path],
) -> SampleTable:
    where = files[0] if len(files) == 1 else files[0].parent
    if table.empty:
        raise InputError(f"no rows of channels {','.join(options.channels)} in {where}")
    channel_column = options.channel_column or DEFAULT_CHANNEL_COLUMN
    value_column = options.value_column or DEFAULT_VALUE_COLUMN
    if layout == "long":
        found = set(table[channel_column].astype(str).unique())
        unknown = [c for c in options.channels if c not in found]
        if unknown:
            raise InputError(f"unknown channel(s) {', '.join(unknown)}: not in column '{channel_column}'")
    time_ns = _time_to_ns(table[options.time_column], options.time_column, options.time_unit)
    if series_columns:
        grouped = table[list(series_columns)].astype(str).groupby(list(series_columns), sort=True)
        codes = grouped.ngroup().to_numpy()
        series_keys = [
            tuple(str(v) for v in (key if isinstance(key, tuple) else (key,)))
            for key in grouped.size().index
        ]
    else:
        codes, series_keys = np.zeros(len(table), dtype=np.int64), [()]
    codes = np.asarray(codes, dtype=np.int32)
    units: dict[str, str] = {}
    if layout == "long":
        channel_index = {name: i for i, name in enumerate(options.channels)}
        channel = table[channel_column].astype(str).map(channel_index).to_numpy(dtype=np.int32)
        value = pd.to_numeric(table[value_column], errors="coerce").to_numpy(dtype=np.float64, copy=True)
        value[~np.isfinite(value)] = np.nan
        for i, name in enumerate(options.channels):
            if np.isnan(value[channel == i]).all():
                raise InputError(f"channel '{name}' has no numeric values")
        if DEFAULT_UNIT_COLUMN in table.columns:
            unit_rows = table[[channel_column, DEFAULT_UNIT_COLUMN]].dropna().drop_duplicates(channel_column)
            units = {str(c): str(u) for c, u in unit_rows.itertuples(index=False)}
        series, times = codes, time_ns
    else:
        n = len(table)
        columns = [_numeric(table[c], c) for c in options.channels]
        value = np.concatenate(columns)
        channel = np.repeat(np.arange(len(options.channels), dtype=np.int32), n)
        series = np.tile(codes, len(options.channels))
        times = np.tile(time_ns, len(options.channels))
    labels = None
    if options.label_column:
        raw = table[options.label_column]
        text = raw.astype("string").fillna(options.normal_label).str.strip()
        text = text.mask(text == "", options.normal_label)
        labels = pd.DataFrame({"series": codes, "time_ns": time_ns, "label": text.to_numpy(dtype=object)})
    first_times = pd.DataFrame({"series": codes, "time_ns": time_ns, "time": table[options.time_column].to_numpy()})
    first_times = first_times.drop_duplicates(["series", "time_ns"]).reset_index(drop=True)
    return SampleTable(
        series_keys=series_keys,
        series_columns=series_columns,
        channels=options.channels,
        units=units,
        series=series,
        channel=channel,
        time_ns=times,
        value=value,
        labels=labels,
        normal_label=options.normal_label,
        times=first_times,
        layout=layout,
        rows=len(table),
    )
