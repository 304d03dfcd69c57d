"""The model bundle: ``model.onnx`` + ``manifest.json``, also packed as ``model.tar.gz``.

The manifest format is ``pipelines/model-bundle/manifest.schema.json`` (see the README there); its
optional ``baseline`` is the drift baseline of :mod:`uns_anomaly.baseline`, pooled and per asset.
"""

from __future__ import annotations

import io
import json
import tarfile
from datetime import datetime, timezone
from pathlib import Path

from .baseline import baseline_problems
from .export import INPUT_NAME, OPSET, OUTPUT_NAMES

MANIFEST_FILE = "manifest.json"
BUNDLE_ARCHIVE = "model.tar.gz"
SCORE_DESCRIPTION = (
    "Mean over channels and time steps of the squared difference between the z-scored input window "
    "and its reconstruction; computed inside model.onnx (output 'score'). Higher is more anomalous."
)


def _opset(onnx_bytes: bytes) -> int:
    import onnx

    model = onnx.load_model_from_string(onnx_bytes)
    return max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=OPSET)


def build_manifest(
    metadata: dict[str, object],
    training: dict[str, object],
    onnx_bytes: bytes,
    model_name: str,
    model_version: str,
    threshold: dict[str, object],
    metrics: dict[str, object],
    baseline: dict[str, object] | None = None,
) -> dict[str, object]:
    """The manifest of a bundle, from the preprocess metadata, training summary and evaluation;
    with ``baseline`` (the drift baseline, see :mod:`uns_anomaly.baseline`) when given."""
    hyperparameters = training["hyperparameters"]
    assert isinstance(hyperparameters, dict)
    manifest: dict[str, object] = {
        "schemaVersion": "1.0",
        "modelName": model_name,
        "modelVersion": model_version,
        "createdAt": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "model": {
            "file": "model.onnx",
            "format": "onnx",
            "opset": _opset(onnx_bytes),
            "architecture": hyperparameters["architecture"]["architecture"],
            "hyperparameters": hyperparameters,
            "input": {"name": INPUT_NAME, "layout": "batch,channel,time", "dtype": "float32"},
            "outputs": {"score": OUTPUT_NAMES[0], "reconstruction": OUTPUT_NAMES[1]},
        },
        "channels": metadata["channels"],
        "window": metadata["window"],
        "sampleRateHz": metadata["sampleRateHz"],
        "missingValues": metadata["missingValues"],
        "score": {"definition": "mean-squared-reconstruction-error", "description": SCORE_DESCRIPTION},
        "threshold": threshold,
        "trainingData": metadata["trainingData"],
        "metrics": metrics,
    }
    if baseline is not None:
        manifest["baseline"] = baseline
    return manifest


def write_bundle(folder: Path, onnx_bytes: bytes, manifest: dict[str, object]) -> Path:
    """Writes ``model.onnx``, ``manifest.json`` and ``model.tar.gz`` (both files at its root)."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_bytes = (json.dumps(manifest, indent=2) + "\n").encode()
    (folder / "model.onnx").write_bytes(onnx_bytes)
    (folder / MANIFEST_FILE).write_bytes(manifest_bytes)
    archive = folder / BUNDLE_ARCHIVE
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("model.onnx", onnx_bytes), (MANIFEST_FILE, manifest_bytes)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return archive


def validate_manifest(manifest: dict[str, object], schema_path: Path) -> None:
    """Raises ``jsonschema.ValidationError`` when ``manifest`` does not follow the schema, or its
    ``baseline`` breaks a rule of the format that JSON Schema cannot express (increasing edges,
    proportions summing to 1, the model's channels, one entry per asset)."""
    import jsonschema

    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(manifest)
    baseline = manifest.get("baseline")
    if isinstance(baseline, dict):
        channels = manifest["channels"]
        assert isinstance(channels, list)
        problems = baseline_problems(baseline, [c["name"] for c in channels])
        if problems:
            raise jsonschema.ValidationError("baseline: " + "; ".join(problems))
