"""Autoencoder architectures and the scoring wrapper that is exported to ONNX.

Each variant maps a window ``[batch, channels, length]`` of z-scored values to its reconstruction
of the same shape:

- ``pca``: principal component analysis as a linear autoencoder: the window flattened, centred on
  the training windows' mean, projected on their first principal components and back. Its score
  is the Q statistic (squared prediction error) of multivariate statistical process control,
  divided by the window's size. Fitted in one pass (no epochs), two matrix products at the edge;

- ``dense``: the window flattened, fully connected layers down to ``latent_dim`` and back up;
- ``conv1d``: strided 1-D convolutions (each halves the length), a fully connected bottleneck of
  ``latent_dim``, and a decoder of nearest-neighbour upsampling followed by a convolution per stage
  (cheaper at inference than transposed convolutions and free of their checkerboard artefacts).
  Any window length works: a window whose length is not a multiple of ``2 ** stages`` is padded at
  its end by repeating its last sample up to the next multiple, and the reconstruction is cut back
  to the window's length (the score covers the window's own samples only).

:class:`AnomalyScorer` adds the score, so the exported graph returns it and the edge runtime and
Python compute exactly the same number: the mean over channels and time of the squared difference
between the input and its reconstruction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .defaults import default
from .errors import InputError

ARCHITECTURES = ("pca", "dense", "conv1d")


@dataclass(frozen=True)
class ArchitectureConfig:
    """Shape of the autoencoder (hyperparameters of the training step)."""

    architecture: str = default("architecture")
    latent_dim: int = default("latentDim")
    #: Dense: widths of the hidden layers of the encoder (the decoder mirrors them).
    hidden: tuple[int, ...] = (256, 64)
    #: Conv1d: output channels of each strided encoder convolution (the decoder mirrors them).
    filters: tuple[int, ...] = (16, 32, 32)
    kernel_size: int = 5
    #: PCA: the fewest principal components that explain this share of the training windows'
    #: variance (at most ``latent_dim``).
    explained_variance: float = 0.99
    #: Each window's per-channel mean is taken out before the reconstruction and added back after
    #: (:class:`WindowCentring`): the score sees shapes, not levels.
    centre_windows: bool = default("centreWindows")


def check_architecture(config: ArchitectureConfig, window: int) -> None:
    problems = []
    if config.architecture not in ARCHITECTURES:
        problems.append(f"unknown architecture '{config.architecture}': use {', '.join(ARCHITECTURES)}")
    if config.latent_dim < 1:
        problems.append(f"latent dim must be >= 1, got {config.latent_dim}")
    if not 0 < config.explained_variance <= 1:
        problems.append(f"explained variance must be in (0, 1], got {config.explained_variance}")
    if config.architecture == "conv1d":
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
        factor = 2 ** len(filters)
        self.window = window
        self.padding = -window % factor
        self.reduced = (window + self.padding) // factor
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
        if self.padding:
            x = nn.functional.pad(x, (0, self.padding), mode="replicate")
        encoded = torch.flatten(self.encoder(x), start_dim=1)
        latent = self.to_latent(encoded)
        expanded = torch.relu(self.from_latent(latent)).reshape(-1, self.bottom, self.reduced)
        return self.decoder(expanded)[:, :, : self.window]


class PcaAutoencoder(nn.Module):
    """Reconstruction from the first principal components of the training windows (see
    :meth:`fit`; before it, every window is reconstructed as zeros)."""

    def __init__(self, channels: int, window: int, config: ArchitectureConfig) -> None:
        super().__init__()
        self.channels, self.window = channels, window
        self.config = config
        self.register_buffer("mean", torch.zeros(channels * window))
        self.register_buffer("components", torch.zeros(channels * window, 0))

    def fit(self, windows: np.ndarray) -> dict[str, float | int]:
        """Fits the mean and the components on ``windows`` [n, channels, length]; returns how many
        components were kept and the share of the variance they explain."""
        flat = windows.reshape(len(windows), -1).astype(np.float64)
        mean = flat.mean(axis=0)
        centred = flat - mean
        # eigenvectors of the covariance, largest eigenvalue first
        eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / max(1, len(flat) - 1))
        eigenvalues, eigenvectors = np.clip(eigenvalues[::-1], 0, None), eigenvectors[:, ::-1]
        total = float(eigenvalues.sum())
        explained = np.cumsum(eigenvalues) / total if total > 0 else np.ones_like(eigenvalues)
        needed = int(np.searchsorted(explained, self.config.explained_variance - 1e-12) + 1)
        kept = max(1, min(needed, self.config.latent_dim, len(flat) - 1, flat.shape[1]))
        self.mean = torch.from_numpy(mean.astype(np.float32))
        self.components = torch.from_numpy(np.ascontiguousarray(eigenvectors[:, :kept], dtype=np.float32))
        return {"components": kept, "explainedVariance": float(explained[kept - 1])}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = torch.flatten(x, start_dim=1) - self.mean
        projected = (centred @ self.components) @ self.components.T
        return (projected + self.mean).reshape(-1, self.channels, self.window)


class WindowCentring(nn.Module):
    """Reconstructs each window around its own per-channel mean (instance normalization, as RevIN
    does for forecasting): a process whose levels wander with weather, wear or set points scores
    by the shape of its windows, not by how far its level moved since training. The price: a pure
    level shift is not seen once a window lies entirely after it."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        level = torch.mean(x, dim=2, keepdim=True)
        return self.inner(x - level) + level

    def fit(self, windows: np.ndarray) -> dict[str, float | int]:
        """Fits a one-pass inner model (:class:`PcaAutoencoder`) on the centred windows."""
        return self.inner.fit(windows - windows.mean(axis=2, keepdims=True))


def fitted_in_one_pass(autoencoder: nn.Module) -> bool:
    """Whether ``autoencoder`` is fitted by its ``fit`` (PCA, centred or not), not by epochs."""
    core = autoencoder.inner if isinstance(autoencoder, WindowCentring) else autoencoder
    return isinstance(core, PcaAutoencoder)


def build_autoencoder(channels: int, window: int, config: ArchitectureConfig) -> nn.Module:
    autoencoder = _build(channels, window, config)
    return WindowCentring(autoencoder) if config.centre_windows else autoencoder


def _build(channels: int, window: int, config: ArchitectureConfig) -> nn.Module:
    check_architecture(config, window)
    if config.architecture == "pca":
        return PcaAutoencoder(channels, window, config)
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
