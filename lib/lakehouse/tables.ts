import * as glue from 'aws-cdk-lib/aws-glue';

/**
 * Lake Formation `sensitivity` tag values, from least to most sensitive:
 * - `aggregate`: derived figures with no raw signal (validation summaries, anomaly scores per window);
 * - `operational`: per-sample process data (telemetry);
 * - `restricted`: data as it arrived, invalid payloads included (the raw zone).
 */
export type Sensitivity = 'aggregate' | 'operational' | 'restricted';

/** One Lakehouse table, laid out once and created in each zone that holds it. */
export interface LakehouseTableDefinition {
  /** Glue table name; also the S3 prefix of the table's data in each zone bucket. */
  readonly name: string;
  readonly description: string;
  /** Sensitivity of the table's curated form (raw-zone tables are always `restricted`). */
  readonly sensitivity: Sensitivity;
  /** Data columns; the partition columns `site` and `dt` are added by the catalog. */
  readonly columns: readonly glue.Column[];
}

const isa95Columns: glue.Column[] = [
  {
    name: 'enterprise',
    type: glue.Schema.STRING,
    comment: 'ISA-95 enterprise level of the UNS topic',
  },
  { name: 'area', type: glue.Schema.STRING, comment: 'ISA-95 area level of the UNS topic' },
  { name: 'line', type: glue.Schema.STRING, comment: 'ISA-95 line level of the UNS topic' },
  { name: 'cell', type: glue.Schema.STRING, comment: 'ISA-95 work cell level of the UNS topic' },
  {
    name: 'asset',
    type: glue.Schema.STRING,
    comment: 'Asset id (welder, robot, PLC) of the UNS topic',
  },
];

const deliveryColumns: glue.Column[] = [
  {
    name: 'mqtt_topic',
    type: glue.Schema.STRING,
    comment: 'Original UNS topic the message was published on',
  },
  {
    name: 'contract_version',
    type: glue.Schema.STRING,
    comment: 'AsyncAPI contract version (info.version) in force',
  },
  {
    name: 'received_at',
    type: glue.Schema.TIMESTAMP,
    comment: 'Time the edge bridge received the message (UTC)',
  },
];

/** The tables every zone of the Lakehouse holds, partitioned by `site` and `dt` (yyyy-MM-dd, UTC). */
export const LAKEHOUSE_TABLES: readonly LakehouseTableDefinition[] = [
  {
    name: 'uns_telemetry',
    description: 'UNS telemetry samples in long form: one row per sample per channel',
    sensitivity: 'operational',
    columns: [
      ...isa95Columns,
      { name: 'channel', type: glue.Schema.STRING, comment: 'Signal name, e.g. arc_current' },
      {
        name: 'unit',
        type: glue.Schema.STRING,
        comment: 'Engineering unit of value, e.g. A, V, m/min, l/min',
      },
      { name: 'sample_time', type: glue.Schema.TIMESTAMP, comment: 'Sample time stamp (UTC)' },
      { name: 'value', type: glue.Schema.DOUBLE, comment: 'Sample value in unit' },
      {
        name: 'quality',
        type: glue.Schema.STRING,
        comment: 'Sample quality: good, uncertain or bad',
      },
      ...deliveryColumns,
    ],
  },
  {
    name: 'inference_results',
    description: 'Anomaly scores of the edge inference runtime: one row per scored window',
    sensitivity: 'aggregate',
    columns: [
      ...isa95Columns,
      { name: 'model_name', type: glue.Schema.STRING, comment: 'Model bundle name' },
      { name: 'model_version', type: glue.Schema.STRING, comment: 'Model bundle version' },
      {
        name: 'window_start',
        type: glue.Schema.TIMESTAMP,
        comment: 'First sample time of the window (UTC)',
      },
      {
        name: 'window_end',
        type: glue.Schema.TIMESTAMP,
        comment: 'Last sample time of the window (UTC)',
      },
      { name: 'score', type: glue.Schema.DOUBLE, comment: 'Reconstruction-error anomaly score' },
      { name: 'threshold', type: glue.Schema.DOUBLE, comment: 'Anomaly threshold of the model' },
      { name: 'is_anomaly', type: glue.Schema.BOOLEAN, comment: 'score above threshold' },
      {
        name: 'shadow',
        type: glue.Schema.BOOLEAN,
        comment: 'Scored by a shadow (candidate) model',
      },
      {
        name: 'latency_ms',
        type: glue.Schema.DOUBLE,
        comment: 'Inference latency in milliseconds',
      },
      ...deliveryColumns,
    ],
  },
  {
    name: 'validation_summaries',
    description:
      'Payload validator verdicts, counted per time bucket, channel, contract version and error kind',
    sensitivity: 'aggregate',
    columns: [
      { name: 'area', type: glue.Schema.STRING, comment: 'ISA-95 area of the validated topics' },
      { name: 'line', type: glue.Schema.STRING, comment: 'ISA-95 line of the validated topics' },
      {
        name: 'channel',
        type: glue.Schema.STRING,
        comment: 'AsyncAPI channel id the topics resolved to',
      },
      {
        name: 'bucket_start',
        type: glue.Schema.TIMESTAMP,
        comment: 'Start of the counting bucket (UTC)',
      },
      {
        name: 'bucket_seconds',
        type: glue.Schema.INTEGER,
        comment: 'Length of the counting bucket',
      },
      {
        name: 'error_kind',
        type: glue.Schema.STRING,
        comment: 'Error kind of invalid messages; empty for valid ones',
      },
      {
        name: 'valid_count',
        type: glue.Schema.BIG_INT,
        comment: 'Messages that matched the contract',
      },
      {
        name: 'invalid_count',
        type: glue.Schema.BIG_INT,
        comment: 'Messages that broke the contract',
      },
      ...deliveryColumns,
    ],
  },
];
