"""Python onnxruntime baseline for bench/inference.bench.ts: the same model file, the same session
settings (1 intra-op thread, sequential, all graph optimizations) and the same input sizes.

Usage: ort_bench.py <model.onnx> <input name> <score output> <channels> <window> <single runs> <batch> <batch seconds>
Prints one JSON line: {"p50Us", "p99Us", "batchedWindowsPerSec"}.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import onnxruntime as ort


def main(argv: list[str]) -> None:
    model, input_name, score = argv[0], argv[1], argv[2]
    channels, window, runs, batch = (int(v) for v in argv[3:7])
    seconds = float(argv[7])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1)
    single = rng.standard_normal((1, channels, window), dtype=np.float32)
    for _ in range(200):
        session.run([score], {input_name: single})
    times = np.empty(runs)
    for i in range(runs):
        started = time.perf_counter_ns()
        session.run([score], {input_name: single})
        times[i] = (time.perf_counter_ns() - started) / 1000
    batched = rng.standard_normal((batch, channels, window), dtype=np.float32)
    session.run([score], {input_name: batched})
    windows = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        session.run([score], {input_name: batched})
        windows += batch
    rate = windows / (time.perf_counter() - started)
    print(json.dumps({
        "p50Us": float(np.percentile(times, 50)),
        "p99Us": float(np.percentile(times, 99)),
        "batchedWindowsPerSec": rate,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
