"""Drift baseline: histograms of what the model was fitted on, and the Population Stability Index.

The bundle's ``baseline`` (see ``pipelines/model-bundle/README.md``) holds one histogram per channel
(raw training-period normal values on the regular grid) and one of the anomaly scores of the
validation windows; the edge runtime compares what it sees against them with the PSI.

- **Edges**: the deciles (quantiles 0.1 … 0.9) of the baseline sample, de-duplicated. Each decile is
  a value of the sample (the smallest ``v`` with at least that share of the sample ``<= v``), so ties
  collapse exactly: a welding signal that is 0 between seams for 35 % of the time gives one edge at 0
  holding 35 % of the sample, not several edges a hair apart.
- **Bin rule** (the edge runtime does exactly the same): the bin of a value ``v`` is the number of
  edges ``e`` with ``e < v``; bin 0 is ``(-inf, e1]``, bin ``i`` is ``(e_i, e_{i+1}]``, the last
  ``(e_{k-1}, +inf)``.
- **PSI** = ``sum_i (q_i - p_i) * ln(q_i / p_i)``, ``p`` the baseline's proportions, ``q`` the
  observed ones, both floored at :data:`PSI_FLOOR` first. Below 0.1 reads as stable, 0.1-0.25 as a
  moderate shift, above 0.25 as a significant one.
- **Per-asset baselines**: a baseline pooled over several assets flags each of them as drifted all
  the time when every asset runs at its own set points (each one's values are a narrow part of the
  pooled distribution). So the baseline also holds one entry per asset: the same histograms from
  that asset's series only, keyed by the ISA-95 levels among the series columns (``series``). An
  asset gets an entry from :data:`MIN_ASSET_SAMPLES` baseline samples on, a score histogram from
  :data:`MIN_ASSET_SCORE_WINDOWS` validation windows on; at most :data:`MAX_ASSETS` entries. The
  runtime takes the entry all of whose levels equal those of an asset's UNS path (the one with the
  most levels when several do), the pooled histograms when none does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .dataset_io import UNS_SERIES_COLUMNS

METHOD = "histogram"
#: Quantiles whose values become the edges (before de-duplication); 3 / 10 rather than
#: linspace's 0.30000000000000004, which would take the value one rank higher.
DECILES = np.arange(1, 10) / 10
#: Proportions are floored at this value before the PSI formula (an empty bin stays finite).
PSI_FLOOR = 1e-4
#: The contract's most bins per histogram (deciles give at most 10).
MAX_BINS = 20
#: How far the proportions of a histogram may sum away from 1.
SUM_TOLERANCE = 1e-6
#: Fewest baseline samples (per channel) an asset needs for an entry of its own.
MIN_ASSET_SAMPLES = 1000
#: Fewest validation windows an asset's entry needs for a score histogram of its own.
MIN_ASSET_SCORE_WINDOWS = 50
#: The contract's most per-asset entries.
MAX_ASSETS = 1000
#: A value a UNS topic level can take: not empty, no ``/`` and no MQTT wildcard.
_TOPIC_LEVEL = re.compile(r"[^/+#]+")

#: The ISA-95 levels of an asset and their values, in UNS path order.
AssetKey = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Histogram:
    """A baseline histogram: ``len(edges) + 1`` bins, the share of the sample in each."""

    edges: np.ndarray  # float64, strictly increasing
    proportions: np.ndarray  # float64, sums to 1
    samples: int

    def to_json(self, source: str) -> dict[str, object]:
        """The manifest form (``source``: ``training`` or ``validation``)."""
        return {
            "edges": [float(e) for e in self.edges],
            "proportions": [float(p) for p in self.proportions],
            "samples": self.samples,
            "source": source,
        }


def _finite(values: np.ndarray) -> np.ndarray:
    flat = np.asarray(values, dtype=np.float64).ravel()
    if flat.size == 0:
        raise ValueError("a histogram needs at least one value")
    if not np.isfinite(flat).all():
        raise ValueError("a histogram takes finite values only")
    return flat


def decile_edges(values: np.ndarray) -> np.ndarray:
    """The de-duplicated deciles of ``values`` (see the module docstring), strictly increasing."""
    return np.unique(np.quantile(_finite(values), DECILES, method="inverted_cdf"))


def bin_index(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of each value: the number of edges strictly below it."""
    return np.searchsorted(edges, values, side="left")


def proportions(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The share of ``values`` in each of the ``len(edges) + 1`` bins."""
    flat = _finite(values)
    return np.bincount(bin_index(flat, edges), minlength=len(edges) + 1) / flat.size


def histogram(values: np.ndarray) -> Histogram:
    """The baseline histogram of ``values``: decile edges and the share of the values per bin."""
    edges = decile_edges(values)
    return Histogram(edges=edges, proportions=proportions(values, edges), samples=int(np.size(values)))


def psi(expected: np.ndarray, observed: np.ndarray) -> float:
    """Population Stability Index of ``observed`` proportions against ``expected`` (baseline) ones."""
    p = np.maximum(np.asarray(expected, dtype=np.float64), PSI_FLOOR)
    q = np.maximum(np.asarray(observed, dtype=np.float64), PSI_FLOOR)
    if p.shape != q.shape:
        raise ValueError(f"{p.size} baseline proportions against {q.size} observed ones")
    return float(np.sum((q - p) * np.log(q / p)))


def psi_of(baseline: Histogram, values: np.ndarray) -> float:
    """PSI of ``values`` binned by the baseline's edges against the baseline."""
    return psi(baseline.proportions, proportions(values, baseline.edges))


def asset_key(series: Mapping[str, str]) -> AssetKey:
    """The ISA-95 levels among a series' columns with their values, in UNS path order. Empty when
    there is none, or when a value cannot be a UNS topic level (empty, holding ``/``, ``+`` or
    ``#``): such a series matches no asset at the edge."""
    levels = tuple((level, series[level]) for level in UNS_SERIES_COLUMNS if level in series)
    return levels if all(_TOPIC_LEVEL.fullmatch(value) for _, value in levels) else ()


def assets_of(series: Sequence[Mapping[str, str]]) -> dict[AssetKey, list[int]]:
    """The series (indices into ``series``) of each asset, in order of appearance. Series that share
    their ISA-95 levels (told apart by other columns) make one asset; a series without levels none."""
    assets: dict[AssetKey, list[int]] = {}
    for index, s in enumerate(series):
        key = asset_key(s)
        if key:
            assets.setdefault(key, []).append(index)
    return assets


@dataclass(frozen=True)
class AssetBaseline:
    """The channel histograms of one asset, from the raw values of its series only."""

    key: AssetKey
    #: The training data's series (indices into its series list) the asset is made of.
    members: list[int]
    channels: list[Histogram]

    def to_json(self, names: Sequence[str]) -> dict[str, object]:
        """The manifest form without the score (``series`` and ``channels``, named ``names``)."""
        return {"series": dict(self.key), "channels": channel_histograms(names, self.channels)}


def channel_histograms(names: Sequence[str], histograms: Sequence[Histogram]) -> list[dict[str, object]]:
    """The manifest form of one training histogram per channel."""
    return [{"name": name, **h.to_json("training")} for name, h in zip(names, histograms)]


def asset_baselines(series: Sequence[Mapping[str, str]], values: Mapping[int, np.ndarray]) -> list[AssetBaseline]:
    """One histogram per channel for each asset of ``series`` from the raw values [samples,
    channels] of its series (``values`` by series index; a series without any is absent or empty).
    An asset with fewer than :data:`MIN_ASSET_SAMPLES` gets none; of more than :data:`MAX_ASSETS`
    assets, those with the most samples are kept. In order of appearance."""
    assets = assets_of(series)
    sizes = {key: sum(len(values[i]) for i in members if i in values) for key, members in assets.items()}
    enough = [key for key, size in sizes.items() if size >= MIN_ASSET_SAMPLES]
    kept = set(sorted(enough, key=lambda key: -sizes[key])[:MAX_ASSETS])
    baselines: list[AssetBaseline] = []
    for key, members in assets.items():
        if key in kept:
            sample = np.concatenate([values[i] for i in members if i in values])
            baselines.append(AssetBaseline(key, members, [histogram(sample[:, c]) for c in range(sample.shape[1])]))
    return baselines


def baseline_problems(baseline: dict[str, object], channel_names: list[str]) -> list[str]:
    """What in a manifest's ``baseline`` breaks the rules its JSON Schema cannot express: edges
    strictly increasing, one proportion more than edges, proportions summing to 1, the channels
    those of the model in its order (pooled and in every asset entry), no two asset entries with the
    same ``series``. Empty when it keeps them all."""
    problems = _histogram_problems("", baseline, channel_names)
    seen: set[tuple[tuple[str, object], ...]] = set()
    assets = baseline.get("assets", [])
    assert isinstance(assets, list)
    for asset in assets:
        assert isinstance(asset, dict)
        series = asset["series"]
        key = tuple(sorted(series.items()))
        if key in seen:
            problems.append(f"asset {series}: a second entry for the same series")
        seen.add(key)
        problems += _histogram_problems(f"asset {series}: ", asset, channel_names)
    return problems


def _histogram_problems(where: str, holder: dict[str, object], channel_names: list[str]) -> list[str]:
    """The problems of the ``channels`` and optional ``score`` histograms of a baseline or an asset."""
    problems: list[str] = []
    channels = holder.get("channels", [])
    assert isinstance(channels, list)
    names = [c.get("name") for c in channels]
    if names != channel_names:
        problems.append(f"{where}channels {names} are not the model's channels {channel_names}")
    histograms = [(f"{where}channel {c.get('name')}", c) for c in channels]
    if "score" in holder:
        histograms.append((f"{where}score", holder["score"]))
    for what, h in histograms:
        assert isinstance(h, dict)
        edges, shares = np.asarray(h["edges"], dtype=np.float64), np.asarray(h["proportions"], dtype=np.float64)
        if not np.isfinite(edges).all() or (np.diff(edges) <= 0).any():
            problems.append(f"{what}: edges are not strictly increasing finite numbers")
        if shares.size != edges.size + 1 or shares.size > MAX_BINS:
            problems.append(f"{what}: {shares.size} proportions for {edges.size} edges (want edges + 1, <= {MAX_BINS})")
        if abs(float(shares.sum()) - 1) > SUM_TOLERANCE:
            problems.append(f"{what}: proportions sum to {float(shares.sum())!r}, not 1")
    return problems
