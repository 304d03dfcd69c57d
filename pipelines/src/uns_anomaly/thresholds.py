"""Threshold rules: from the scores of held-out normal validation windows to the value above which a
window is anomalous, with evidence of how the rule holds on normal windows it was not set on.

- ``quantile`` (default): the ``quantile`` (0.995) of the scores, times ``margin`` (1.0).
- ``pot``: peaks over threshold, from extreme value theory (Siffer et al., "Anomaly detection in
  streams with extreme value theory", KDD 2017): a generalized Pareto distribution fitted to the
  scores' excesses over their ``initial_quantile`` (0.98) gives the score that a normal window
  exceeds with probability ``risk`` (0.001), times ``margin``. Unlike a quantile it extrapolates
  beyond the largest score seen; it needs at least :data:`MIN_EXCESSES` excesses to fit.

Evidence (``parameters.evidence``): the validation windows are split in halves (first and second,
in their order: by series, then time); the rule is set on each half and the share of the other
half's windows above it is its held-out false alarm rate. Their mean is given with the rate the rule
aims at (``1 - quantile`` or ``risk``, before the margin): a held-out rate far above it says the
threshold will not hold on new normal data.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from .console import say
from .defaults import default
from .errors import InputError

RULES = ("quantile", "pot")
#: Excesses over the initial quantile that the generalized Pareto fit needs at least.
MIN_EXCESSES = 10


@dataclass(frozen=True)
class ThresholdRule:
    """A rule and its parameters (see the module's documentation)."""

    name: str = default("thresholdRule")
    quantile: float = default("thresholdQuantile")
    margin: float = 1.0
    risk: float = default("thresholdRisk")
    initial_quantile: float = 0.98

    def check(self) -> None:
        problems = []
        if self.name not in RULES:
            problems.append(f"unknown threshold rule '{self.name}': use {' or '.join(RULES)}")
        if not 0 < self.quantile <= 1:
            problems.append(f"threshold quantile must be in (0, 1], got {self.quantile}")
        if self.margin <= 0:
            problems.append(f"threshold margin must be > 0, got {self.margin}")
        if not 0 < self.risk < 1:
            problems.append(f"threshold risk must be in (0, 1), got {self.risk}")
        if not 0 < self.initial_quantile < 1:
            problems.append(f"initial quantile must be in (0, 1), got {self.initial_quantile}")
        if problems:
            raise InputError("; ".join(problems))

    @property
    def aimed_false_alarm_rate(self) -> float:
        """The share of normal windows above the threshold the rule aims at (before the margin)."""
        return self.risk if self.name == "pot" else 1 - self.quantile

    def describe(self) -> str:
        if self.name == "pot":
            return (
                f"peaks over threshold: generalized Pareto fit to the excesses over the "
                f"{self.initial_quantile:g} quantile of the scores of held-out normal validation windows, "
                f"score exceeded with probability {self.risk:g} x {self.margin:g}"
            )
        return f"quantile {self.quantile:g} of the scores of held-out normal validation windows x {self.margin:g}"

    def fit(self, scores: np.ndarray) -> tuple[float, dict[str, float | int]]:
        """The threshold for ``scores`` and what was fitted to find it."""
        if self.name == "quantile":
            return float(np.quantile(scores, self.quantile)) * self.margin, {}
        value, fitted = peaks_over_threshold(scores, self.risk, self.initial_quantile)
        return value * self.margin, fitted


def peaks_over_threshold(scores: np.ndarray, risk: float, initial_quantile: float) -> tuple[float, dict[str, float | int]]:
    """The score a normal window exceeds with probability ``risk``, from a generalized Pareto
    distribution fitted (maximum likelihood) to the excesses over the ``initial_quantile``."""
    from scipy.stats import genpareto

    initial = float(np.quantile(scores, initial_quantile))
    excesses = scores[scores > initial] - initial
    if excesses.size < MIN_EXCESSES:
        raise InputError(
            f"peaks over threshold needs {MIN_EXCESSES} or more validation scores above their "
            f"{initial_quantile:g} quantile, got {excesses.size} of {scores.size} windows: give more "
            "normal data or use --threshold-rule quantile"
        )
    shape, _, scale = genpareto.fit(excesses.astype(np.float64), floc=0)
    # P(score > initial + y) = (excesses / scores) * survival(y): solve for ``risk``
    ratio = risk * scores.size / excesses.size
    if abs(shape) < 1e-9:
        value = initial - scale * np.log(ratio)
    else:
        value = initial + scale / shape * (ratio ** (-shape) - 1)
    return float(value), {
        "initialThreshold": initial,
        "excesses": int(excesses.size),
        "shape": float(shape),
        "scale": float(scale),
    }


def windows_for_quantile(quantile: float) -> int:
    """Scores needed for the ``quantile`` to fall between two of them rather than on the largest."""
    return 1 if quantile >= 1 else int(np.ceil(1 / (1 - quantile) - 1e-9))


def held_out_false_alarm_rate(scores: np.ndarray, rule: ThresholdRule) -> float | None:
    """The mean, over the two halves of ``scores``, of the share of one half above the threshold
    the rule sets on the other; None when a half cannot set one."""
    half = scores.size // 2
    halves = (scores[:half], scores[half:])
    rates = []
    for fitted_on, held_out in (halves, halves[::-1]):
        if not fitted_on.size or not held_out.size:
            return None
        try:
            value, _ = rule.fit(fitted_on)
        except InputError:
            return None
        rates.append(float((held_out > value).mean()))
    return float(np.mean(rates))


def choose_threshold(validation_scores: np.ndarray, rule: ThresholdRule) -> dict[str, object]:
    """The threshold, its rule and parameters, and the held-out evidence (see the module)."""
    rule.check()
    value, fitted = rule.fit(validation_scores)
    needed = windows_for_quantile(rule.quantile)
    if rule.name == "quantile" and validation_scores.size < needed:
        say(
            f"warning: the threshold rests on {validation_scores.size} validation windows; the "
            f"{rule.quantile:g} quantile needs {needed} or more to be more than their largest score: "
            "give more normal data, a shorter window or a shorter --train-stride"
        )
    parameters: dict[str, object] = {
        "quantile": rule.quantile,
        "margin": rule.margin,
        **({"risk": rule.risk, "initialQuantile": rule.initial_quantile, **fitted} if rule.name == "pot" else {}),
        "validationWindows": int(validation_scores.size),
        "evidence": {
            "heldOutFalseAlarmRate": held_out_false_alarm_rate(validation_scores, rule),
            "aimedFalseAlarmRate": rule.aimed_false_alarm_rate,
            "folds": 2,
        },
    }
    return {"value": value, "rule": rule.describe(), "parameters": parameters}


def add_threshold_rule_arguments(parser: argparse.ArgumentParser) -> None:
    rule = ThresholdRule()
    parser.add_argument("--threshold-rule", default=rule.name, choices=list(RULES),
                        help="quantile of the validation scores, or peaks over threshold (extreme value theory)")
    parser.add_argument("--threshold-quantile", type=float, default=rule.quantile,
                        help="quantile rule: quantile of the validation (normal) scores the threshold starts from")
    parser.add_argument("--threshold-margin", type=float, default=rule.margin,
                        help="factor applied to the rule's value")
    parser.add_argument("--threshold-risk", type=float, default=rule.risk,
                        help="pot rule: probability that a normal window scores above the threshold")


def threshold_rule_from(args: argparse.Namespace) -> ThresholdRule:
    return ThresholdRule(
        name=args.threshold_rule,
        quantile=args.threshold_quantile,
        margin=args.threshold_margin,
        risk=args.threshold_risk,
    )
