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
from dataclasses import replace
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


def select_architecture(
    train: np.ndarray, validation: np.ndarray, hp: Hyperparameters, fit: Fit
) -> tuple[AnomalyScorer, list[dict[str, float]], int, Hyperparameters, dict[str, object]]:
    """Fits every candidate with ``fit``; returns the chosen one's scorer, history and best epoch,
    its hyperparameters, and the evidence for ``training.json``."""
    faulty = perturb(validation, hp.seed)
    results = []
    for name in CANDIDATES:
        candidate = replace(hp, architecture=replace(hp.architecture, architecture=name))
        started = time.monotonic()
        scorer, history, best = fit(train, validation, candidate)
        rate = detection_rate(scorer, validation, faulty)
        loss = history[best - 1]["validation_loss"]
        say(f"candidate {name}: detects {rate:.1%} of perturbed validation windows, validation loss {loss:.5f}")
        results.append({
            "architecture": name, "detectionRate": rate, "validationLoss": loss,
            "seconds": round(time.monotonic() - started, 2), "fitted": (scorer, history, best, candidate),
        })
    best_rate = max(float(r["detectionRate"]) for r in results)  # type: ignore[arg-type]
    contenders = [r for r in results if float(r["detectionRate"]) >= best_rate - RATE_TIE]  # type: ignore[arg-type]
    chosen = min(contenders, key=lambda r: float(r["validationLoss"]))  # type: ignore[arg-type]
    scorer, history, best, chosen_hp = chosen["fitted"]  # type: ignore[misc]
    say(f"architecture auto: chose {chosen['architecture']}")
    evidence = {
        "rule": (
            f"highest share of perturbed validation windows above the {SELECTION_QUANTILE:g} quantile of the "
            f"clean ones' scores; within {RATE_TIE:g}, lowest validation loss"
        ),
        "perturbations": list(PERTURBATIONS),
        "chosen": chosen["architecture"],
        "candidates": [{k: v for k, v in r.items() if k != "fitted"} for r in results],
    }
    return scorer, history, best, chosen_hp, evidence
