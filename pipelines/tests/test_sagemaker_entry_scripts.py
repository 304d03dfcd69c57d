"""The three entry scripts run as SageMaker runs them: `python3 <script>` inside the source dir,
container paths given as arguments or, for training, through the SM_* environment variables."""

from __future__ import annotations

import tarfile
from pathlib import Path

from conftest import SRC, read_json, run_python


def test_preprocess_train_evaluate_chain_through_the_container_contracts(welding_data: Path, tmp_path: Path) -> None:
    processing = tmp_path / "processing"
    result = run_python(
        ["preprocess.py", "--input-dir", str(welding_data), "--output-dir", str(processing / "output"),
         "--channels", "arc_current,arc_voltage,wire_feed_speed,gas_flow", "--label-column", "label",
         "--series-columns", "cell,asset", "--window", "64", "--stride", "32"],
        cwd=SRC, env={"PYTHONPATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert {p.name for p in (processing / "output").iterdir()} == {"train", "validation", "test"}

    model_dir = tmp_path / "opt-ml-model"
    result = run_python(
        ["train.py", "--architecture", "dense", "--epochs", "2", "--batch-size", "32",
         "--learning-rate", "0.002", "--patience", "2", "--seed", "3", "--latent-dim", "8", "--threads", "1"],
        cwd=SRC,
        env={
            "PYTHONPATH": "",
            "SM_CHANNEL_TRAIN": str(processing / "output" / "train"),
            "SM_CHANNEL_VALIDATION": str(processing / "output" / "validation"),
            "SM_MODEL_DIR": str(model_dir),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "epoch 2/2" in result.stdout
    assert read_json(model_dir / "training.json")["hyperparameters"]["architecture"]["latent_dim"] == 8  # type: ignore[index]

    # SageMaker hands the training output to the next step as model.tar.gz
    (processing / "model").mkdir()
    with tarfile.open(processing / "model" / "model.tar.gz", "w:gz") as tar:
        for file in model_dir.iterdir():
            tar.add(file, arcname=file.name)
    result = run_python(
        ["evaluate.py", "--model-dir", str(processing / "model"),
         "--validation", str(processing / "output" / "validation"), "--test", str(processing / "output" / "test"),
         "--evaluation-dir", str(processing / "evaluation"), "--bundle-dir", str(processing / "bundle"),
         "--threshold-quantile", "0.99", "--model-name", "seam-check", "--model-version", "2.1.0"],
        cwd=SRC, env={"PYTHONPATH": ""},
    )
    assert result.returncode == 0, result.stderr
    evaluation = read_json(processing / "evaluation" / "evaluation.json")
    assert evaluation["threshold"]["parameters"]["quantile"] == 0.99  # type: ignore[index]
    manifest = read_json(processing / "bundle" / "manifest.json")
    assert (manifest["modelName"], manifest["modelVersion"]) == ("seam-check", "2.1.0")
    assert manifest["window"] == {"length": 64, "stride": 32}
    with tarfile.open(processing / "bundle" / "model.tar.gz") as tar:
        assert sorted(tar.getnames()) == ["manifest.json", "model.onnx"]


def test_an_entry_script_reports_bad_input_in_one_line(tmp_path: Path) -> None:
    result = run_python(["preprocess.py", "--input-dir", str(tmp_path / "none"), "--output-dir", str(tmp_path),
                         "--channels", "a"], cwd=SRC, env={"PYTHONPATH": ""})
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: input not found: {tmp_path / 'none'}"
