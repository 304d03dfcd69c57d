"""The local entry point: train → bundle + evaluation, score → one row per time step, bad input."""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST_TRAINING, SCHEMA, WELDING, make_pump_frame, read_json, run_cli

from uns_anomaly.bundle import validate_manifest
from uns_anomaly.score import row_scores


def test_train_writes_the_bundle_the_evaluation_and_the_plot(trained_bundle: Path) -> None:
    for name in ("model.onnx", "manifest.json", "model.tar.gz", "evaluation.json",
                 "error-distribution.png", "training.json", "preprocess.json"):
        assert (trained_bundle / name).is_file(), name
    assert (trained_bundle / "error-distribution.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with tarfile.open(trained_bundle / "model.tar.gz") as tar:
        assert sorted(tar.getnames()) == ["manifest.json", "model.onnx"]


def test_train_writes_a_manifest_that_follows_the_schema(trained_bundle: Path) -> None:
    manifest = read_json(trained_bundle / "manifest.json")
    validate_manifest(manifest, SCHEMA)
    assert [c["name"] for c in manifest["channels"]] == list(WELDING)  # type: ignore[index]
    assert manifest["modelVersion"] == "1.0.0-test"
    assert manifest["window"] == {"length": 128, "stride": 64}
    assert manifest["sampleRateHz"] == 1000
    evaluation = read_json(trained_bundle / "evaluation.json")
    assert manifest["threshold"]["value"] == evaluation["threshold"]["value"]  # type: ignore[index]
    assert manifest["metrics"] == evaluation["metrics"]


def test_train_puts_the_drift_baseline_into_the_manifest(trained_bundle: Path) -> None:
    baseline = read_json(trained_bundle / "manifest.json")["baseline"]
    assert [c["name"] for c in baseline["channels"]] == list(WELDING)  # type: ignore[index]
    assert {c["source"] for c in baseline["channels"]} == {"training"}  # type: ignore[index]
    evaluation = read_json(trained_bundle / "evaluation.json")
    score = baseline["score"]  # type: ignore[index]
    assert (score["source"], score["samples"]) == ("validation", evaluation["reconstruction_error"]["count"])  # type: ignore[index]
    assert evaluation["drift"]["score"]["test_normal"] is not None  # type: ignore[index]
    cells = [a["series"]["cell"] for a in baseline["assets"]]  # type: ignore[index]
    assert len(cells) == 2 and len(set(cells)) == 2, "each simulated cell has a baseline of its own"
    assert {c["source"] for a in baseline["assets"] for c in a["channels"]} == {"training"}  # type: ignore[index]


def test_train_reports_progress_per_step_and_epoch(welding_data: Path, tmp_path: Path) -> None:
    result = run_cli("train", "--input", str(welding_data), "--out", str(tmp_path),
                     "--architecture", "dense", "--epochs", "2", "--patience", "2", "--threads", "1")
    assert result.returncode == 0, result.stderr
    for line in ("step 1/3: preprocess", "step 2/3: train", "epoch 1/2", "epoch 2/2",
                 "step 3/3: evaluate and export", "wrote the model bundle"):
        assert line in result.stdout


def test_score_writes_time_score_threshold_and_flag_for_every_input_row(
    trained_bundle: Path, welding_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    result = run_cli("score", "--model", str(trained_bundle), "--input", str(welding_csv), "--out", str(out))
    assert result.returncode == 0, result.stderr
    scores = pd.read_csv(out)
    source = pd.read_csv(welding_csv, usecols=["cell", "sample_time", "channel"])
    time_steps = source[source["channel"] == "arc_current"]
    assert len(scores) == len(time_steps)
    assert list(scores.columns[-4:]) == ["sample_time", "score", "threshold", "flag"]
    assert scores["sample_time"].tolist()[:3] == time_steps["sample_time"].tolist()[:3]
    threshold = read_json(trained_bundle / "manifest.json")["threshold"]["value"]  # type: ignore[index]
    assert np.allclose(scores["threshold"], threshold)
    assert scores["score"].notna().all()  # every stretch is longer than one window
    assert (scores["flag"] == (scores["score"] > threshold).astype(int)).all()


def test_score_gives_a_row_the_highest_score_of_the_windows_covering_it(
    trained_bundle: Path, tmp_path: Path
) -> None:
    """A single burst in otherwise idle data raises the score of exactly the samples whose
    windows contain it."""
    n = 1024
    frame = pd.DataFrame({"sample_time": np.arange(n) / 1000.0, **{c: np.zeros(n) for c in WELDING}})
    frame.loc[500, "arc_current"] = 600.0
    source = tmp_path / "burst.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "scores.csv"
    result = run_cli("score", "--model", str(trained_bundle), "--input", str(source), "--out", str(out))
    assert result.returncode == 0, result.stderr
    scores = pd.read_csv(out)["score"].to_numpy()
    # windows of 128 start every 64 samples: those holding sample 500 start at 384 and 448
    baseline = scores[0]
    assert np.allclose(scores[:384], baseline) and np.allclose(scores[576:], baseline)
    assert scores[384:576].min() > baseline + 0.01


def test_the_pipeline_runs_unchanged_on_wide_non_welding_data(pump_csv: Path, tmp_path: Path) -> None:
    channels = "flow_rate,discharge_pressure,motor_current,vibration_rms"
    out = tmp_path / "pump-model"
    result = run_cli(
        "train", "--input", str(pump_csv), "--channels", channels, "--time-column", "timestamp",
        "--label-column", "state", "--normal-label", "ok", "--window", "32", "--stride", "8",
        "--model-name", "pump-cavitation", "--out", str(out), "--epochs", "15", "--patience", "4",
        "--threads", "1",
    )
    assert result.returncode == 0, result.stderr
    manifest = read_json(out / "manifest.json")
    validate_manifest(manifest, SCHEMA)
    assert manifest["sampleRateHz"] == pytest.approx(10.0)
    evaluation = read_json(out / "evaluation.json")
    assert set(evaluation["per_class"]) == {"cavitation"}  # type: ignore[arg-type]
    assert evaluation["metrics"]["roc_auc"]["value"] > 0.95  # type: ignore[index]
    scored = tmp_path / "pump-scores.csv"
    result = run_cli("score", "--model", str(out), "--input", str(pump_csv), "--out", str(scored))
    assert result.returncode == 0, result.stderr
    scores = pd.read_csv(scored)
    assert len(scores) == len(make_pump_frame())
    assert scores["timestamp"].iloc[0] == pytest.approx(1_700_000_000.0)


def test_a_new_line_with_400_rows_trains_a_conv1d_model_on_windows_of_60(tmp_path: Path) -> None:
    # A data scientist's first try on a new line: a few hundred rows of normal operation, a window
    # that is not a power of two. The windows overlap for training, the warnings give the numbers.
    rows = tmp_path / "first-rows.csv"
    make_pump_frame().head(400).assign(state="ok").to_csv(rows, index=False)
    out = tmp_path / "model"
    result = run_cli(
        "train", "--input", str(rows), "--channels", "flow_rate,discharge_pressure,motor_current,vibration_rms",
        "--time-column", "timestamp", "--window", "60", "--architecture", "conv1d",
        "--out", str(out), *FAST_TRAINING,
    )
    assert result.returncode == 0, result.stderr
    assert "training stride 1 (chosen from the data): 181 training windows" in result.stdout
    assert "warning: the threshold rests on 21 validation windows; the 0.995 quantile needs 200" in result.stdout
    manifest = read_json(out / "manifest.json")
    validate_manifest(manifest, SCHEMA)
    assert manifest["window"] == {"length": 60, "stride": 30}
    scored = tmp_path / "scores.csv"
    assert run_cli("score", "--model", str(out), "--input", str(rows), "--out", str(scored)).returncode == 0
    assert pd.read_csv(scored)["score"].notna().all()


def _one_line_error(result: object) -> str:
    assert result.returncode == 2, result.stderr  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    return lines[0]


def _write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "input.csv"
    frame.to_csv(path, index=False)
    return path


def _wide(n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"sample_time": np.arange(n) / 100.0, "a": rng.normal(size=n), "b": rng.normal(size=n)})


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing file", "input not found"),
        ("missing time column", "column(s) sample_time not found"),
        ("unknown channel", "channel column(s) c not found"),
        ("no numeric data", "channel 'b' has no numeric values"),
        ("all-NaN channel", "channel 'b' has no numeric values"),
        ("fewer rows than one window", "fewer than one window of 128"),
        ("unparseable time", "time column 'sample_time' has values that are not times"),
        ("empty file", "is empty"),
    ],
)
def test_train_rejects_bad_input_with_one_line(case: str, expected: str, tmp_path: Path) -> None:
    channels = "a,b"
    frame = _wide()
    if case == "missing file":
        source = tmp_path / "nothing-here.csv"
    elif case == "missing time column":
        source = _write(tmp_path, frame.drop(columns=["sample_time"]))
    elif case == "unknown channel":
        source, channels = _write(tmp_path, frame), "a,c"
    elif case == "no numeric data":
        source = _write(tmp_path, frame.assign(b="n/a"))
    elif case == "all-NaN channel":
        source = _write(tmp_path, frame.assign(b=np.nan))
    elif case == "fewer rows than one window":
        source = _write(tmp_path, frame.head(100))
    elif case == "unparseable time":
        source = _write(tmp_path, frame.assign(sample_time="yesterday"))
    else:
        source = tmp_path / "empty.csv"
        source.write_text("")
    result = run_cli("train", "--input", str(source), "--channels", channels, "--out", str(tmp_path / "out"), *FAST_TRAINING)
    assert expected in _one_line_error(result)
    assert not (tmp_path / "out").exists()


def test_train_rejects_an_unknown_channel_of_long_data(welding_data: Path, tmp_path: Path) -> None:
    result = run_cli("train", "--input", str(welding_data), "--channels", "arc_current,torch_angle",
                     "--out", str(tmp_path), *FAST_TRAINING)
    assert "unknown channel(s) torch_angle" in _one_line_error(result)


def test_score_rejects_a_missing_bundle_and_a_missing_channel(trained_bundle: Path, tmp_path: Path) -> None:
    source = _write(tmp_path, _wide())
    result = run_cli("score", "--model", str(tmp_path), "--input", str(source), "--out", str(tmp_path / "s.csv"))
    assert "no manifest.json" in _one_line_error(result)
    result = run_cli("score", "--model", str(trained_bundle), "--input", str(source), "--out", str(tmp_path / "s.csv"))
    assert "not found" in _one_line_error(result)


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("max", [1, 1, 2, 2, 3, 3, 4, 4, 4, 4, np.nan]),
        ("mean", [1, 1, 1.5, 1.5, 2.5, 2.5, 3.5, 3.5, 4, 4, np.nan]),
        ("last", [1, 1, 2, 2, 3, 3, 4, 4, 4, 4, np.nan]),
    ],
)
def test_a_rows_score_is_the_max_mean_or_last_of_the_windows_covering_it(how: str, expected: list[float]) -> None:
    # windows of 4 samples starting every 2: samples 2-7 are in two windows, sample 10 in none
    scores = row_scores(11, np.array([0, 2, 4, 6]), 4, np.array([1.0, 2.0, 3.0, 4.0]), how)
    np.testing.assert_array_equal(scores, np.array(expected))


def test_last_differs_from_max_when_a_later_window_scores_lower() -> None:
    scores = row_scores(6, np.array([0, 2]), 4, np.array([5.0, 1.0]), "last")
    np.testing.assert_array_equal(scores, [5, 5, 1, 1, 1, 1])
