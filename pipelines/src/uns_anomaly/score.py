"""Scoring new data with a model bundle, one output row per input time step.

The input is read and put on the model's grid like training data (same reading options, the
bundle's sample rate and gap rule), normalized with the bundle's parameters and cut into windows of
the bundle's length and stride, plus one window aligned to the end of each gap-free stretch so its
last samples are covered too. Each window is scored by ``model.onnx``.

A time step's score comes from the windows that cover it (``row_score``): by default their
**maximum** (a sample is flagged when any window containing it is anomalous: the most alarms, the
fewest missed); ``mean`` (an alarm needs most of the windows around the sample: fewer false alarms
from one odd window, alarms a little later and shorter); or ``last``, the window that ends last
(the score the sample has once every window holding it was scored). Its flag is
``score > threshold``. Time steps in stretches
shorter than one window, or cut by a gap, get an empty score and flag.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .bundle import MANIFEST_FILE
from .dataset_io import ReadOptions, read_samples
from .errors import InputError
from .evaluate import score_windows
from .regularize import build_grid
from .train import ONNX_FILE
from .windows import window_starts

#: Written next to the bundle by the local ``train`` command: how the training input was read.
READ_OPTIONS_FILE = "preprocess.json"


def load_bundle(model_dir: Path) -> dict[str, object]:
    for name in (MANIFEST_FILE, ONNX_FILE):
        if not (model_dir / name).is_file():
            raise InputError(f"no {name} in {model_dir}: expected a model bundle")
    return json.loads((model_dir / MANIFEST_FILE).read_text())


def saved_read_options(model_dir: Path) -> dict[str, object]:
    """Reading options saved at training time (empty when the bundle came without them)."""
    path = model_dir / READ_OPTIONS_FILE
    return json.loads(path.read_text()).get("read", {}) if path.is_file() else {}


#: How a time step's score comes from the scores of the windows covering it.
ROW_SCORES = ("max", "mean", "last")


def score_file(
    model_dir: Path, input_path: Path, out: Path, read: ReadOptions, row_score: str = "max"
) -> pd.DataFrame:
    """Scores ``input_path`` with the bundle in ``model_dir`` and writes the CSV ``out``."""
    manifest = load_bundle(model_dir)
    channels = [c["name"] for c in manifest["channels"]]  # type: ignore[index]
    mean = np.array([c["normalization"]["mean"] for c in manifest["channels"]])  # type: ignore[index]
    std = np.array([c["normalization"]["std"] for c in manifest["channels"]])  # type: ignore[index]
    length = int(manifest["window"]["length"])  # type: ignore[index]
    stride = int(manifest["window"]["stride"])  # type: ignore[index]
    threshold = float(manifest["threshold"]["value"])  # type: ignore[index]
    max_gap = int(manifest.get("missingValues", {}).get("maxGapSamples", 0))  # type: ignore[union-attr]
    if read.channels and list(read.channels) != channels:
        raise InputError(f"the model reads channels {','.join(channels)}, not {','.join(read.channels)}")
    read = replace(read, channels=tuple(channels), label_column=None)
    table = read_samples(input_path, read)
    grid = build_grid(table, float(manifest["sampleRateHz"]), max_gap)  # type: ignore[arg-type]
    if not any(len(s.values) >= length for s in grid.segments):
        raise InputError(f"too little data: no gap-free stretch holds one window of {length} samples")
    per_series: dict[int, list[tuple[int, np.ndarray]]] = {}
    for segment in grid.segments:
        scores = np.full(len(segment.values), np.nan)
        starts = window_starts(len(segment.values), length, stride, cover_end=True)
        if starts.size:
            normalized = ((segment.values - mean) / std).astype(np.float32)
            view = np.lib.stride_tricks.sliding_window_view(normalized, length, axis=0)
            window_scores = score_windows(model_dir / ONNX_FILE, np.ascontiguousarray(view[starts]))
            scores = row_scores(len(segment.values), starts, length, window_scores, row_score)
        per_series.setdefault(segment.series, []).append((segment.start_ns, scores))
    rows = _rows(table.times, per_series, grid.period_ns)
    result = pd.DataFrame({c: [table.series_keys[s][i] for s in rows["series"]] for i, c in enumerate(table.series_columns)})
    result[read.time_column] = _time_text(rows["time"])
    result["score"] = rows["score"]
    result["threshold"] = threshold
    result["flag"] = pd.array(
        np.where(np.isnan(rows["score"]), pd.NA, rows["score"] > threshold), dtype="Int8"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(out, index=False, float_format="%.6g")
    return result


def row_scores(
    samples: int, starts: np.ndarray, length: int, window_scores: np.ndarray, how: str = "max"
) -> np.ndarray:
    """Per sample, the ``how`` (``max``, ``mean`` or ``last``) of the scores of the windows
    starting at ``starts`` that cover it (NaN where none does)."""
    if how not in ROW_SCORES:
        raise InputError(f"unknown row score '{how}': use {', '.join(ROW_SCORES)}")
    scores = np.full(samples, -np.inf if how == "max" else 0.0)
    covering = np.zeros(samples)
    for start, value in zip(starts.tolist(), window_scores.tolist()):
        segment = scores[start : start + length]
        if how == "max":
            np.maximum(segment, value, out=segment)
        elif how == "mean":
            segment += value
        else:
            segment[:] = value  # windows in start order: the last one covering a sample stays
        covering[start : start + length] += 1
    if how == "mean":
        scores = np.divide(scores, covering, out=np.zeros(samples), where=covering > 0)
    scores[covering == 0] = np.nan
    return scores


def _rows(
    times: pd.DataFrame, per_series: dict[int, list[tuple[int, np.ndarray]]], period_ns: int
) -> pd.DataFrame:
    """Every distinct input (series, time) with the score of the grid point it falls on."""
    frame = times.sort_values(["series", "time_ns"], kind="stable").reset_index(drop=True)
    score = np.full(len(frame), np.nan)
    for s, group in frame.groupby("series", sort=False):
        segments = sorted(per_series.get(int(s), []), key=lambda item: item[0])
        if not segments:
            continue
        starts = np.array([start for start, _ in segments], dtype=np.int64)
        t = group["time_ns"].to_numpy()
        which = np.searchsorted(starts, t, side="right") - 1
        for k, (start, values) in enumerate(segments):
            mine = np.flatnonzero(which == k)
            index = np.floor((t[mine] - start) / period_ns + 0.5).astype(np.int64)
            inside = (index >= 0) & (index < len(values))
            score[group.index.to_numpy()[mine[inside]]] = values[index[inside]]
    frame["score"] = score
    return frame


def _time_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.to_datetime(values, utc=True)
        return stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
    return values
