/** Processor chains: what runs on every judged message after validation (see README.md here). */
export type {
  ProcessedMessage,
  Processor,
  ProcessorContext,
  ProcessorFactory,
  ProcessorOutcome,
  Publication,
} from './processor';
export { UNKNOWN_CHANNEL } from './processor';
export { ProcessorChains, type ProcessorChainsOptions } from './processor-chains';
export { processorMetrics, type ProcessorMetrics } from './processor-metrics';
export {
  BUILT_IN_PROCESSORS,
  DEFAULT_QUEUE_CAPACITY,
  DEFAULT_TIMEOUT_MS,
  type ChainsConfig,
  type ChainStepConfig,
} from './chains-file';
