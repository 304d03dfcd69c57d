"""Shared fixtures: small simulator datasets (also laid out as labelled_telemetry), a non-welding pump
dataset, a line of welding cells at their own set points, and one trained bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PIPELINES = Path(__file__).resolve().parents[1]
REPO = PIPELINES.parent
SRC = PIPELINES / "src"
SCHEMA = PIPELINES / "model-bundle" / "manifest.schema.json"
WELDING = ("arc_current", "arc_voltage", "wire_feed_speed", "gas_flow")

sys.path.insert(0, str(SRC))

from uns_anomaly.dataset_io import ReadOptions  # noqa: E402 (needs SRC on the path)
from uns_anomaly.preprocess import PreprocessOptions, preprocess  # noqa: E402

#: Keeps every training run in the suite small: a few epochs, one thread.
FAST_TRAINING = ["--epochs", "4", "--patience", "2", "--threads", "1"]


def simulate(out: Path, seconds: int, cells: int, defect_rate: float, seed: int, formats: str) -> Path:
    """Runs the repository's welding simulator (``simulator dataset``) into ``out``."""
    subprocess.run(
        [
            "npx", "tsx", "simulator/src/main.ts", "dataset", "--out", str(out),
            "--seconds", str(seconds), "--cells", str(cells), "--defect-rate", str(defect_rate),
            "--seed", str(seed), "--format", formats,
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def welding_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of 2 welding cells (40 000 time steps), every second seam with a defect; Parquet + CSV."""
    return simulate(tmp_path_factory.mktemp("welding"), 20, 2, 0.5, 11, "parquet,csv")


#: Seconds after the start of the welding data whose samples the ``inspected_data`` fixture labels
#: ``uninspected``: one stretch in the training period, one in the test period (the last 20 %).
UNINSPECTED_SECONDS = ((2.0, 4.0), (17.0, 18.0))


@pytest.fixture(scope="session")
def inspected_data(welding_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The welding data laid out as the Lakehouse's ``labelled_telemetry``: Parquet under
    ``site=/dt=`` folders with ``site`` only in the folder name, an extra ``seam_id`` string column
    (made up: a new id every 3 s, empty for the last second of each), and the samples of
    :data:`UNINSPECTED_SECONDS` labelled ``uninspected``."""
    out = tmp_path_factory.mktemp("labelled-telemetry")
    files = sorted(welding_data.rglob("*.parquet"))
    frames = [pd.read_parquet(f) for f in files]
    start = min(f["sample_time"].min() for f in frames)
    for file, frame in zip(files, frames):
        seconds = (frame["sample_time"] - start).dt.total_seconds()
        frame["seam_id"] = (frame["cell"] + "-seam-" + (seconds // 3).astype(int).astype(str)).where(seconds % 3 < 2)
        for low, high in UNINSPECTED_SECONDS:
            frame.loc[(seconds >= low) & (seconds < high), "label"] = "uninspected"
        target = out / file.relative_to(welding_data)
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.drop(columns=["site"]).to_parquet(target, index=False)
    return out


@pytest.fixture(scope="session")
def inspected_prepared(inspected_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``inspected_data`` through the preprocess step with the default options."""
    out = tmp_path_factory.mktemp("inspected-prepared")
    preprocess(inspected_data, out, ReadOptions(channels=WELDING, label_column="label"), PreprocessOptions())
    return out


@pytest.fixture(scope="session")
def welding_csv(welding_data: Path) -> Path:
    return next(welding_data.rglob("*.csv"))


def make_pump_frame(seconds: int = 1200, seed: int = 5) -> pd.DataFrame:
    """A wide-format pump monitoring log at 10 Hz: flow, pressure, motor current and vibration,
    with cavitation episodes (pressure drop with oscillation, vibration up) labelled ``cavitation``
    among ``ok`` samples. Nothing here is welding."""
    rng = np.random.default_rng(seed)
    n = seconds * 10
    t = np.arange(n) / 10.0
    speed = 0.8 + 0.2 * np.sin(2 * np.pi * t / 300)  # slow duty cycle
    flow = 42 * speed + rng.normal(0, 0.6, n)
    pressure = 5.5 * speed**2 + 0.1 * np.sin(2 * np.pi * 1.3 * t) + rng.normal(0, 0.05, n)
    current = 11 + 6 * speed**3 + rng.normal(0, 0.15, n)
    vibration = 1.2 + 0.3 * speed + np.abs(rng.normal(0, 0.08, n))
    state = np.array(["ok"] * n, dtype=object)
    for start in rng.choice(np.arange(200, n - 400, 600), size=12, replace=False):
        span = slice(start, start + int(rng.integers(120, 300)))
        k = np.arange(span.stop - span.start)
        pressure[span] -= 1.2 + 0.6 * np.sin(2 * np.pi * 3.1 * k / 10)
        flow[span] *= 0.85
        vibration[span] += 1.5 + np.abs(rng.normal(0, 0.4, k.size))
        state[span] = "cavitation"
    return pd.DataFrame(
        {
            "timestamp": t + 1_700_000_000.0,  # Unix seconds, numeric
            "flow_rate": flow.round(3),
            "discharge_pressure": pressure.round(4),
            "motor_current": current.round(3),
            "vibration_rms": vibration.round(4),
            "state": state,
        }
    )


@pytest.fixture(scope="session")
def pump_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pump log as a semicolon-separated CSV file."""
    path = tmp_path_factory.mktemp("pump") / "pump-7.csv"
    make_pump_frame().to_csv(path, sep=";", index=False)
    return path


#: Cells of one welding line, each at its own set points (arc current in A, arc voltage in V), and
#: the seconds each records in the ``cells_csv`` fixture: cell-030 stops early (its validation
#: period holds fewer than 50 windows), cell-040 after 800 samples (fewer than 1000 to train on).
CELLS = {
    "cell-010": (120.0, 19.0, 60),
    "cell-020": (180.0, 24.0, 60),
    "cell-030": (240.0, 28.0, 36),
    "cell-040": (300.0, 31.0, 8),
}
#: The ISA-95 levels every cell of ``cells_csv`` shares.
LINE = {"enterprise": "acme", "site": "zwickau", "line": "body-weld-1"}
#: Window and stride the ``cells_csv`` fixture is cut with.
CELLS_WINDOW = PreprocessOptions(window=32, stride=16)


def make_cells_frame(seed: int = 3) -> pd.DataFrame:
    """A wide log at 100 Hz of the :data:`CELLS`: each cell's current swings ±6 A around its set
    point in a 2 s cycle, its voltage ±0.5 V, both with noise, the same from start to end (nothing
    drifts). Series columns are the ISA-95 levels."""
    rng = np.random.default_rng(seed)
    frames = []
    for cell, (current, voltage, seconds) in CELLS.items():
        t = np.arange(seconds * 100) / 100
        cycle = np.sin(2 * np.pi * t / 2 + rng.uniform(0, 2 * np.pi))
        frames.append(pd.DataFrame({
            **LINE,
            "cell": cell,
            "sample_time": pd.Timestamp("2025-03-03T06:00:00Z") + pd.to_timedelta(t, unit="s"),
            "arc_current": (current + 6 * cycle + rng.normal(0, 1, t.size)).round(3),
            "arc_voltage": (voltage + 0.5 * cycle + rng.normal(0, 0.1, t.size)).round(4),
        }))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def cells_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cells") / "body-weld-1.csv"
    make_cells_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def cells_prepared(cells_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cells_csv`` through the preprocess step (no labels: every sample is normal)."""
    out = tmp_path_factory.mktemp("cells-prepared")
    preprocess(cells_csv, out, ReadOptions(channels=("arc_current", "arc_voltage")), CELLS_WINDOW)
    return out


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Runs ``python -m uns_anomaly.cli`` as a separate process, as ``npm run ml`` does."""
    return run_python(["-m", "uns_anomaly.cli", *args], cwd=cwd, env=env)


def run_python(args: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd or SRC, env=environment, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="session")
def trained_bundle(welding_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One local ``train`` run on the simulator data (small and fast); its output folder."""
    out = tmp_path_factory.mktemp("bundle")
    result = run_cli(
        "train", "--input", str(welding_data), "--label-column", "label", "--out", str(out),
        "--model-version", "1.0.0-test", *FAST_TRAINING,
    )
    assert result.returncode == 0, result.stderr
    return out


def read_json(path: Path) -> dict[str, object]:
    return json.loads(path.read_text())
