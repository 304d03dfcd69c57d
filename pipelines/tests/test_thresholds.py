"""Threshold rules: quantile and peaks over threshold, and the held-out evidence of each."""

from __future__ import annotations

import numpy as np
import pytest

from uns_anomaly.errors import InputError
from uns_anomaly.thresholds import (
    ThresholdRule,
    choose_threshold,
    held_out_false_alarm_rate,
    peaks_over_threshold,
    windows_for_quantile,
)

#: Scores of normal windows: exponential, so P(score > x) = exp(-x) is known exactly.
NORMAL = np.random.default_rng(11).exponential(1.0, 20_000)


def test_peaks_over_threshold_finds_the_score_exceeded_with_the_risk_asked_for() -> None:
    value, fitted = peaks_over_threshold(NORMAL, risk=1e-3, initial_quantile=0.98)
    assert value == pytest.approx(-np.log(1e-3), rel=0.1)
    assert fitted["excesses"] == 400
    assert fitted["shape"] == pytest.approx(0.0, abs=0.2)  # an exponential tail, within the fit's error


def test_peaks_over_threshold_extrapolates_beyond_the_largest_score_seen() -> None:
    scores = NORMAL[:5000]
    value, _ = peaks_over_threshold(scores, risk=1e-5, initial_quantile=0.98)
    # a quantile cannot go beyond the largest score; how far beyond it the fit goes depends on the
    # shape estimated from 100 excesses (here a little below 0: a tail a little lighter)
    assert np.quantile(scores, 1 - 1e-5) <= scores.max() < value


def test_peaks_over_threshold_refuses_too_few_excesses_and_says_what_to_do() -> None:
    with pytest.raises(InputError, match="needs 10 or more validation scores above their 0.98 quantile, got 5 of 250"):
        peaks_over_threshold(NORMAL[:250], risk=1e-3, initial_quantile=0.98)


def test_the_quantile_rule_is_the_quantile_times_the_margin_with_its_evidence() -> None:
    threshold = choose_threshold(NORMAL, ThresholdRule(quantile=0.99, margin=1.5))
    assert threshold["value"] == pytest.approx(np.quantile(NORMAL, 0.99) * 1.5)
    assert threshold["rule"] == "quantile 0.99 of the scores of held-out normal validation windows x 1.5"
    evidence = threshold["parameters"]["evidence"]  # type: ignore[index]
    assert evidence["aimedFalseAlarmRate"] == pytest.approx(0.01)
    # a margin of 1.5 on exponential scores: exp(-1.5 * 4.6) = 0.001 of new normal windows above it
    assert evidence["heldOutFalseAlarmRate"] == pytest.approx(0.001, abs=0.001)


def test_the_pot_rule_records_its_fit_in_the_parameters() -> None:
    threshold = choose_threshold(NORMAL, ThresholdRule(name="pot", risk=1e-3))
    parameters = threshold["parameters"]
    assert {"risk", "initialQuantile", "initialThreshold", "excesses", "shape", "scale"} <= set(parameters)  # type: ignore[arg-type]
    assert threshold["rule"].startswith("peaks over threshold")  # type: ignore[union-attr]
    assert parameters["evidence"]["heldOutFalseAlarmRate"] == pytest.approx(1e-3, abs=1e-3)  # type: ignore[index]


def test_held_out_evidence_shows_a_threshold_that_does_not_hold_on_new_normal_data() -> None:
    # the second half of the validation period runs hotter: what the first half sets, it exceeds
    drifting = np.concatenate([NORMAL[:5000], NORMAL[5000:10_000] * 3])
    rate = held_out_false_alarm_rate(drifting, ThresholdRule(quantile=0.99))
    assert rate is not None and rate > 5 * 0.01


def test_few_validation_windows_leave_the_evidence_empty_rather_than_fail() -> None:
    assert held_out_false_alarm_rate(NORMAL[:300], ThresholdRule(name="pot")) is None
    assert windows_for_quantile(0.995) == 200 and windows_for_quantile(0.9) == 10 and windows_for_quantile(1.0) == 1


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (ThresholdRule(name="sigma"), "unknown threshold rule 'sigma': use quantile or pot"),
        (ThresholdRule(quantile=0), "threshold quantile must be in (0, 1], got 0"),
        (ThresholdRule(margin=-1), "threshold margin must be > 0, got -1"),
        (ThresholdRule(name="pot", risk=1), "threshold risk must be in (0, 1), got 1"),
    ],
)
def test_a_wrong_rule_is_refused_with_its_reason(rule: ThresholdRule, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        choose_threshold(NORMAL, rule)
