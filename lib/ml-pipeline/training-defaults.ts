import trainingDefaults from '../../pipelines/src/uns_anomaly/defaults.json';

/**
 * The training defaults the SageMaker pipeline's parameters share with `npm run ml` (and so with the
 * local plant): `pipelines/src/uns_anomaly/defaults.json`, which the step code reads too. A default
 * changes there, once, for both.
 */
export const TRAINING_DEFAULTS: Readonly<typeof trainingDefaults> = trainingDefaults;
