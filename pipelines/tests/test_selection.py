"""``--architecture auto``: synthetic faults on validation windows, and the family they choose."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import WELDING, read_json

from uns_anomaly.dataset_io import ReadOptions
from uns_anomaly.model import ArchitectureConfig
from uns_anomaly.preprocess import PreprocessOptions, preprocess
from uns_anomaly.selection import CANDIDATES, PERTURBATIONS, RATE_TIE, perturb
from uns_anomaly.train import Hyperparameters, train


def test_each_window_gets_one_fault_on_one_channel_in_its_second_half() -> None:
    windows = np.random.default_rng(0).normal(size=(16, 4, 32)).astype(np.float32)
    faulty = perturb(windows, seed=1)
    assert faulty.shape == windows.shape and faulty.dtype == windows.dtype
    for i in range(len(windows)):
        changed = np.argwhere(faulty[i] != windows[i])
        assert set(changed[:, 0].tolist()) == {i % 4}, "only the window's own channel"
        assert changed[:, 1].min() >= 16, "only its second half"
    # a level shift of 2 on window 0, noise on 4, a flat line on 8, a spike of 5 on 12
    assert np.allclose(faulty[0, 0, 16:] - windows[0, 0, 16:], 2.0)
    assert np.all(faulty[8, 0, 16:] == windows[8, 0, 15])
    assert np.isclose((faulty[12, 0] - windows[12, 0]).max(), 5.0)
    assert PERTURBATIONS == ("level-shift", "noise", "flat-line", "spike")


def test_auto_trains_every_family_and_keeps_the_one_the_evidence_chooses(
    welding_data: Path, tmp_path: Path
) -> None:
    preprocess(welding_data, tmp_path / "data", ReadOptions(channels=WELDING, label_column="label"), PreprocessOptions())
    hp = Hyperparameters(epochs=4, patience=2, threads=1, architecture=ArchitectureConfig(architecture="auto"))
    summary = train(tmp_path / "data" / "train", tmp_path / "data" / "validation", tmp_path / "model", hp)
    selection = summary["selection"]
    candidates = {c["architecture"]: c for c in selection["candidates"]}  # type: ignore[index]
    assert tuple(candidates) == CANDIDATES
    best_rate = max(c["detectionRate"] for c in candidates.values())
    chosen = candidates[selection["chosen"]]  # type: ignore[index]
    assert chosen["detectionRate"] >= best_rate - RATE_TIE
    assert all(
        c["validationLoss"] >= chosen["validationLoss"]
        for c in candidates.values()
        if c["detectionRate"] >= best_rate - RATE_TIE
    )
    # the bundle is the chosen family's, as the evaluate step and the manifest will say
    written = read_json(tmp_path / "model" / "training.json")
    assert written["hyperparameters"]["architecture"]["architecture"] == selection["chosen"]  # type: ignore[index]
    assert (tmp_path / "model" / "model.onnx").is_file()
