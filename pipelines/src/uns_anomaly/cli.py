"""Local entry point: the pipeline's steps end to end on CPU, and scoring with a bundle.

    python -m uns_anomaly.cli train --input <file|dir> --channels a,b --out <dir> [...]
    python -m uns_anomaly.cli score --model <dir> --input <file|dir> --out <file.csv> [...]

``train`` runs preprocess → train → evaluate with the same step functions SageMaker runs (in a
temporary working folder) and writes to ``--out``: the bundle (``model.onnx``, ``manifest.json``,
``model.tar.gz``), ``evaluation.json``, ``error-distribution.png``, ``training.json`` and
``preprocess.json`` (the preprocess metadata, which ``score`` reads its reading options from).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .bundle import BUNDLE_ARCHIVE, MANIFEST_FILE, validate_manifest
from .console import guarded, say
from .dataset_io import ReadOptions
from .defaults import default
from .evaluate import EVALUATION_FILE, PLOT_FILE, add_threshold_arguments, evaluate
from .preprocess import (
    METADATA_FILE,
    add_read_arguments,
    add_window_arguments,
    preprocess,
    preprocess_options_from,
    read_options_from,
    split_list,
)
from .score import READ_OPTIONS_FILE, ROW_SCORES, saved_read_options, score_file
from .thresholds import threshold_rule_from
from .train import ONNX_FILE, TRAINING_FILE, add_hyperparameter_arguments, hyperparameters_from, train

#: The manifest's JSON Schema in the repository (absent when only ``src/`` is shipped).
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "model-bundle" / "manifest.schema.json"


def _train(args: argparse.Namespace) -> None:
    read = read_options_from(args)
    options = preprocess_options_from(args)
    hyperparameters = hyperparameters_from(args)
    out: Path = args.out
    with tempfile.TemporaryDirectory(prefix="uns-anomaly-") as work_name:
        work = Path(work_name)
        say("step 1/3: preprocess")
        preprocess(args.input, work / "data", read, options)
        say("step 2/3: train")
        train(work / "data" / "train", work / "data" / "validation", work / "model", hyperparameters)
        say("step 3/3: evaluate and export")
        evaluate(
            work / "model",
            work / "data" / "validation",
            work / "data" / "test",
            work / "evaluation",
            work / "bundle",
            threshold_rule_from(args),
            args.model_name,
            args.model_version,
        )
        manifest = json.loads((work / "bundle" / MANIFEST_FILE).read_text())
        if SCHEMA_PATH.is_file():
            validate_manifest(manifest, SCHEMA_PATH)
        out.mkdir(parents=True, exist_ok=True)
        for source in (
            work / "bundle" / ONNX_FILE,
            work / "bundle" / MANIFEST_FILE,
            work / "bundle" / BUNDLE_ARCHIVE,
            work / "evaluation" / EVALUATION_FILE,
            work / "evaluation" / PLOT_FILE,
            work / "model" / TRAINING_FILE,
        ):
            shutil.copyfile(source, out / source.name)
        shutil.copyfile(work / "model" / METADATA_FILE, out / READ_OPTIONS_FILE)
    say(f"wrote the model bundle {manifest['modelName']} {manifest['modelVersion']} and its evaluation to {out}")


def _score(args: argparse.Namespace) -> None:
    saved = saved_read_options(args.model)
    def pick(name: str) -> object:
        given = getattr(args, name)
        return given if given is not None else saved.get(name)

    series = pick("series_columns")
    read = ReadOptions(
        channels=split_list(args.channels) or (),
        time_column=str(pick("time_column") or ReadOptions.time_column),
        series_columns=split_list(series) if isinstance(series, str) else (tuple(series) if series is not None else None),
        channel_column=pick("channel_column"),  # type: ignore[arg-type]
        value_column=pick("value_column"),  # type: ignore[arg-type]
        delimiter=args.delimiter.encode().decode("unicode_escape") if args.delimiter else None,
        time_unit=str(pick("time_unit") or "s"),
    )
    result = score_file(args.model, args.input, args.out, read, args.row_score)
    flagged = int(result["flag"].sum(skipna=True))
    say(f"scored {len(result)} time steps: {flagged} flagged, {int(result['score'].isna().sum())} not scored; wrote {args.out}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="npm run ml --", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    fit = commands.add_parser("train", help="preprocess, train, evaluate and export a model bundle")
    fit.add_argument("--input", type=Path, required=True, help="CSV/Parquet file or folder")
    fit.add_argument("--out", type=Path, required=True, help="folder for the bundle and evaluation")
    add_read_arguments(fit, default_channels=",".join(default("channels")))
    add_window_arguments(fit)
    add_hyperparameter_arguments(fit)
    add_threshold_arguments(fit)

    score = commands.add_parser("score", help="score every time step of a file with a bundle")
    score.add_argument("--model", type=Path, required=True, help="folder with model.onnx and manifest.json")
    score.add_argument("--input", type=Path, required=True, help="CSV/Parquet file or folder")
    score.add_argument("--out", type=Path, required=True, help="CSV file to write")
    score.add_argument("--channels", default=None, help="default: the bundle's channels")
    for name in ("time-column", "series-columns", "channel-column", "value-column", "time-unit"):
        score.add_argument(f"--{name}", default=None, help="default: as in training")
    score.add_argument("--delimiter", default=None, help="CSV delimiter (default: detected)")
    score.add_argument("--row-score", default="max", choices=list(ROW_SCORES),
                       help="a time step's score from the windows covering it: their maximum (default), "
                       "mean, or the last one's")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "train":
        _train(args)
    else:
        _score(args)


if __name__ == "__main__":
    sys.exit(guarded(main))
