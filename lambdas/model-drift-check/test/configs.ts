import type { CheckConfig, TriggerConfig } from '../src/config';
import { PIPELINE } from './fake-pipeline';

/** The drift check's configuration in dev: two sites, one model, a six-hour window. */
export const CHECK_CONFIG: CheckConfig = {
  namespace: 'UnsMlops/ModelDrift',
  environment: 'dev',
  workGroup: 'uns_mlops',
  database: 'uns_mlops_raw',
  table: 'model_drift',
  lookbackHours: 6,
  queryTimeoutSeconds: 120,
  sites: ['zwickau', 'mlada-boleslav'],
  models: ['weld-seam-anomaly'],
};

/** The retraining trigger's configuration in dev: a day's cooldown, the pipeline's defaults. */
export const TRIGGER_CONFIG: TriggerConfig = {
  namespace: 'UnsMlops/ModelDrift',
  environment: 'dev',
  pipelineName: PIPELINE,
  modelName: 'weld-seam-anomaly',
  cooldownHours: 24,
  pipelineParameters: {},
};
