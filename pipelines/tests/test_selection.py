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
    windows = np.random.default_rng(0).normal(size=(24, 4, 32)).astype(np.float32)
    faulty = perturb(windows, seed=1)
    assert faulty.shape == windows.shape and faulty.dtype == windows.dtype
    for i in range(len(windows)):
        changed = np.argwhere(faulty[i] != windows[i])
        assert set(changed[:, 0].tolist()) == {i % 4}, "only the window's own channel"
        assert changed[:, 1].min() >= 16, "only its second half"
    assert PERTURBATIONS == ("level-shift", "noise", "flat-line", "spike", "gain", "swap")
    difference = faulty[:, 0, 16:] - windows[:, 0, 16:]
    assert np.allclose(difference[0], 1.0)  # window 0: a level shift of 1
    assert 0.2 < difference[4].std() < 0.8  # window 4: noise of standard deviation 0.5 (16 draws)
    assert np.all(faulty[8, 0, 16:] == windows[8, 0, 15])  # window 8: stuck at its last value
    assert np.isclose(difference[12].max(), 3.0) and np.count_nonzero(difference[12]) == 1  # a spike
    tail = windows[16, 0, 16:]
    assert np.allclose(faulty[16, 0, 16:], tail.mean() + 0.7 * (tail - tail.mean()))  # gain 0.7
    assert np.array_equal(faulty[20, 0, 16:], windows[(20 + 12) % 24, 0, 16:])  # another window's


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
