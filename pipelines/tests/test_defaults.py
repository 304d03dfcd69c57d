"""`npm run ml -- train` starts from the defaults the SageMaker pipeline's parameters take
(``defaults.json``, read by the CDK construct too; its jest test checks the pipeline's side)."""

from __future__ import annotations

import json

from uns_anomaly.cli import build_parser
from uns_anomaly.defaults import DEFAULTS_FILE
from uns_anomaly.preprocess import preprocess_options_from, read_options_from
from uns_anomaly.thresholds import threshold_rule_from
from uns_anomaly.train import hyperparameters_from


def test_a_bare_local_training_uses_the_shared_defaults() -> None:
    shared = json.loads(DEFAULTS_FILE.read_text())
    args = build_parser().parse_args(["train", "--input", "data.csv", "--out", "bundle"])
    read = read_options_from(args)
    windows = preprocess_options_from(args)
    hyperparameters = hyperparameters_from(args)
    rule = threshold_rule_from(args)

    assert {
        "channels": list(read.channels),
        "timeColumn": read.time_column,
        "window": windows.window,
        "stride": windows.stride,
        "architecture": hyperparameters.architecture.architecture,
        "latentDim": hyperparameters.architecture.latent_dim,
        "centreWindows": hyperparameters.architecture.centre_windows,
        "epochs": hyperparameters.epochs,
        "batchSize": hyperparameters.batch_size,
        "learningRate": hyperparameters.learning_rate,
        "patience": hyperparameters.patience,
        "seed": hyperparameters.seed,
        "thresholdRule": rule.name,
        "thresholdQuantile": rule.quantile,
        "thresholdRisk": rule.risk,
        "modelName": args.model_name,
    } == shared
