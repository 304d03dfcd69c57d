import { checkConfigFromEnvironment, triggerConfigFromEnvironment } from '../src/config';
import { CHECK_CONFIG, TRIGGER_CONFIG } from './configs';

const CHECK_ENVIRONMENT = {
  METRICS_NAMESPACE: 'UnsMlops/ModelDrift',
  ENVIRONMENT_NAME: 'dev',
  ATHENA_WORKGROUP: 'uns_mlops',
  DRIFT_DATABASE: 'uns_mlops_raw',
  DRIFT_TABLE: 'model_drift',
  LOOKBACK_HOURS: '6',
  QUERY_TIMEOUT_SECONDS: '120',
  MONITORED_SITES: 'zwickau, mlada-boleslav',
  MONITORED_MODELS: 'weld-seam-anomaly',
};

const TRIGGER_ENVIRONMENT = {
  METRICS_NAMESPACE: 'UnsMlops/ModelDrift',
  ENVIRONMENT_NAME: 'dev',
  PIPELINE_NAME: 'uns-mlops-anomaly-autoencoder',
  MODEL_NAME: 'weld-seam-anomaly',
  RETRAINING_COOLDOWN_HOURS: '24',
};

describe('the drift check’s environment', () => {
  it('reads every variable, the lists split at commas', () => {
    expect(checkConfigFromEnvironment(CHECK_ENVIRONMENT)).toEqual(CHECK_CONFIG);
  });

  it('lists every missing or invalid variable at once', () => {
    expect(() =>
      checkConfigFromEnvironment({
        ...CHECK_ENVIRONMENT,
        ATHENA_WORKGROUP: undefined,
        LOOKBACK_HOURS: 'six',
        QUERY_TIMEOUT_SECONDS: '-1',
        MONITORED_SITES: ' ',
      }),
    ).toThrow(
      [
        'model-drift-check: invalid environment:',
        '  - ATHENA_WORKGROUP is not set',
        '  - LOOKBACK_HOURS "six" is not a number above 0',
        '  - QUERY_TIMEOUT_SECONDS "-1" is not a number above 0',
        '  - MONITORED_SITES is not set',
      ].join('\n'),
    );
  });
});

describe('the retraining trigger’s environment', () => {
  it('reads every variable; no pipeline parameters unless given', () => {
    expect(triggerConfigFromEnvironment(TRIGGER_ENVIRONMENT)).toEqual(TRIGGER_CONFIG);
  });

  it('reads the pipeline parameters as a JSON object of strings', () => {
    expect(
      triggerConfigFromEnvironment({
        ...TRIGGER_ENVIRONMENT,
        PIPELINE_PARAMETERS: '{"Epochs":"30"}',
      }).pipelineParameters,
    ).toEqual({ Epochs: '30' });
    for (const invalid of ['{"Epochs":30}', '["Epochs"]', 'Epochs=30']) {
      expect(() =>
        triggerConfigFromEnvironment({ ...TRIGGER_ENVIRONMENT, PIPELINE_PARAMETERS: invalid }),
      ).toThrow('PIPELINE_PARAMETERS must be a JSON object of strings, e.g. {"Epochs":"30"}');
    }
  });

  it('refuses a cooldown that is not a positive number of hours', () => {
    expect(() =>
      triggerConfigFromEnvironment({ ...TRIGGER_ENVIRONMENT, RETRAINING_COOLDOWN_HOURS: '0' }),
    ).toThrow('RETRAINING_COOLDOWN_HOURS "0" is not a number above 0');
  });
});
