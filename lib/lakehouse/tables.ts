import * as glue from 'aws-cdk-lib/aws-glue';

/**
 * Lake Formation `sensitivity` tag values, from least to most sensitive:
 * - `aggregate`: derived figures with no raw signal (validation summaries, anomaly scores per window);
 * - `operational`: per-sample process data (telemetry);
 * - `restricted`: data as it arrived, invalid payloads included (the raw zone).
 */
export type Sensitivity = 'aggregate' | 'operational' | 'restricted';

/** A Lakehouse zone: `raw` holds data as delivered, `curated` what curation derives from it. */
export type LakehouseZone = 'raw' | 'curated';

/** One Lakehouse table, laid out once and created in each zone that holds it. */
export interface LakehouseTableDefinition {
  /** Glue table name; also the S3 prefix of the table's data in each zone bucket. */
  readonly name: string;
  readonly description: string;
  /** Sensitivity of the table's curated form (raw-zone tables are always `restricted`). */
  readonly sensitivity: Sensitivity;
  /** Data columns; the partition columns `site` and `dt` are added by the catalog. */
  readonly columns: readonly glue.Column[];
  /**
   * The zones that hold the table (the curated zone's tables also appear in each site's database).
   * @default - both zones
   */
  readonly zones?: readonly LakehouseZone[];
}

/** Whether `zone` holds the table `definition`. */
export function inZone(definition: LakehouseTableDefinition, zone: LakehouseZone): boolean {
  return (definition.zones ?? ['raw', 'curated']).includes(zone);
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

const modelColumns: glue.Column[] = [
  { name: 'model_name', type: glue.Schema.STRING, comment: 'Model bundle name' },
  { name: 'model_version', type: glue.Schema.STRING, comment: 'Model bundle version' },
];

const sampleColumns: glue.Column[] = [
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
];

/**
 * The tables of the Lakehouse, partitioned by `site` and `dt` (yyyy-MM-dd, UTC), each in the zones
 * it names: every UNS data class as delivered (raw), and what curation derives (curated).
 */
export const LAKEHOUSE_TABLES: readonly LakehouseTableDefinition[] = [
  {
    name: 'uns_telemetry',
    description: 'UNS telemetry samples in long form: one row per sample per channel',
    sensitivity: 'operational',
    columns: [...isa95Columns, ...sampleColumns, ...deliveryColumns],
  },
  {
    name: 'inference_results',
    description: 'Anomaly scores of the edge inference runtime: one row per scored window',
    sensitivity: 'aggregate',
    columns: [
      ...isa95Columns,
      ...modelColumns,
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
  {
    name: 'anomaly_events',
    description:
      'Anomaly events of the edge inference runtime: one row per run of anomalous windows',
    sensitivity: 'aggregate',
    zones: ['raw'],
    columns: [
      ...isa95Columns,
      ...modelColumns,
      { name: 'event_start', type: glue.Schema.TIMESTAMP, comment: 'Start of the first window' },
      { name: 'event_end', type: glue.Schema.TIMESTAMP, comment: 'End of the last window' },
      { name: 'peak_score', type: glue.Schema.DOUBLE, comment: 'Highest score of the run' },
      {
        name: 'peak_at',
        type: glue.Schema.TIMESTAMP,
        comment: 'End of the highest-scoring window',
      },
      { name: 'windows', type: glue.Schema.INTEGER, comment: 'Anomalous windows in the run' },
      { name: 'threshold', type: glue.Schema.DOUBLE, comment: 'Anomaly threshold of the model' },
      ...deliveryColumns,
    ],
  },
  {
    name: 'model_status',
    description:
      "Model status changes of each site's edge inference runtime (loads, swaps, refusals)",
    sensitivity: 'aggregate',
    zones: ['raw'],
    columns: [
      { name: 'enterprise', type: glue.Schema.STRING, comment: 'ISA-95 enterprise of the site' },
      { name: 'model_name', type: glue.Schema.STRING, comment: 'Model name of the status topic' },
      { name: 'status_time', type: glue.Schema.TIMESTAMP, comment: 'Time of the change (UTC)' },
      {
        name: 'event',
        type: glue.Schema.STRING,
        comment: 'loaded, swapped, refused, shadow-loaded, shadow-removed or stopped',
      },
      { name: 'serving_version', type: glue.Schema.STRING, comment: 'Serving bundle version' },
      { name: 'shadow_version', type: glue.Schema.STRING, comment: 'Shadow bundle version' },
      { name: 'swaps', type: glue.Schema.BIG_INT, comment: 'Swaps since the runtime started' },
      { name: 'refused_role', type: glue.Schema.STRING, comment: 'serving or shadow, if refused' },
      { name: 'refused_version', type: glue.Schema.STRING, comment: 'Version of a refused bundle' },
      { name: 'refusal_reason', type: glue.Schema.STRING, comment: 'Why the bundle was refused' },
      ...deliveryColumns,
    ],
  },
  {
    name: 'model_drift',
    description:
      'Drift statistics of the edge inference runtime: one row per evaluation, channel (or the score)',
    sensitivity: 'aggregate',
    zones: ['raw'],
    columns: [
      ...isa95Columns,
      ...modelColumns,
      { name: 'window_start', type: glue.Schema.TIMESTAMP, comment: 'Start of the drift window' },
      { name: 'window_end', type: glue.Schema.TIMESTAMP, comment: 'End of the drift window' },
      { name: 'statistic', type: glue.Schema.STRING, comment: 'Drift statistic, e.g. psi' },
      {
        name: 'subject',
        type: glue.Schema.STRING,
        comment: 'The input channel the row is about, or `score` for the anomaly scores',
      },
      { name: 'value', type: glue.Schema.DOUBLE, comment: 'Value of the statistic' },
      { name: 'samples', type: glue.Schema.BIG_INT, comment: 'Samples in the drift window' },
      { name: 'threshold', type: glue.Schema.DOUBLE, comment: 'Value above which it drifted' },
      { name: 'drifted', type: glue.Schema.BOOLEAN, comment: 'value above threshold' },
      ...deliveryColumns,
    ],
  },
  {
    name: 'asset_states',
    description: 'Asset state changes (idle, welding, fault, ...), with the seam being welded',
    sensitivity: 'operational',
    zones: ['raw'],
    columns: [
      ...isa95Columns,
      { name: 'state_time', type: glue.Schema.TIMESTAMP, comment: 'Time of the change (UTC)' },
      { name: 'state', type: glue.Schema.STRING, comment: 'Operating state' },
      { name: 'seam_id', type: glue.Schema.STRING, comment: 'The seam being welded, if any' },
      { name: 'program', type: glue.Schema.STRING, comment: 'Welding program (job), if known' },
      ...deliveryColumns,
    ],
  },
  {
    name: 'asset_alarms',
    description: 'Alarms raised and cleared by the assets',
    sensitivity: 'operational',
    zones: ['raw'],
    columns: [
      ...isa95Columns,
      { name: 'alarm_time', type: glue.Schema.TIMESTAMP, comment: 'Time raised or cleared (UTC)' },
      { name: 'code', type: glue.Schema.STRING, comment: 'Alarm code' },
      { name: 'severity', type: glue.Schema.STRING, comment: 'Alarm severity' },
      { name: 'message', type: glue.Schema.STRING, comment: 'Alarm text' },
      { name: 'active', type: glue.Schema.BOOLEAN, comment: 'true: raised; false: cleared' },
      ...deliveryColumns,
    ],
  },
  {
    name: 'seam_inspections',
    description: 'Quality verdicts on welded seams from the inspecting stations: the labels',
    sensitivity: 'operational',
    zones: ['raw'],
    columns: [
      ...isa95Columns,
      { name: 'seam_id', type: glue.Schema.STRING, comment: 'The inspected seam' },
      { name: 'seam_start', type: glue.Schema.TIMESTAMP, comment: 'Arc on (UTC)' },
      { name: 'seam_end', type: glue.Schema.TIMESTAMP, comment: 'Arc off (UTC)' },
      { name: 'verdict', type: glue.Schema.STRING, comment: 'pass or fail' },
      { name: 'defect_class', type: glue.Schema.STRING, comment: 'The defect found, if fail' },
      { name: 'station', type: glue.Schema.STRING, comment: 'The inspecting station' },
      { name: 'inspector', type: glue.Schema.STRING, comment: 'The person, if a person judged' },
      { name: 'inspected_at', type: glue.Schema.TIMESTAMP, comment: 'Time of the verdict (UTC)' },
      ...deliveryColumns,
    ],
  },
  {
    name: 'labelled_telemetry',
    description:
      'Curated training data: telemetry without duplicates or bad samples, each sample labelled from the inspection of its seam',
    sensitivity: 'operational',
    zones: ['curated'],
    columns: [
      ...isa95Columns,
      ...sampleColumns,
      {
        name: 'seam_id',
        type: glue.Schema.STRING,
        comment: 'The seam the sample belongs to, if any',
      },
      {
        name: 'label',
        type: glue.Schema.STRING,
        comment:
          'normal; the defect class of a seam that failed inspection; uninspected for a seam not yet inspected',
      },
    ],
  },
];
