/** The inference runtime as a library, for hosts that run it in-process (the local plant). */
export { InferenceService } from './service/inference-service';
export {
  DEFAULT_CONFIG,
  DRIFT_SECTION_SCHEMA,
  loadConfig,
  type InferenceConfig,
} from './service/config';
