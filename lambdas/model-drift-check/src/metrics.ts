import {
  type CloudWatchClient,
  type Dimension,
  type MetricDatum,
  PutMetricDataCommand,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import type { ModelDriftSummary, MonitoredModel } from './drift-summary';

/** The metric names this workspace writes (dimensions in the README). */
export const METRIC = {
  driftedShare: 'DriftedShare',
  evaluations: 'Evaluations',
  assetsReporting: 'AssetsReporting',
  maxPsi: 'MaxPsi',
  meanPsi: 'MeanPsi',
  retrainingStarted: 'RetrainingStarted',
  retrainingSkipped: 'RetrainingSkipped',
} as const;

/** Data points per PutMetricData call: the most CloudWatch takes. */
const DATA_PER_CALL = 1000;

/**
 * The drift check's data points at `timestamp`, per summary (dimensions `Environment`, `Site`,
 * `Model`): `DriftedShare`, `Evaluations`, `AssetsReporting`, `MaxPsi` (any subject); per subject
 * (plus `Subject`): `MaxPsi`, `MeanPsi`. Each silent site and model gets `Evaluations` and
 * `AssetsReporting` 0, and no `DriftedShare`: a plant that sent nothing is visible, and the drift
 * alarm sees missing data rather than a made-up share.
 */
export function driftMetricData(
  environment: string,
  timestamp: Date,
  summaries: readonly ModelDriftSummary[],
  silent: readonly MonitoredModel[],
): MetricDatum[] {
  const datum = (
    name: string,
    value: number,
    unit: StandardUnit,
    { site, model }: MonitoredModel,
    subject?: string,
  ): MetricDatum => ({
    MetricName: name,
    Dimensions: [
      ...dimensions({ Environment: environment, Site: site, Model: model }),
      ...(subject === undefined ? [] : dimensions({ Subject: subject })),
    ],
    Timestamp: timestamp,
    Value: value,
    Unit: unit,
  });
  return [
    ...summaries.flatMap((summary) => [
      datum(METRIC.driftedShare, summary.driftedShare, 'None', summary),
      datum(METRIC.evaluations, summary.evaluations, 'Count', summary),
      datum(METRIC.assetsReporting, summary.assets, 'Count', summary),
      datum(METRIC.maxPsi, summary.maxPsi, 'None', summary),
      ...summary.subjects.flatMap(({ subject, maxPsi, meanPsi }) => [
        datum(METRIC.maxPsi, maxPsi, 'None', summary, subject),
        datum(METRIC.meanPsi, meanPsi, 'None', summary, subject),
      ]),
    ]),
    ...silent.flatMap((model) => [
      datum(METRIC.evaluations, 0, 'Count', model),
      datum(METRIC.assetsReporting, 0, 'Count', model),
    ]),
  ];
}

/** `{ Name: Value }` as CloudWatch dimensions. */
export function dimensions(values: Record<string, string>): Dimension[] {
  return Object.entries(values).map(([Name, Value]) => ({ Name, Value }));
}

/** Writes the data points into `namespace`, at most {@link DATA_PER_CALL} per call. */
export async function putMetricData(
  cloudwatch: CloudWatchClient,
  namespace: string,
  data: readonly MetricDatum[],
): Promise<void> {
  for (let start = 0; start < data.length; start += DATA_PER_CALL) {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: data.slice(start, start + DATA_PER_CALL),
      }),
    );
  }
}
