"""Train step: fits the autoencoder on normal windows, with early stopping on validation loss.

Reads ``windows.npz`` of the train and validation channels and ``train/metadata.json``; writes to
the model directory ``model.pt`` (weights and architecture), ``model.onnx`` (exported and checked
against PyTorch, see :mod:`uns_anomaly.export`), ``metadata.json`` (the preprocess metadata, passed
on to evaluate) and ``training.json`` (hyperparameters, loss per epoch, export check).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .console import guarded, say
from .defaults import default
from .errors import InputError
from .export import check_export, export_onnx
from .model import ARCHITECTURES, AnomalyScorer, ArchitectureConfig, build_autoencoder, fitted_in_one_pass
from .preprocess import METADATA_FILE, split_list
from .selection import AUTO, select_architecture
from .windows import WindowSet

MODEL_FILE = "model.pt"
ONNX_FILE = "model.onnx"
TRAINING_FILE = "training.json"


@dataclass(frozen=True)
class Hyperparameters:
    """Training hyperparameters (SageMaker passes each as ``--name value``)."""

    architecture: ArchitectureConfig = field(default_factory=ArchitectureConfig)
    epochs: int = default("epochs")
    batch_size: int = default("batchSize")
    learning_rate: float = default("learningRate")
    weight_decay: float = 0.0
    #: Epochs without a validation-loss improvement of at least ``min_delta`` (relative) before
    #: training stops; the weights of the best epoch are kept.
    patience: int = default("patience")
    min_delta: float = 1e-3
    seed: int = default("seed")
    #: ``cosine``: the learning rate decays from ``learning_rate`` to 0 over ``epochs``.
    lr_schedule: str = "cosine"
    #: CPU threads for PyTorch (0: its default, one per core). One thread is the fastest on a
    #: small shared machine; raise it on a dedicated instance.
    threads: int = 1

    def check(self) -> None:
        problems = []
        for name in ("epochs", "batch_size", "patience"):
            if getattr(self, name) < (0 if name == "patience" else 1):
                problems.append(f"{name.replace('_', ' ')} must be positive, got {getattr(self, name)}")
        if self.lr_schedule not in ("cosine", "constant"):
            problems.append(f"learning-rate schedule must be cosine or constant, got {self.lr_schedule}")
        if self.learning_rate <= 0:
            problems.append(f"learning rate must be > 0, got {self.learning_rate}")
        if problems:
            raise InputError("; ".join(problems))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def mean_loss(model: nn.Module, windows: torch.Tensor, batch_size: int) -> float:
    """Mean squared reconstruction error over ``windows`` (the mean of the window scores)."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(windows), batch_size * 8):
            batch = windows[start : start + batch_size * 8]
            total += float(torch.square(model(batch) - batch).mean(dim=(1, 2)).sum())
    return total / len(windows)


def fit(
    train: np.ndarray, validation: np.ndarray, hp: Hyperparameters
) -> tuple[AnomalyScorer, list[dict[str, float]], int]:
    """Trains on ``train`` windows; returns the scorer with the best epoch's weights, the loss
    history and the best epoch (1-based)."""
    hp.check()
    seed_everything(hp.seed)
    if hp.threads:
        torch.set_num_threads(hp.threads)
    channels, window = train.shape[1], train.shape[2]
    autoencoder = build_autoencoder(channels, window, hp.architecture)
    if fitted_in_one_pass(autoencoder):
        return _fit_in_one_pass(autoencoder, train, validation, hp.batch_size)
    optimizer = torch.optim.Adam(autoencoder.parameters(), lr=hp.learning_rate, weight_decay=hp.weight_decay)
    schedule = (
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=hp.epochs)
        if hp.lr_schedule == "cosine"
        else None
    )
    train_t, validation_t = torch.from_numpy(train), torch.from_numpy(validation)
    generator = torch.Generator().manual_seed(hp.seed)
    history: list[dict[str, float]] = []
    best_loss, best_epoch, best_state = float("inf"), 0, None
    for epoch in range(1, hp.epochs + 1):
        started = time.monotonic()
        autoencoder.train()
        order = torch.randperm(len(train_t), generator=generator)
        running, seen = 0.0, 0
        for start in range(0, len(order), hp.batch_size):
            batch = train_t[order[start : start + hp.batch_size]]
            loss = torch.square(autoencoder(batch) - batch).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            running += float(loss.detach()) * len(batch)
            seen += len(batch)
        if schedule is not None:
            schedule.step()
        validation_loss = mean_loss(autoencoder, validation_t, hp.batch_size)
        improved = validation_loss < best_loss * (1 - hp.min_delta)
        if improved:
            best_loss, best_epoch = validation_loss, epoch
            best_state = {k: v.detach().clone() for k, v in autoencoder.state_dict().items()}
        history.append({"epoch": epoch, "train_loss": running / seen, "validation_loss": validation_loss})
        say(
            f"epoch {epoch}/{hp.epochs}: train loss {running / seen:.5f}, "
            f"validation loss {validation_loss:.5f}{' (best)' if improved else ''}, "
            f"{time.monotonic() - started:.1f}s"
        )
        if epoch - best_epoch >= hp.patience:
            say(f"early stop: no validation improvement for {hp.patience} epochs; keeping epoch {best_epoch}")
            break
    if best_state is not None:
        autoencoder.load_state_dict(best_state)
    return AnomalyScorer(autoencoder).eval(), history, best_epoch


def _fit_in_one_pass(
    autoencoder: nn.Module, train: np.ndarray, validation: np.ndarray, batch_size: int
) -> tuple[AnomalyScorer, list[dict[str, float]], int]:
    """Fits the principal components in one pass: one "epoch" in the history."""
    fitted = autoencoder.fit(train)
    losses = {
        "train_loss": mean_loss(autoencoder, torch.from_numpy(train), batch_size),
        "validation_loss": mean_loss(autoencoder, torch.from_numpy(validation), batch_size),
    }
    say(
        f"pca: {fitted['components']} components explain {fitted['explainedVariance']:.1%} of the "
        f"training windows' variance; train loss {losses['train_loss']:.5f}, "
        f"validation loss {losses['validation_loss']:.5f}"
    )
    return AnomalyScorer(autoencoder).eval(), [{"epoch": 1, **losses, **fitted}], 1


def train(train_dir: Path, validation_dir: Path, model_dir: Path, hp: Hyperparameters) -> dict[str, object]:
    """Runs the step; returns what it wrote to ``training.json``."""
    for folder in (train_dir, validation_dir):
        if not (folder / "windows.npz").is_file():
            raise InputError(f"no windows.npz in {folder}: run the preprocess step first")
    if not (train_dir / METADATA_FILE).is_file():
        raise InputError(f"no {METADATA_FILE} in {train_dir}: run the preprocess step first")
    train_set, validation_set = WindowSet.load(train_dir), WindowSet.load(validation_dir)
    say(
        f"training {hp.architecture.architecture} model on {len(train_set)} windows "
        f"{tuple(train_set.windows.shape[1:])}, validating on {len(validation_set)}"
    )
    started = time.monotonic()
    selection: dict[str, object] | None = None
    if hp.architecture.architecture == AUTO:
        chosen, selection = select_architecture(train_set.windows, validation_set.windows, hp, fit)
        scorer, history, best_epoch, hp = chosen.scorer, chosen.history, chosen.best_epoch, chosen.hyperparameters
    else:
        scorer, history, best_epoch = fit(train_set.windows, validation_set.windows, hp)
    seconds = time.monotonic() - started
    model_dir.mkdir(parents=True, exist_ok=True)
    torch.save(
        {"state_dict": scorer.autoencoder.state_dict(), "architecture": asdict(hp.architecture)},
        model_dir / MODEL_FILE,
    )
    channels, window = train_set.windows.shape[1:]
    onnx_path = export_onnx(scorer, model_dir / ONNX_FILE, channels, window)
    check = check_export(scorer, onnx_path, validation_set.windows[:256])
    say(f"exported {onnx_path.name}; onnxruntime vs PyTorch max difference {max(check.values()):.2g}")
    shutil.copyfile(train_dir / METADATA_FILE, model_dir / METADATA_FILE)
    summary = {
        "hyperparameters": asdict(hp),
        "bestEpoch": best_epoch,
        "epochs": len(history),
        "bestValidationLoss": min(h["validation_loss"] for h in history),
        "history": history,
        "trainWindows": len(train_set),
        "validationWindows": len(validation_set),
        "seconds": round(seconds, 2),
        "exportCheck": {"maxAbsDifference": check, "tolerance": 1e-5},
        **({"selection": selection} if selection else {}),
    }
    (model_dir / TRAINING_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def add_hyperparameter_arguments(parser: argparse.ArgumentParser) -> None:
    hp, arch = Hyperparameters(), ArchitectureConfig()
    parser.add_argument("--architecture", default=arch.architecture, choices=[*ARCHITECTURES, AUTO],
                        help="a model family, or auto: each trained, one chosen by validation evidence")
    parser.add_argument("--latent-dim", type=int, default=arch.latent_dim)
    parser.add_argument("--hidden", default=",".join(map(str, arch.hidden)),
                        help="dense: hidden layer widths of the encoder")
    parser.add_argument("--filters", default=",".join(map(str, arch.filters)),
                        help="conv1d: channels of each encoder stage")
    parser.add_argument("--kernel-size", type=int, default=arch.kernel_size)
    parser.add_argument("--explained-variance", type=float, default=arch.explained_variance,
                        help="pca: share of the training windows' variance the components keep")
    parser.add_argument("--centre-windows", nargs="?", const="true", default=arch.centre_windows, type=_switch,
                        help="score each window around its own per-channel mean: shapes, not levels "
                        "(for processes whose levels drift); alone or with true/false (as SageMaker passes it)")
    parser.add_argument("--epochs", type=int, default=hp.epochs)
    parser.add_argument("--batch-size", type=int, default=hp.batch_size)
    parser.add_argument("--learning-rate", type=float, default=hp.learning_rate)
    parser.add_argument("--weight-decay", type=float, default=hp.weight_decay)
    parser.add_argument("--patience", type=int, default=hp.patience)
    parser.add_argument("--min-delta", type=float, default=hp.min_delta)
    parser.add_argument("--seed", type=int, default=hp.seed)
    parser.add_argument("--lr-schedule", default=hp.lr_schedule, choices=["cosine", "constant"])
    parser.add_argument("--threads", type=int, default=hp.threads)


def _switch(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, got '{text}'")
    return text.lower() == "true"


def _ints(text: str, name: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in split_list(text) or ())
    except ValueError as error:
        raise InputError(f"--{name} must be comma-separated integers, got '{text}'") from error
    if not values or min(values) < 1:
        raise InputError(f"--{name} must be positive integers, got '{text}'")
    return values


def hyperparameters_from(args: argparse.Namespace) -> Hyperparameters:
    architecture = ArchitectureConfig(
        architecture=args.architecture,
        latent_dim=args.latent_dim,
        hidden=_ints(args.hidden, "hidden"),
        filters=_ints(args.filters, "filters"),
        kernel_size=args.kernel_size,
        explained_variance=args.explained_variance,
        centre_windows=args.centre_windows,
    )
    return replace(
        Hyperparameters(),
        architecture=architecture,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        weight_decay=args.weight_decay,
        patience=args.patience,
        min_delta=args.min_delta,
        seed=args.seed,
        lr_schedule=args.lr_schedule,
        threads=args.threads,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train step: autoencoder on normal windows")
    parser.add_argument("--train", type=Path, default=Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")))
    parser.add_argument("--validation", type=Path,
                        default=Path(os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation")))
    parser.add_argument("--model-dir", type=Path, default=Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model")))
    add_hyperparameter_arguments(parser)
    args = parser.parse_args(argv)
    train(args.train, args.validation, args.model_dir, hyperparameters_from(args))


def run(argv: Sequence[str] | None = None) -> int:
    return guarded(main, argv)
