"""Train and evaluate steps alone: early stopping, seeding, export check, threshold, metrics."""

from __future__ import annotations

import argparse
import json
import tarfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
from conftest import SCHEMA, WELDING, read_json

from uns_anomaly.baseline import MIN_ASSET_SCORE_WINDOWS, histogram
from uns_anomaly.bundle import validate_manifest
from uns_anomaly.dataset_io import ReadOptions
from uns_anomaly.errors import InputError
from uns_anomaly.evaluate import evaluate
from uns_anomaly.export import ExportCheckError, check_export, export_onnx
from uns_anomaly.model import AnomalyScorer, ArchitectureConfig, build_autoencoder
from uns_anomaly.preprocess import PreprocessOptions, preprocess
from uns_anomaly.thresholds import ThresholdRule
from uns_anomaly.train import Hyperparameters, add_hyperparameter_arguments, fit, hyperparameters_from, mean_loss, train
from uns_anomaly.windows import WindowSet

FAST = Hyperparameters(epochs=4, patience=2, threads=1)


@pytest.fixture(scope="module")
def prepared(welding_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prepared")
    preprocess(welding_data, out, ReadOptions(channels=WELDING, label_column="label"), PreprocessOptions())
    return out


@pytest.fixture(scope="module")
def model_dir(prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model")
    train(prepared / "train", prepared / "validation", out, FAST)
    return out


def test_train_writes_weights_onnx_metadata_and_its_history(model_dir: Path) -> None:
    for name in ("model.pt", "model.onnx", "metadata.json", "training.json"):
        assert (model_dir / name).is_file()
    training = read_json(model_dir / "training.json")
    losses = [h["validation_loss"] for h in training["history"]]  # type: ignore[index]
    assert losses[-1] < losses[0]
    assert max(training["exportCheck"]["maxAbsDifference"].values()) <= 1e-5  # type: ignore[index]


@pytest.mark.parametrize("architecture", ["dense", "conv1d"])
def test_training_is_reproducible_for_a_seed(architecture: str, prepared: Path) -> None:
    data = WindowSet.load(prepared / "train").windows[:128]
    hp = replace(FAST, epochs=2, architecture=ArchitectureConfig(architecture=architecture))
    first, history_a, _ = fit(data, data, hp)
    second, history_b, _ = fit(data, data, hp)
    third, history_c, _ = fit(data, data, replace(hp, seed=7))
    assert history_a == history_b
    assert history_c != history_a
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)


def test_early_stopping_keeps_the_best_epoch(prepared: Path) -> None:
    data = WindowSet.load(prepared / "train").windows[:64]
    # a validation set the model cannot learn (noise) stops improving at once
    noise = np.random.default_rng(0).normal(0, 5, data.shape).astype(np.float32)
    hp = replace(FAST, epochs=50, patience=3, architecture=ArchitectureConfig(architecture="dense"))
    scorer, history, best = fit(data, noise, hp)
    assert len(history) < 50 and len(history) - best == 3
    kept = mean_loss(scorer.autoencoder, torch.from_numpy(noise), 64)
    assert kept == pytest.approx(history[best - 1]["validation_loss"], rel=1e-6)
    assert kept != pytest.approx(history[-1]["validation_loss"], rel=1e-6)


def test_conv1d_decoder_upsamples_and_convolves_without_transposed_convolutions() -> None:
    model = build_autoencoder(3, 64, ArchitectureConfig(architecture="conv1d"))
    kinds = {type(m).__name__ for m in model.modules()}
    assert "Upsample" in kinds and "ConvTranspose1d" not in kinds


@pytest.mark.parametrize("window", [60, 64, 7])
def test_conv1d_takes_any_window_length_and_exports_it(window: int, tmp_path: Path) -> None:
    # 60 is not a multiple of 2^3: the window is padded at its end inside the model, and the
    # reconstruction cut back, so the bundle still reads and scores windows of 60 samples.
    scorer = AnomalyScorer(build_autoencoder(3, window, ArchitectureConfig(architecture="conv1d")))
    x = np.random.default_rng(window).normal(size=(4, 3, window)).astype(np.float32)
    with torch.no_grad():
        score, reconstruction = scorer(torch.from_numpy(x))
    assert reconstruction.shape == x.shape
    np.testing.assert_allclose(score.numpy(), np.square(x - reconstruction.numpy()).mean(axis=(1, 2)), rtol=1e-5)
    path = export_onnx(scorer, tmp_path / "m.onnx", 3, window)
    assert max(check_export(scorer, path, x).values()) <= 1e-5


def test_pca_keeps_the_components_that_explain_the_variance_asked_for_and_exports(
    prepared: Path, tmp_path: Path
) -> None:
    train_windows = WindowSet.load(prepared / "train").windows
    validation = WindowSet.load(prepared / "validation").windows
    scorers = {}
    for share in (0.9, 0.99):
        hp = replace(FAST, architecture=ArchitectureConfig(architecture="pca", explained_variance=share))
        scorer, history, best = fit(train_windows, validation, hp)
        assert (len(history), best) == (1, 1)
        assert share <= history[0]["explainedVariance"] < share + 0.01
        scorers[share] = (scorer, history[0])
    (few, few_fit), (many, many_fit) = scorers[0.9], scorers[0.99]
    assert few_fit["components"] < many_fit["components"] <= ArchitectureConfig().latent_dim
    assert many_fit["validation_loss"] < few_fit["validation_loss"]
    # windows with noise the training windows never had score far above the normal ones
    noisy = validation[:64].copy()
    noisy[:, 0, :] += np.random.default_rng(1).normal(0, 1, noisy[:, 0, :].shape).astype(np.float32)
    with torch.no_grad():
        normal = many(torch.from_numpy(validation[:64]))[0].numpy()
        disturbed = many(torch.from_numpy(noisy))[0].numpy()
    assert disturbed.min() > normal.max()
    # noise of variance 1 on one channel of four, mostly outside the kept components: about +0.25
    assert (disturbed - normal).min() > 0.15
    path = export_onnx(many, tmp_path / "pca.onnx", *train_windows.shape[1:])
    assert max(check_export(many, path, validation[:256]).values()) <= 1e-5


def test_exported_model_has_a_dynamic_batch_and_both_outputs(model_dir: Path) -> None:
    session = ort.InferenceSession(str(model_dir / "model.onnx"))
    assert [o.name for o in session.get_outputs()] == ["score", "reconstruction"]
    for batch in (1, 5):
        x = np.random.default_rng(batch).normal(size=(batch, 4, 128)).astype(np.float32)
        score, reconstruction = session.run(None, {"window": x})
        assert score.shape == (batch,) and reconstruction.shape == x.shape
        np.testing.assert_allclose(score, np.square(x - reconstruction).mean(axis=(1, 2)), rtol=1e-5)


def test_export_check_fails_when_onnxruntime_and_pytorch_disagree(tmp_path: Path) -> None:
    config = ArchitectureConfig(architecture="dense")
    exported = AnomalyScorer(build_autoencoder(2, 16, config))
    path = export_onnx(exported, tmp_path / "m.onnx", 2, 16)
    other = AnomalyScorer(build_autoencoder(2, 16, config))
    samples = np.random.default_rng(0).normal(size=(8, 2, 16)).astype(np.float32)
    assert max(check_export(exported, path, samples).values()) <= 1e-5
    with pytest.raises(ExportCheckError, match="differ by"):
        check_export(other, path, samples)


def _evaluate(model: Path, prepared: Path, out: Path, **kwargs: object) -> dict[str, object]:
    return evaluate(model, prepared / "validation", prepared / "test", out / "evaluation", out / "bundle", **kwargs)  # type: ignore[arg-type]


def test_evaluate_reads_a_model_tar_gz_as_sagemaker_hands_it_over(model_dir: Path, prepared: Path, tmp_path: Path) -> None:
    packed = tmp_path / "model"
    packed.mkdir()
    with tarfile.open(packed / "model.tar.gz", "w:gz") as tar:
        for file in model_dir.iterdir():
            tar.add(file, arcname=file.name)
    evaluation = _evaluate(packed, prepared, tmp_path, model_version="7")
    for path in ("evaluation/evaluation.json", "evaluation/error-distribution.png", "bundle/model.tar.gz",
                 "bundle/model.onnx", "bundle/manifest.json"):
        assert (tmp_path / path).is_file(), path
    assert json.loads((tmp_path / "evaluation" / "evaluation.json").read_text()) == evaluation
    assert (tmp_path / "bundle" / "model.onnx").read_bytes() == (model_dir / "model.onnx").read_bytes()
    validate_manifest(read_json(tmp_path / "bundle" / "manifest.json"), SCHEMA)


def test_threshold_is_the_quantile_of_validation_scores_times_the_margin(model_dir: Path, prepared: Path, tmp_path: Path) -> None:
    evaluation = _evaluate(model_dir, prepared, tmp_path, rule=ThresholdRule(quantile=0.9, margin=1.2), model_version="1")
    session = ort.InferenceSession(str(model_dir / "model.onnx"))
    scores = session.run(["score"], {"window": WindowSet.load(prepared / "validation").windows})[0]
    assert evaluation["threshold"]["value"] == pytest.approx(np.quantile(scores, 0.9) * 1.2, rel=1e-6)  # type: ignore[index]
    assert evaluation["reconstruction_error"]["count"] == len(scores)  # type: ignore[index]


def test_a_pot_threshold_goes_into_the_evaluation_and_the_manifest_with_its_evidence(
    model_dir: Path, prepared: Path, tmp_path: Path
) -> None:
    evaluation = _evaluate(model_dir, prepared, tmp_path, rule=ThresholdRule(name="pot", initial_quantile=0.8), model_version="1")
    manifest = read_json(tmp_path / "bundle" / "manifest.json")
    validate_manifest(manifest, SCHEMA)
    assert manifest["threshold"] == evaluation["threshold"]
    parameters = evaluation["threshold"]["parameters"]  # type: ignore[index]
    assert parameters["excesses"] >= 10 and parameters["evidence"]["folds"] == 2
    assert evaluation["threshold"]["value"] > parameters["initialThreshold"]  # type: ignore[index]


def test_evaluation_json_has_the_property_file_paths_and_per_class_metrics(model_dir: Path, prepared: Path, tmp_path: Path) -> None:
    evaluation = _evaluate(model_dir, prepared, tmp_path, model_version="1")
    for metric in ("roc_auc", "pr_auc", "f1", "precision", "recall"):
        assert 0 <= evaluation["metrics"][metric]["value"] <= 1  # type: ignore[index]
    classes = set(WindowSet.load(prepared / "test").labels) - {"normal"}
    assert set(evaluation["per_class"]) == classes  # type: ignore[arg-type]
    for values in evaluation["per_class"].values():  # type: ignore[union-attr]
        assert 0 <= values["roc_auc"]["value"] <= 1 and 0 <= values["recall"]["value"] <= 1
    test = WindowSet.load(prepared / "test")
    left_out = int((test.settling & (test.labels == "normal")).sum())
    assert left_out > 0, "the fixture has normal windows right after defect episodes"
    assert evaluation["test"]["settling_windows_left_out"] == left_out  # type: ignore[index]
    assert sum(evaluation["test"]["confusion"].values()) == len(test) - left_out  # type: ignore[index]


def test_metrics_are_null_without_labels(welding_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    preprocess(welding_data, data, ReadOptions(channels=WELDING), PreprocessOptions())
    train(data / "train", data / "validation", tmp_path / "model", replace(FAST, epochs=1))
    evaluation = _evaluate(tmp_path / "model", data, tmp_path, model_version="1")
    assert all(v["value"] is None for v in evaluation["metrics"].values())  # type: ignore[union-attr]
    assert evaluation["per_class"] == {}
    assert read_json(tmp_path / "bundle" / "manifest.json")["metrics"] == evaluation["metrics"]


def test_evaluate_rejects_a_folder_without_a_model(prepared: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="neither model.onnx nor model.tar.gz"):
        _evaluate(tmp_path, prepared, tmp_path)


def test_the_manifest_carries_the_training_baseline_and_the_validation_score_histogram(
    model_dir: Path, prepared: Path, tmp_path: Path
) -> None:
    evaluation = _evaluate(model_dir, prepared, tmp_path, model_version="1")
    manifest = read_json(tmp_path / "bundle" / "manifest.json")
    validate_manifest(manifest, SCHEMA)
    baseline = manifest["baseline"]
    assert baseline["channels"] == read_json(prepared / "train" / "metadata.json")["baseline"]["channels"]  # type: ignore[index]
    session = ort.InferenceSession(str(model_dir / "model.onnx"))
    scores = session.run(["score"], {"window": WindowSet.load(prepared / "validation").windows})[0]
    expected = histogram(scores).to_json("validation")
    assert baseline["score"]["edges"] == pytest.approx(expected["edges"], rel=1e-6)  # type: ignore[index]
    assert baseline["score"]["proportions"] == pytest.approx(expected["proportions"])  # type: ignore[index]
    assert baseline["score"]["samples"] == len(scores)  # type: ignore[index]
    drift = evaluation["drift"]
    assert drift["channels"] == read_json(prepared / "train" / "metadata.json")["drift"]["channels"]  # type: ignore[index]
    assert set(drift["channels"]) == {"validation", "test"}  # type: ignore[index]
    assert drift["score"]["test_normal"] >= 0  # type: ignore[index]


def test_each_asset_entry_gets_the_histogram_of_its_validation_scores_from_50_windows_on(
    cells_prepared: Path, tmp_path: Path
) -> None:
    train(cells_prepared / "train", cells_prepared / "validation", tmp_path / "model",
          replace(FAST, epochs=1, architecture=ArchitectureConfig(architecture="dense")))
    evaluation = _evaluate(tmp_path / "model", cells_prepared, tmp_path, model_version="1")
    manifest = read_json(tmp_path / "bundle" / "manifest.json")
    validate_manifest(manifest, SCHEMA)
    metadata = read_json(cells_prepared / "train" / "metadata.json")
    assets = manifest["baseline"]["assets"]  # type: ignore[index]
    assert [(a["series"], a["channels"]) for a in assets] == [
        (a["series"], a["channels"]) for a in metadata["baseline"]["assets"]  # type: ignore[index]
    ]
    validation = WindowSet.load(cells_prepared / "validation")
    scores = ort.InferenceSession(str(tmp_path / "model" / "model.onnx")).run(["score"], {"window": validation.windows})[0]
    cells = [s["cell"] for s in metadata["series"]]  # type: ignore[union-attr]
    drift = evaluation["drift"]["assets"]  # type: ignore[index]
    assert [d["series"] for d in drift] == [a["series"] for a in assets]
    for asset, evidence in zip(assets, drift):
        mine = validation.series == cells.index(asset["series"]["cell"])
        if mine.sum() < MIN_ASSET_SCORE_WINDOWS:
            assert asset["series"]["cell"] == "cell-030", "only cell-030 stops early in the validation period"
            assert "score" not in asset and evidence["score"]["test_normal"] is None
            continue
        expected = histogram(scores[mine]).to_json("validation")
        assert asset["score"]["edges"] == pytest.approx(expected["edges"], rel=1e-6)
        assert asset["score"]["proportions"] == pytest.approx(expected["proportions"])
        assert asset["score"]["samples"] == int(mine.sum())
        assert evidence["score"]["test_normal"] >= 0
    assert "score" in assets[0] and "score" not in assets[2]
    assert [{k: v for k, v in d.items() if k != "score"} for d in drift] == metadata["drift"]["assets"]  # type: ignore[index]


def test_windows_with_unknown_labels_are_left_out_of_the_metrics_and_counted(
    model_dir: Path, inspected_prepared: Path, tmp_path: Path
) -> None:
    """The model was trained on other windows of the same data; only the counting matters here."""
    evaluation = _evaluate(model_dir, inspected_prepared, tmp_path, model_version="1")
    test = WindowSet.load(inspected_prepared / "test")
    unknown = int((test.labels == "uninspected").sum())
    settling = int((test.settling & (test.labels == "normal")).sum())
    assert unknown > 0
    assert evaluation["test"]["unknown_label_windows_left_out"] == unknown  # type: ignore[index]
    assert evaluation["test"]["settling_windows_left_out"] == settling  # type: ignore[index]
    assert sum(evaluation["test"]["confusion"].values()) == len(test) - unknown - settling  # type: ignore[index]
    assert "uninspected" not in evaluation["per_class"]  # type: ignore[operator]
    validate_manifest(read_json(tmp_path / "bundle" / "manifest.json"), SCHEMA)


@pytest.mark.parametrize("architecture", ["pca", "dense"])
def test_centred_windows_score_shapes_not_levels(architecture: str, prepared: Path, tmp_path: Path) -> None:
    windows = WindowSet.load(prepared / "train").windows
    validation = WindowSet.load(prepared / "validation").windows[:32]
    config = ArchitectureConfig(architecture=architecture, centre_windows=True)
    scorer, _, _ = fit(windows, validation, replace(FAST, epochs=2, architecture=config))
    # the same windows at other levels (each channel moved by its own constant) score the same
    moved = validation + np.array([3.0, -2.0, 0.5, 10.0], dtype=np.float32)[None, :, None]
    with torch.no_grad():
        score, reconstruction = scorer(torch.from_numpy(validation))
        moved_score, moved_reconstruction = scorer(torch.from_numpy(moved))
    np.testing.assert_allclose(moved_score.numpy(), score.numpy(), rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(moved_reconstruction.numpy() - reconstruction.numpy(), moved - validation, atol=1e-3)
    path = export_onnx(scorer, tmp_path / "centred.onnx", *windows.shape[1:])
    assert max(check_export(scorer, path, validation).values()) <= 1e-5


@pytest.mark.parametrize(
    ("arguments", "centred"),
    [([], False), (["--centre-windows"], True), (["--centre-windows", "true"], True), (["--centre-windows", "False"], False)],
)
def test_centre_windows_is_a_flag_locally_and_a_true_false_hyperparameter_for_sagemaker(
    arguments: list[str], centred: bool
) -> None:
    parser = argparse.ArgumentParser()
    add_hyperparameter_arguments(parser)
    assert hyperparameters_from(parser.parse_args(arguments)).architecture.centre_windows is centred


def test_centre_windows_refuses_anything_but_true_or_false(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_hyperparameter_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--centre-windows", "yes"])
    assert "expected true or false, got 'yes'" in capsys.readouterr().err
