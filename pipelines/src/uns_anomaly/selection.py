"""``--architecture auto``: every model family trained on the same windows, one chosen by evidence
from the validation windows.

The validation windows are normal, so the evidence is how well each model tells them from perturbed
copies of them (synthetic anomalies, as in Goswami et al., "Unsupervised model selection for
time-series anomaly detection", ICLR 2023). Each validation window gets, on one channel (each in
turn) and in its second half, one of six generic faults, in z-scored units: a level shift of 1,
added noise of standard deviation 0.5, a flat line (the channel stuck at its last value), a spike of
3 at one sample, a gain of 0.7 around the half's mean, or the same channel's samples from another
window (plausible alone, out of place). A model's threshold is the ``quantile`` of its scores of
the clean windows; its detection rate is the share of perturbed windows scoring above it. The
family with the highest rate wins; within :data:`RATE_TIE` of it, the one with the lowest
validation loss, then the cheapest at the edge (:data:`CANDIDATES` is cheapest first).

The faults are deliberately small and varied: with large ones only (a shift of 2, a spike of 5)
every family detects most of them and PCA, which also reconstructs much of a welding defect, won
on the simulator where conv1d separates its defects far better (ROC-AUC 0.65 against 0.95).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import torch

from .console import say
from .model import AnomalyScorer

if TYPE_CHECKING:
    from .train import Hyperparameters

AUTO = "auto"
#: The families ``auto`` chooses from, cheapest at the edge first.
CANDIDATES = ("pca", "dense", "conv1d")
PERTURBATIONS = ("level-shift", "noise", "flat-line", "spike", "gain", "swap")
#: Detection rates this close count as equal.
RATE_TIE = 0.01
#: The clean windows' score quantile each candidate's detection rate is measured at.
SELECTION_QUANTILE = 0.99

Fit = Callable[[np.ndarray, np.ndarray, "Hyperparameters"], tuple[AnomalyScorer, list[dict[str, float]], int]]


def perturb(windows: np.ndarray, seed: int) -> np.ndarray:
    """A copy of ``windows`` [n, channels, length] with one fault each (see the module)."""
    rng = np.random.default_rng(seed)
    faulty = windows.copy()
    count, channels, length = windows.shape
    half = length // 2
    for i in range(count):
        channel, kind = i % channels, PERTURBATIONS[(i // channels) % len(PERTURBATIONS)]
        tail = faulty[i, channel, half:]
        if kind == "level-shift":
            tail += 1.0
        elif kind == "noise":
            tail += rng.normal(0.0, 0.5, tail.shape).astype(windows.dtype)
        elif kind == "flat-line":
            tail[:] = faulty[i, channel, half - 1]
        elif kind == "spike":
            tail[i % tail.size] += 3.0
        elif kind == "gain":
            tail[:] = tail.mean() + 0.7 * (tail - tail.mean())
        else:  # another window's samples of the channel: plausible alone, out of place here
            tail[:] = windows[(i + count // 2) % count, channel, half:]
    return faulty


def scores_of(scorer: AnomalyScorer, windows: np.ndarray, batch: int = 1024) -> np.ndarray:
    with torch.no_grad():
        return np.concatenate(
            [scorer(torch.from_numpy(windows[i : i + batch]))[0].numpy() for i in range(0, len(windows), batch)]
        )


def detection_rate(scorer: AnomalyScorer, clean: np.ndarray, faulty: np.ndarray) -> float:
    """Share of ``faulty`` windows above the :data:`SELECTION_QUANTILE` of the ``clean`` ones' scores."""
    threshold = np.quantile(scores_of(scorer, clean), SELECTION_QUANTILE)
    return float((scores_of(scorer, faulty) > threshold).mean())


@dataclass
class Candidate:
    """A family fitted on the training windows, and its evidence."""

    hyperparameters: Hyperparameters
    scorer: AnomalyScorer
    history: list[dict[str, float]]
    best_epoch: int
    detection_rate: float
    seconds: float

    @property
    def validation_loss(self) -> float:
        return self.history[self.best_epoch - 1]["validation_loss"]

    def to_json(self) -> dict[str, object]:
        return {
            "architecture": self.hyperparameters.architecture.architecture,
            "detectionRate": self.detection_rate,
            "validationLoss": self.validation_loss,
            "seconds": round(self.seconds, 2),
        }


def select_architecture(
    train: np.ndarray, validation: np.ndarray, hp: Hyperparameters, fit: Fit
) -> tuple[Candidate, dict[str, object]]:
    """Fits every candidate with ``fit``; returns the chosen one and the evidence for
    ``training.json``."""
    faulty = perturb(validation, hp.seed)
    candidates = []
    for name in CANDIDATES:
        hyperparameters = replace(hp, architecture=replace(hp.architecture, architecture=name))
        started = time.monotonic()
        scorer, history, best_epoch = fit(train, validation, hyperparameters)
        candidate = Candidate(
            hyperparameters, scorer, history, best_epoch,
            detection_rate=detection_rate(scorer, validation, faulty),
            seconds=time.monotonic() - started,
        )
        say(
            f"candidate {name}: detects {candidate.detection_rate:.1%} of perturbed validation windows, "
            f"validation loss {candidate.validation_loss:.5f}"
        )
        candidates.append(candidate)
    best_rate = max(c.detection_rate for c in candidates)
    chosen = min(
        (c for c in candidates if c.detection_rate >= best_rate - RATE_TIE), key=lambda c: c.validation_loss
    )
    name = chosen.hyperparameters.architecture.architecture
    say(f"architecture auto: chose {name}")
    evidence = {
        "rule": (
            f"highest share of perturbed validation windows above the {SELECTION_QUANTILE:g} quantile of the "
            f"clean ones' scores; within {RATE_TIE:g}, lowest validation loss"
        ),
        "perturbations": list(PERTURBATIONS),
        "chosen": name,
        "candidates": [c.to_json() for c in candidates],
    }
    return chosen, evidence
