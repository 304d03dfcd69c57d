import type { InferenceSession } from 'onnxruntime-node';

/**
 * Session settings of every model: one intra-op thread and sequential execution, so inference
 * occupies one core and the other stays with MQTT and the event loop (the machine it was measured
 * on has two). The bench uses the same settings for its onnxruntime-node and Python figures.
 */
export const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};
