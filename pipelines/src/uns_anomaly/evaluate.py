"""Evaluate step: error distribution, threshold, metrics, plot, and the model bundle.

Scores are computed by onnxruntime on the exported ``model.onnx``, i.e. by the artifact that ships.

Threshold rule (:mod:`uns_anomaly.thresholds`): by default the ``quantile`` (0.995) of the scores of
the held-out normal validation windows, multiplied by ``margin`` (1.0; raise it to trade recall for
fewer false alarms under drift); or peaks over threshold (extreme value theory). The rule, its
parameters and its held-out false alarm rate are in ``evaluation.json`` and the manifest. A window
is anomalous when its score is greater than the threshold.

Metrics (test period, when it has labelled normal and anomalous windows): precision, recall and F1
of the window flags at the threshold, ROC-AUC and PR-AUC (average precision) of the scores; per
defect class the same for that class's windows against the normal windows. Test windows holding a
sample of the unknown label (``uninspected``: no inspection result yet) are left out of the metrics
and counted in ``test.unknown_label_windows_left_out``; so are normal-labelled test windows that are
still settling after a labelled episode (see :mod:`uns_anomaly.windows`), counted in
``test.settling_windows_left_out``. Without labels every metric value is null.

Drift baseline: the bundle's manifest carries the preprocess step's per-channel histograms and the
histogram of the validation scores (:mod:`uns_anomaly.baseline`), pooled and per asset (an asset's
score histogram from the validation windows of its series, when it has enough of them);
``evaluation.json``'s ``drift`` gives as evidence the PSI of the validation and test periods against
them, each asset's against its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tarfile
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .baseline import MIN_ASSET_SCORE_WINDOWS, asset_key, assets_of, histogram, psi_of
from .bundle import build_manifest, write_bundle
from .console import guarded, say
from .defaults import default
from .errors import InputError
from .preprocess import METADATA_FILE
from .thresholds import ThresholdRule, add_threshold_rule_arguments, choose_threshold, threshold_rule_from
from .train import ONNX_FILE, TRAINING_FILE
from .windows import ANOMALY_LABEL_SHARE, WindowSet

EVALUATION_FILE = "evaluation.json"
PLOT_FILE = "error-distribution.png"
SCORE_BATCH = 1024
DRIFT_STATISTIC = (
    "PSI against the bundle's baseline: each channel's normal samples per period, the scores of the "
    "normal test windows; in assets, those of each asset's series against its own entry (and, to "
    "compare, against the pooled one) (< 0.1 stable, 0.1-0.25 moderate, > 0.25 significant shift)"
)


def resolve_model_dir(model_dir: Path, scratch: Path) -> Path:
    """The folder holding model.onnx: ``model_dir`` itself, or its ``model.tar.gz`` extracted."""
    if (model_dir / ONNX_FILE).is_file():
        return model_dir
    archive = model_dir / "model.tar.gz"
    if not archive.is_file():
        raise InputError(f"neither {ONNX_FILE} nor model.tar.gz in {model_dir}")
    with tarfile.open(archive) as tar:
        tar.extractall(scratch, filter="data")
    if not (scratch / ONNX_FILE).is_file():
        raise InputError(f"{archive} holds no {ONNX_FILE}")
    return scratch


def score_windows(onnx_path: Path, windows: np.ndarray) -> np.ndarray:
    """The model's score of each window, computed by onnxruntime."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    scores = [
        session.run(["score"], {input_name: np.ascontiguousarray(windows[i : i + SCORE_BATCH])})[0]
        for i in range(0, len(windows), SCORE_BATCH)
    ]
    return np.concatenate(scores) if scores else np.zeros(0, dtype=np.float32)


def distribution(scores: np.ndarray) -> dict[str, float | int | None]:
    if scores.size == 0:
        return {"count": 0}
    stats: dict[str, float | int | None] = {
        "count": int(scores.size),
        "mean": float(scores.mean()),
        "std": float(scores.std()),
        "min": float(scores.min()),
        "max": float(scores.max()),
    }
    for q in (0.5, 0.9, 0.95, 0.99, 0.995, 0.999):
        stats[f"p{q * 100:g}".replace(".", "_")] = float(np.quantile(scores, q))
    return stats


def _value(x: float | None) -> dict[str, float | None]:
    return {"value": None if x is None else float(x)}


def classification_metrics(
    labels: np.ndarray, scores: np.ndarray, threshold: float, normal_label: str
) -> tuple[dict[str, object], dict[str, object], dict[str, int]]:
    """Overall metrics, per-class metrics and the confusion counts; null values without labels."""
    from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

    truth = labels != normal_label
    flags = scores > threshold
    confusion = {
        "tp": int((truth & flags).sum()),
        "fp": int((~truth & flags).sum()),
        "tn": int((~truth & ~flags).sum()),
        "fn": int((truth & ~flags).sum()),
    }
    names = ("roc_auc", "pr_auc", "f1", "precision", "recall")
    if truth.all() or not truth.any():
        return {n: _value(None) for n in names}, {}, confusion
    precision, recall, f1, _ = precision_recall_fscore_support(truth, flags, average="binary", zero_division=0)
    overall = {
        "roc_auc": _value(roc_auc_score(truth, scores)),
        "pr_auc": _value(average_precision_score(truth, scores)),
        "f1": _value(f1),
        "precision": _value(precision),
        "recall": _value(recall),
    }
    per_class: dict[str, object] = {}
    normal = ~truth
    for name in sorted(set(labels[truth].tolist())):
        mine = labels == name
        subset = mine | normal
        per_class[name] = {
            "windows": int(mine.sum()),
            "roc_auc": _value(roc_auc_score(mine[subset], scores[subset])),
            "pr_auc": _value(average_precision_score(mine[subset], scores[subset])),
            "recall": _value(float(flags[mine].mean())),
        }
    return overall, per_class, confusion


def plot_distribution(
    path: Path,
    validation_scores: np.ndarray,
    test_scores: np.ndarray,
    test_labels: np.ndarray,
    normal_label: str,
    threshold: float,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [("validation normal", validation_scores)]
    if test_scores.size:
        groups.append(("test normal", test_scores[test_labels == normal_label]))
        for name in sorted(set(test_labels.tolist()) - {normal_label}):
            groups.append((f"test {name}", test_scores[test_labels == name]))
    everything = np.concatenate([s for _, s in groups] + [np.array([threshold])])
    low = max(float(everything[everything > 0].min()) if (everything > 0).any() else 1e-6, 1e-9)
    bins = np.logspace(np.log10(low), np.log10(float(everything.max()) * 1.01), 60)
    figure, axes = plt.subplots(figsize=(9, 5))
    for name, scores in groups:
        if scores.size:
            axes.hist(np.clip(scores, low, None), bins=bins, histtype="step", density=True,
                      linewidth=1.5, label=f"{name} ({scores.size})")
    axes.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:.4g}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("window score (mean squared reconstruction error, z-scored units)")
    axes.set_ylabel("density")
    axes.set_title("Reconstruction error distribution")
    axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def default_version(onnx_path: Path) -> str:
    digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()[:8]
    return f"{datetime.now(timezone.utc):%Y%m%d.%H%M%S}-{digest}"


def asset_scores(
    metadata: dict[str, object],
    validation: WindowSet,
    validation_scores: np.ndarray,
    test_series: np.ndarray,
    test_scores: np.ndarray,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The baseline's asset entries, and the drift evidence for each. An entry of preprocess
    (``series``, ``channels``) gains the histogram of the scores of its series' validation windows
    when there are at least :data:`MIN_ASSET_SCORE_WINDOWS` of them; its evidence is preprocess's
    channel PSIs (against the entry and against the pooled baseline) plus the PSI of its series'
    normal test windows' scores (``test_series``, ``test_scores``) against that histogram (None
    without either)."""
    baseline = metadata.get("baseline", {})
    drift = metadata.get("drift", {})
    assert isinstance(baseline, dict) and isinstance(drift, dict)
    series = metadata["series"]
    assert isinstance(series, list)
    members = assets_of(series)
    channel_psi = {asset_key(d["series"]): d for d in drift.get("assets", [])}
    entries: list[dict[str, object]] = []
    evidence: list[dict[str, object]] = []
    for entry in baseline.get("assets", []):
        key = asset_key(entry["series"])
        mine = np.isin(validation.series, members[key])
        score = histogram(validation_scores[mine]) if mine.sum() >= MIN_ASSET_SCORE_WINDOWS else None
        tested = test_scores[np.isin(test_series, members[key])]
        entries.append({**entry, **({"score": score.to_json("validation")} if score else {})})
        evidence.append({
            **channel_psi[key],
            "score": {"test_normal": psi_of(score, tested) if score and tested.size else None},
        })
    return entries, evidence


def evaluate(
    model_dir: Path,
    validation_dir: Path,
    test_dir: Path,
    evaluation_dir: Path,
    bundle_dir: Path,
    rule: ThresholdRule = ThresholdRule(),
    model_name: str = default("modelName"),
    model_version: str | None = None,
) -> dict[str, object]:
    """Runs the step; returns the evaluation it wrote to ``evaluation.json``."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = resolve_model_dir(model_dir, Path(scratch))
        for needed in (METADATA_FILE, TRAINING_FILE):
            if not (folder / needed).is_file():
                raise InputError(f"no {needed} beside {ONNX_FILE} in {model_dir}: run the train step first")
        metadata = json.loads((folder / METADATA_FILE).read_text())
        training = json.loads((folder / TRAINING_FILE).read_text())
        onnx_bytes = (folder / ONNX_FILE).read_bytes()
        onnx_path = Path(scratch) / "scored.onnx"
        onnx_path.write_bytes(onnx_bytes)
        validation, test = WindowSet.load(validation_dir), WindowSet.load(test_dir)
        say(f"scoring {len(validation)} validation and {len(test)} test windows with onnxruntime")
        validation_scores = score_windows(onnx_path, validation.windows)
        test_scores = score_windows(onnx_path, test.windows)
        version = model_version or default_version(onnx_path)
    threshold = choose_threshold(validation_scores, rule)
    score_baseline = histogram(validation_scores)
    labels_meta = metadata.get("labels")
    normal_label = labels_meta["normal"] if labels_meta else "normal"
    unknown_label = labels_meta.get("unknown") if labels_meta else None
    unknown = test.labels == unknown_label if unknown_label else np.zeros(len(test), dtype=bool)
    if unknown.any():
        say(f"leaving {int(unknown.sum())} test windows with samples labelled '{unknown_label}' out of the metrics")
        test_scores, test = test_scores[~unknown], test.select(~unknown)
    settling = test.settling & (test.labels == normal_label)
    if settling.any():
        say(f"leaving {int(settling.sum())} normal test windows that are still settling out of the metrics")
        test_scores, test = test_scores[~settling], test.select(~settling)
    if labels_meta and test.labels.size:
        overall, per_class, confusion = classification_metrics(
            test.labels, test_scores, float(threshold["value"]), normal_label
        )
    else:
        overall, per_class, confusion = classification_metrics(
            np.full(0, normal_label), np.zeros(0), 0.0, normal_label
        )
    normal = test.labels == normal_label if labels_meta else np.ones(len(test), dtype=bool)
    test_normal = test_scores[normal]
    assets, asset_drift = asset_scores(metadata, validation, validation_scores, test.series[normal], test_normal)
    evaluation = {
        "metrics": overall,
        "threshold": threshold,
        "per_class": per_class,
        "reconstruction_error": {
            **distribution(validation_scores),
            "of": "held-out normal validation windows",
            "test_normal": distribution(test_normal),
        },
        "drift": {
            "statistic": DRIFT_STATISTIC,
            "channels": metadata.get("drift", {}).get("channels", {}),
            "score": {"test_normal": psi_of(score_baseline, test_normal) if test_normal.size else None},
            "assets": asset_drift,
        },
        "test": {
            "windows": len(test),
            "unknown_label_windows_left_out": int(unknown.sum()),
            "settling_windows_left_out": int(settling.sum()),
            "labelled": bool(labels_meta),
            "window_label_rule": (
                f"a window takes the most frequent defect label in it when at least "
                f"{ANOMALY_LABEL_SHARE:.0%} of its samples carry one, else '{normal_label}'"
                + (f"; a window holding any sample labelled '{unknown_label}' takes that label" if unknown_label else "")
            ),
            "confusion": confusion,
        },
        "model": {"name": model_name, "version": version, "architecture": training["hyperparameters"]["architecture"]},
    }
    evaluation_dir.mkdir(parents=True, exist_ok=True)
    (evaluation_dir / EVALUATION_FILE).write_text(json.dumps(evaluation, indent=2) + "\n")
    plot_distribution(
        evaluation_dir / PLOT_FILE, validation_scores, test_scores, test.labels, normal_label,
        float(threshold["value"]),
    )
    manifest = build_manifest(
        metadata=metadata,
        training=training,
        onnx_bytes=onnx_bytes,
        model_name=model_name,
        model_version=version,
        threshold=threshold,
        metrics=overall,
        baseline=(
            {
                "method": metadata["baseline"]["method"],
                "channels": metadata["baseline"]["channels"],
                "score": score_baseline.to_json("validation"),
                **({"assets": assets} if assets else {}),
            }
            if "baseline" in metadata
            else None
        ),
    )
    write_bundle(bundle_dir, onnx_bytes, manifest)
    _report(evaluation)
    return evaluation


def _report(evaluation: dict[str, object]) -> None:
    threshold = evaluation["threshold"]
    assert isinstance(threshold, dict)
    say(f"threshold {threshold['value']:.5g} ({threshold['rule']})")
    metrics = evaluation["metrics"]
    assert isinstance(metrics, dict)
    shown = ", ".join(
        f"{k} {v['value']:.4f}" if v["value"] is not None else f"{k} n/a" for k, v in metrics.items()
    )
    say(f"test metrics: {shown}")
    per_class = evaluation["per_class"]
    assert isinstance(per_class, dict)
    for name, m in per_class.items():
        say(
            f"  {name}: {m['windows']} windows, ROC-AUC {m['roc_auc']['value']:.4f}, "
            f"PR-AUC {m['pr_auc']['value']:.4f}, recall {m['recall']['value']:.4f}"
        )


def add_threshold_arguments(parser: argparse.ArgumentParser) -> None:
    add_threshold_rule_arguments(parser)
    parser.add_argument("--model-name", default=default("modelName"))
    parser.add_argument("--model-version", default=None,
                        help="default: <UTC yyyymmdd.HHMMSS>-<first 8 hex of the ONNX file's SHA-256>")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate step: threshold, metrics, model bundle")
    parser.add_argument("--model-dir", type=Path, default=Path("/opt/ml/processing/model"))
    parser.add_argument("--validation", type=Path, default=Path("/opt/ml/processing/validation"))
    parser.add_argument("--test", type=Path, default=Path("/opt/ml/processing/test"))
    parser.add_argument("--evaluation-dir", type=Path, default=Path("/opt/ml/processing/evaluation"))
    parser.add_argument("--bundle-dir", type=Path, default=Path("/opt/ml/processing/bundle"))
    add_threshold_arguments(parser)
    args = parser.parse_args(argv)
    evaluate(
        args.model_dir, args.validation, args.test, args.evaluation_dir, args.bundle_dir,
        threshold_rule_from(args), args.model_name, args.model_version,
    )


def run(argv: Sequence[str] | None = None) -> int:
    return guarded(main, argv)
