"""Autoencoder architectures and the scoring wrapper that is exported to ONNX.

Both variants map a window ``[batch, channels, length]`` of z-scored values to its reconstruction
of the same shape:

- ``dense``: the window flattened, fully connected layers down to ``latent_dim`` and back up;
- ``conv1d``: strided 1-D convolutions (each halves the length), a fully connected bottleneck of
  ``latent_dim``, and a decoder of nearest-neighbour upsampling followed by a convolution per stage
  (cheaper at inference than transposed convolutions and free of their checkerboard artefacts).

:class:`AnomalyScorer` adds the score, so the exported graph returns it and the edge runtime and
Python compute exactly the same number: the mean over channels and time of the squared difference
between the input and its reconstruction.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .errors import InputError

ARCHITECTURES = ("dense", "conv1d")


@dataclass(frozen=True)
class ArchitectureConfig:
    """Shape of the autoencoder (hyperparameters of the training step)."""

    architecture: str = "conv1d"
    latent_dim: int = 128
    #: Dense: widths of the hidden layers of the encoder (the decoder mirrors them).
    hidden: tuple[int, ...] = (256, 64)
    #: Conv1d: output channels of each strided encoder convolution (the decoder mirrors them).
    filters: tuple[int, ...] = (16, 32, 32)
    kernel_size: int = 5


def check_architecture(config: ArchitectureConfig, window: int) -> None:
    problems = []
    if config.architecture not in ARCHITECTURES:
        problems.append(f"unknown architecture '{config.architecture}': use {' or '.join(ARCHITECTURES)}")
    if config.latent_dim < 1:
        problems.append(f"latent dim must be >= 1, got {config.latent_dim}")
    if config.architecture == "conv1d":
        factor = 2 ** len(config.filters)
        if window % factor:
            problems.append(
                f"conv1d with {len(config.filters)} stages needs a window divisible by {factor}, "
                f"got {window}"
            )
        if config.kernel_size < 1 or config.kernel_size % 2 == 0:
            problems.append(f"kernel size must be odd, got {config.kernel_size}")
    if problems:
        raise InputError("; ".join(problems))


class DenseAutoencoder(nn.Module):
    def __init__(self, channels: int, window: int, config: ArchitectureConfig) -> None:
        super().__init__()
        self.channels, self.window = channels, window
        widths = [channels * window, *config.hidden, config.latent_dim]
        encoder: list[nn.Module] = []
        decoder: list[nn.Module] = []
        for width_in, width_out in zip(widths[:-1], widths[1:]):
            encoder += [nn.Linear(width_in, width_out), nn.ReLU()]
        for width_in, width_out in zip(widths[:0:-1], widths[-2::-1]):
            decoder += [nn.Linear(width_in, width_out), nn.ReLU()]
        encoder.pop()  # the latent code and the output are linear
        decoder.pop()
        self.encoder = nn.Sequential(*encoder)
        self.decoder = nn.Sequential(*decoder)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = torch.flatten(x, start_dim=1)
        return self.decoder(self.encoder(flat)).reshape(-1, self.channels, self.window)


class Conv1dAutoencoder(nn.Module):
    def __init__(self, channels: int, window: int, config: ArchitectureConfig) -> None:
        super().__init__()
        pad = config.kernel_size // 2
        filters = list(config.filters)
        encoder: list[nn.Module] = []
        for width_in, width_out in zip([channels, *filters[:-1]], filters):
            encoder += [nn.Conv1d(width_in, width_out, config.kernel_size, stride=2, padding=pad), nn.ReLU()]
        self.encoder = nn.Sequential(*encoder)
        self.reduced = window // 2 ** len(filters)
        self.bottom = filters[-1]
        self.to_latent = nn.Linear(self.bottom * self.reduced, config.latent_dim)
        self.from_latent = nn.Linear(config.latent_dim, self.bottom * self.reduced)
        decoder: list[nn.Module] = []
        widths_out = [*filters[-2::-1], filters[0]]
        for width_in, width_out in zip(filters[::-1], widths_out):
            decoder += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv1d(width_in, width_out, config.kernel_size, padding=pad),
                nn.ReLU(),
            ]
        decoder.append(nn.Conv1d(filters[0], channels, config.kernel_size, padding=pad))
        self.decoder = nn.Sequential(*decoder)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        encoded = torch.flatten(self.encoder(x), start_dim=1)
        latent = self.to_latent(encoded)
        expanded = torch.relu(self.from_latent(latent)).reshape(-1, self.bottom, self.reduced)
        return self.decoder(expanded)


def build_autoencoder(channels: int, window: int, config: ArchitectureConfig) -> nn.Module:
    check_architecture(config, window)
    if config.architecture == "dense":
        return DenseAutoencoder(channels, window, config)
    return Conv1dAutoencoder(channels, window, config)


class AnomalyScorer(nn.Module):
    """The exported model: returns (score [batch], reconstruction [batch, channels, length])."""

    def __init__(self, autoencoder: nn.Module) -> None:
        super().__init__()
        self.autoencoder = autoencoder

    def forward(self, window: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        reconstruction = self.autoencoder(window)
        score = torch.mean(torch.square(window - reconstruction), dim=(1, 2))
        return score, reconstruction
