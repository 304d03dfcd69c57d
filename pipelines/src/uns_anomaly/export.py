"""Export to ONNX and the export check: onnxruntime must agree with PyTorch within 1e-5."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch

from .model import AnomalyScorer

OPSET = 18
INPUT_NAME = "window"
OUTPUT_NAMES = ("score", "reconstruction")
#: Largest absolute difference allowed between onnxruntime and PyTorch, per output element.
TOLERANCE = 1e-5


class ExportCheckError(RuntimeError):
    """onnxruntime and PyTorch disagree on the exported model."""


def export_onnx(scorer: AnomalyScorer, path: Path, channels: int, window: int) -> Path:
    """Writes ``scorer`` as a single-file ONNX model with a dynamic batch dimension."""
    scorer.eval()
    example = torch.zeros(2, channels, window)
    batch = torch.export.Dim("batch", min=1)
    # the exporter warns about optional torchvision operators this model does not use
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    program = torch.onnx.export(
        scorer,
        (example,),
        input_names=[INPUT_NAME],
        output_names=list(OUTPUT_NAMES),
        opset_version=OPSET,
        dynamic_shapes={"window": {0: batch}},
        dynamo=True,
        external_data=False,
        verbose=False,
    )
    if program is None:
        raise ExportCheckError("torch.onnx.export returned no program")
    path.parent.mkdir(parents=True, exist_ok=True)
    program.save(str(path), external_data=False)
    return path


def check_export(scorer: AnomalyScorer, path: Path, samples: np.ndarray) -> dict[str, float]:
    """Runs ``samples`` (and batches of 1 and 3) through PyTorch and onnxruntime; raises
    :class:`ExportCheckError` when any output differs by more than :data:`TOLERANCE`."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    if names != list(OUTPUT_NAMES) or session.get_inputs()[0].name != INPUT_NAME:
        raise ExportCheckError(f"unexpected ONNX signature: outputs {names}")
    worst = {name: 0.0 for name in OUTPUT_NAMES}
    scorer.eval()
    for batch in (samples[:1], samples[:3], samples):
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        with torch.no_grad():
            expected = [t.numpy() for t in scorer(torch.from_numpy(batch))]
        actual = session.run(list(OUTPUT_NAMES), {INPUT_NAME: batch})
        for name, want, got in zip(OUTPUT_NAMES, expected, actual):
            if want.shape != got.shape:
                raise ExportCheckError(f"output {name}: shape {got.shape}, PyTorch gives {want.shape}")
            worst[name] = max(worst[name], float(np.max(np.abs(want - got))))
    for name, difference in worst.items():
        if difference > TOLERANCE:
            raise ExportCheckError(
                f"onnxruntime and PyTorch differ by {difference:.3g} on output {name} "
                f"(allowed {TOLERANCE:g})"
            )
    return worst
