"""The manifest schema, with and without the optional drift baseline and its per-asset entries."""

from __future__ import annotations

import copy
from collections.abc import Callable

import jsonschema
import pytest
from conftest import SCHEMA

from uns_anomaly.bundle import validate_manifest

MANIFEST: dict[str, object] = {
    "schemaVersion": "1.0",
    "modelName": "weld-seam-anomaly",
    "modelVersion": "20251126.034512-3fa2b1c4",
    "createdAt": "2025-11-26T03:45:12Z",
    "model": {
        "file": "model.onnx",
        "format": "onnx",
        "opset": 18,
        "architecture": "conv1d",
        "input": {"name": "window", "layout": "batch,channel,time", "dtype": "float32"},
        "outputs": {"score": "score", "reconstruction": "reconstruction"},
    },
    "channels": [
        {"name": "arc_current", "unit": "A", "normalization": {"method": "zscore", "mean": 129.5, "std": 93.0}},
        {"name": "gas_flow", "unit": "L/min", "normalization": {"method": "zscore", "mean": 11.2, "std": 4.1}},
    ],
    "window": {"length": 128, "stride": 64},
    "sampleRateHz": 1000,
    "missingValues": {"policy": "forward-fill", "maxGapSamples": 5},
    "score": {"definition": "mean-squared-reconstruction-error", "description": "..."},
    "threshold": {"value": 0.0328, "rule": "quantile 0.995 of the scores of held-out normal validation windows x 1"},
    "trainingData": {"start": "2025-01-01T00:00:00.000Z", "end": "2025-01-01T00:01:15.000Z"},
    "metrics": {"roc_auc": {"value": 0.99}},
}

BASELINE: dict[str, object] = {
    "method": "histogram",
    "channels": [
        {"name": "arc_current", "edges": [0, 148.2, 161.7], "proportions": [0.31, 0.2, 0.25, 0.24],
         "samples": 120000, "source": "training"},
        {"name": "gas_flow", "edges": [0.4], "proportions": [0.3, 0.7], "samples": 120000, "source": "training"},
    ],
    "score": {"edges": [0.01, 0.02, 0.05], "proportions": [0.1, 0.3, 0.3, 0.3], "samples": 812, "source": "validation"},
}


CELL_010 = {"enterprise": "acme", "site": "zwickau", "line": "body-weld-1", "cell": "cell-010"}
#: Two asset entries: cell-010 with a score histogram, cell-020 without (too few validation windows).
ASSETS: list[dict[str, object]] = [
    {
        "series": CELL_010,
        "channels": [
            {"name": "arc_current", "edges": [0, 118.1, 121.9], "proportions": [0.3, 0.2, 0.3, 0.2],
             "samples": 30000, "source": "training"},
            {"name": "gas_flow", "edges": [0.4, 14.9], "proportions": [0.3, 0.35, 0.35], "samples": 30000,
             "source": "training"},
        ],
        "score": {"edges": [0.01, 0.03], "proportions": [0.1, 0.5, 0.4], "samples": 160, "source": "validation"},
    },
    {
        "series": {**CELL_010, "cell": "cell-020"},
        "channels": [
            {"name": "arc_current", "edges": [0, 178.3], "proportions": [0.3, 0.3, 0.4], "samples": 1000,
             "source": "training"},
            {"name": "gas_flow", "edges": [0.4], "proportions": [0.3, 0.7], "samples": 1000, "source": "training"},
        ],
    },
]


def with_baseline(change: Callable[[dict], None] = lambda b: None) -> dict[str, object]:
    baseline = copy.deepcopy({**BASELINE, "assets": ASSETS})
    change(baseline)
    return {**MANIFEST, "baseline": baseline}


def test_a_manifest_is_valid_with_and_without_a_baseline_and_its_asset_entries() -> None:
    validate_manifest(MANIFEST, SCHEMA)
    validate_manifest(with_baseline(), SCHEMA)
    validate_manifest(with_baseline(lambda b: b.pop("assets")), SCHEMA)
    validate_manifest(with_baseline(lambda b: b["assets"][0]["series"].update(asset="welder-1")), SCHEMA)
    validate_manifest(with_baseline(lambda b: b["assets"][1].update(series={"site": "zwickau"})), SCHEMA)


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b.update(extra=1),
        lambda b: b.update(method="kde"),
        lambda b: b.pop("score"),
        lambda b: b["score"].update(source="training"),
        lambda b: b["channels"][0].update(edges=[]),
        lambda b: b["channels"][0].update(edges=[0, 0, 1]),
        lambda b: b["channels"][0].update(proportions=[1.2, -0.2, 0, 0]),
        lambda b: b["channels"][0].update(edges=list(range(20)), proportions=[0.05] * 20),
        lambda b: b["channels"][0].update(unit="A"),
        lambda b: b["score"].update(samples=0),
        lambda b: b["assets"][0].update(extra=1),
        lambda b: b["assets"][0].pop("channels"),
        lambda b: b["assets"][0].update(series={}),
        lambda b: b["assets"][0]["series"].update(robot="r1"),
        lambda b: b["assets"][0]["series"].update(cell="cell/010"),
        lambda b: b["assets"][0]["series"].update(cell=""),
        lambda b: b["assets"][0]["channels"][0].update(samples=999),
        lambda b: b["assets"][0]["channels"][0].update(source="validation"),
        lambda b: b["assets"][0]["score"].update(samples=49),
        lambda b: b["assets"][0]["score"].update(source="training"),
        lambda b: b["assets"][0]["channels"][1].update(edges=[]),
        lambda b: b.update(assets=[b["assets"][1]] * 1001),
    ],
    ids=["unknown property", "other method", "no score", "score source", "no edge", "repeated edge",
         "negative proportion", "more than 20 bins", "channel property", "empty sample",
         "asset property", "asset without channels", "asset without series", "series not an ISA-95 level",
         "series value not a topic level", "empty series value", "asset under 1000 samples",
         "asset channel source", "asset score under 50 windows", "asset score source", "asset channel no edge",
         "more than 1000 assets"],
)
def test_the_schema_rejects_a_malformed_baseline(change: Callable[[dict], None]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_manifest(with_baseline(change), SCHEMA)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda b: b["channels"][0].update(edges=[0, 161.7, 148.2]), "not strictly increasing"),
        (lambda b: b["channels"][1].update(proportions=[0.3, 0.6]), "sum to"),
        (lambda b: b["score"].update(proportions=[0.5, 0.5]), "2 proportions for 3 edges"),
        (lambda b: b["channels"].reverse(), "not the model's channels"),
        (lambda b: b["channels"].pop(), "not the model's channels"),
        (lambda b: b["assets"][1]["channels"].reverse(), "cell-020.*not the model's channels"),
        (lambda b: b["assets"][0]["channels"][0].update(edges=[0, 121.9, 118.1]),
         "cell-010.*channel arc_current: edges are not strictly increasing"),
        (lambda b: b["assets"][0]["score"].update(proportions=[0.1, 0.5, 0.5]), "cell-010.*score: proportions sum to"),
        (lambda b: b["assets"][1]["series"].update(cell="cell-010"), "a second entry for the same series"),
    ],
    ids=["edges decreasing", "proportions not summing to 1", "bins and edges disagree", "channel order",
         "channel missing", "asset channel order", "asset edges decreasing", "asset score not summing to 1",
         "two entries for one asset"],
)
def test_validation_checks_the_baseline_rules_json_schema_cannot_express(
    change: Callable[[dict], None], problem: str
) -> None:
    with pytest.raises(jsonschema.ValidationError, match=problem):
        validate_manifest(with_baseline(change), SCHEMA)
