/**
 * The model rollout's shadow comparison, run as the rollout runs it (the text of
 * `shadowComparisonSql(<canary site>)` in the Lakehouse's raw database, its `?` the values the
 * state machine passes, as SQL literals) on a real Trino 476 over the raw `inference_results` and
 * `model_status` tables, written as delivery writes them (Parquet partitions
 * `site=<site>/dt=<UTC day>/`); its answer read by the comparison function as Athena's
 * GetQueryResults gives it.
 */
import type { TrinoClient } from '@uns-mlops/test-services';
import {
  COMPARISON_COLUMNS,
  countsFromRows,
  judgeShadow,
  type ShadowCounts,
} from '../../lambdas/model-rollout/src/compare-shadow';
import type { QueryRow } from '../../lambdas/model-rollout/src/contract';
import {
  COMPARISON_PARAMETERS,
  MODEL_ROLLOUT_DEFAULTS,
  shadowComparisonSql,
} from '../../lib/model-rollout';
import {
  createTrinoLakehouse,
  type Row,
  synthGlueCatalog,
  type TrinoLakehouse,
} from '../support/lakehouse-on-trino';
import { sharedTrino } from '../support/shared-trino';

const CANARY_SITE = 'zwickau';
const OTHER_SITE = 'mlada-boleslav';
const MODEL = 'weld-seam-anomaly';
const SERVING = '2025.12.01-1';
const CANDIDATE = '2025.12.04-1';
/** When the candidate went into shadow at the canary: `$.shadowDeployment.since`. */
const SINCE = '2025-12-04T10:00:00.000Z';
const DAY = '2025-12-04';
const NEXT_DAY = '2025-12-05';
const cell = { enterprise: 'acme', area: 'body-shop', line: 'body-weld-1', cell: 'cell-010' };

/** One scored window (`AnomalyScore`) of a model at `asset`, starting at `start`. */
function score(
  asset: string,
  start: string,
  anomalous: boolean,
  options: { shadow?: boolean; model?: string; version?: string } = {},
): Row {
  const shadow = options.shadow ?? false;
  const model = options.model ?? MODEL;
  return {
    ...cell,
    asset,
    model_name: model,
    model_version: options.version ?? (shadow ? CANDIDATE : SERVING),
    window_start: start,
    window_end: new Date(Date.parse(start) + 9_000).toISOString(),
    score: anomalous ? 0.9 : 0.1,
    threshold: 0.5,
    is_anomaly: anomalous,
    shadow,
    latency_ms: 4.2,
    mqtt_topic: `acme/${CANARY_SITE}/body-shop/body-weld-1/cell-010/${asset}/_ml/${model}/${shadow ? 'anomalyShadow' : 'anomaly'}`,
    contract_version: '1.4.0',
    received_at: start,
  };
}

/** The same window scored by the serving model and the candidate. */
const both = (asset: string, start: string, serving: boolean, candidate: boolean): Row[] => [
  score(asset, start, serving),
  score(asset, start, candidate, { shadow: true }),
];

/** A model status change of the canary's runtime: the shadow bundle `version` refused. */
function refusal(version: string, time: string, reason: string): Row {
  return {
    enterprise: cell.enterprise,
    model_name: MODEL,
    status_time: time,
    event: 'refused',
    serving_version: SERVING,
    shadow_version: null,
    swaps: 3,
    refused_role: 'shadow',
    refused_version: version,
    refusal_reason: reason,
    mqtt_topic: `acme/${CANARY_SITE}/_ml/${MODEL}/status`,
    contract_version: '1.4.0',
    received_at: time,
  };
}

/** `2025-12-04T<time>.000Z`. */
const at = (time: string, day = DAY) => `${day}T${time}.000Z`;

/**
 * The canary site's raw zone: welder-1 scores four windows since the shadow deployment (the models
 * agree on three; serving flags one, the candidate two), welder-2 one (delivered twice), and both
 * models score a window of the next day; not compared: a window before the deployment, one only
 * the serving model scored, one an older shadow version scored, and the other site's windows.
 */
async function writeRawZone(lakehouse: TrinoLakehouse): Promise<void> {
  const write = (site: string, dt: string, rows: Row[]) =>
    lakehouse.writeRaw('inference_results', site, dt, rows);
  await write(CANARY_SITE, DAY, [
    ...both('welder-1', at('10:00:00'), false, false),
    ...both('welder-1', at('10:00:10'), true, true),
    ...both('welder-1', at('10:00:20'), false, true),
    ...both('welder-1', at('10:00:30'), false, false),
    ...both('welder-2', at('10:05:00'), false, false),
    ...both('welder-1', at('09:59:50'), true, false),
    score('welder-1', at('10:00:40'), true),
    score('welder-2', at('10:05:10'), false),
    score('welder-2', at('10:05:10'), true, { shadow: true, version: '2025.11.30-1' }),
  ]);
  // Firehose delivers at least once: welder-2's window again, in another file.
  await write(CANARY_SITE, DAY, both('welder-2', at('10:05:00'), false, false));
  await write(CANARY_SITE, NEXT_DAY, both('welder-1', at('00:00:05', NEXT_DAY), true, true));
  await write(OTHER_SITE, DAY, both('welder-7', at('10:01:00'), true, false));
  await lakehouse.writeRaw('model_status', CANARY_SITE, DAY, [
    refusal('2025.12.04-2', at('09:00:00'), 'an older refusal, before the deployment'),
    refusal('2025.12.04-2', at('10:00:05'), 'the bundle names input channel arc_power'),
    refusal('2025.12.04-2', at('10:20:00'), 'the bundle needs contract 2.0.0, 1.4.0 is in force'),
    refusal('2025.12.03-9', at('10:30:00'), 'another version'),
  ]);
}

let trino: TrinoClient;
let lakehouse: TrinoLakehouse;

beforeAll(async () => {
  trino = await sharedTrino();
  lakehouse = await createTrinoLakehouse(trino, synthGlueCatalog(), 'rollout');
  await writeRawZone(lakehouse);
}, 600_000);

/**
 * The query as the rollout sends it, for `candidate` (the package's model name and version), and
 * its answer as GetQueryResults rows: the column names, then the values as text (NULL: none).
 */
async function compare(candidate: { name: string; version: string }): Promise<QueryRow[]> {
  const values: Record<(typeof COMPARISON_PARAMETERS)[number], string> = {
    'since day': SINCE.split('T')[0]!,
    since: SINCE,
    'candidate model name': candidate.name,
    'candidate model version': candidate.version,
  };
  const answer = await trino.query(
    shadowComparisonSql(CANARY_SITE),
    COMPARISON_PARAMETERS.map((name) => `'${values[name]}'`),
    { schema: lakehouse.databases.rawDatabase },
  );
  return [
    { Data: answer.columns.map((column) => ({ VarCharValue: column })) },
    ...answer.rows.map((row) => ({
      Data: answer.columns.map((column) => {
        const value = row[column];
        if (value === null || value === undefined) return {};
        return { VarCharValue: typeof value === 'string' ? value : JSON.stringify(value) };
      }),
    })),
  ];
}

describe('the shadow comparison query on Trino', () => {
  let counts: ShadowCounts;

  beforeAll(async () => {
    counts = countsFromRows(await compare({ name: MODEL, version: CANDIDATE }));
  });

  it('answers one row with the columns the comparison function reads', async () => {
    const rows = await compare({ name: MODEL, version: CANDIDATE });
    expect(rows).toHaveLength(2);
    expect(rows[0]!.Data!.map((datum) => datum.VarCharValue)).toEqual([...COMPARISON_COLUMNS]);
  });

  it("counts the canary's windows both models scored since the deployment, each once", () => {
    // welder-1's four, welder-2's one (delivered twice), and the next day's.
    expect(counts.windows).toBe(6);
  });

  it('counts the windows they flag alike, and those each flags', () => {
    expect(counts).toEqual({
      windows: 6,
      agreed: 5,
      servingAnomalous: 2,
      candidateAnomalous: 3,
      refusal: null,
    });
  });

  it('gives the comparison what it judges by: here an anomaly rate too far up', () => {
    const verdict = judgeShadow(counts, 0, { ...MODEL_ROLLOUT_DEFAULTS, minWindowsCompared: 6 });
    expect(verdict).toMatchObject({
      decision: 'REJECT',
      windows: 6,
      agreement: 5 / 6,
      servingAnomalyRate: 2 / 6,
      candidateAnomalyRate: 3 / 6,
    });
  });

  it("gives the runtime's latest reason for refusing the candidate since the deployment", async () => {
    const refused = countsFromRows(await compare({ name: MODEL, version: '2025.12.04-2' }));
    expect(refused).toEqual({
      windows: 0,
      agreed: 0,
      servingAnomalous: 0,
      candidateAnomalous: 0,
      refusal: 'the bundle needs contract 2.0.0, 1.4.0 is in force',
    });
    expect(judgeShadow(refused, 0, MODEL_ROLLOUT_DEFAULTS).decision).toBe('REJECT');
  });
});

describe('the shadow comparison query where two models score the same asset', () => {
  it('compares the candidate with the serving version of its own model only, and reads its own refusals', async () => {
    const twoModels = await createTrinoLakehouse(trino, synthGlueCatalog(), 'rollout_models');
    await twoModels.writeRaw('inference_results', CANARY_SITE, DAY, [
      ...both('welder-3', at('10:10:00'), false, false),
      score('welder-3', at('10:10:00'), true, { model: 'spot-weld-anomaly', version: '1.0.0' }),
    ]);
    await twoModels.writeRaw('model_status', CANARY_SITE, DAY, [
      {
        ...refusal(CANDIDATE, at('10:15:00'), "the other model's bundle of the same version"),
        model_name: 'spot-weld-anomaly',
      },
    ]);
    const values: Record<(typeof COMPARISON_PARAMETERS)[number], string> = {
      'since day': DAY,
      since: SINCE,
      'candidate model name': MODEL,
      'candidate model version': CANDIDATE,
    };
    const answer = await trino.query(
      shadowComparisonSql(CANARY_SITE),
      COMPARISON_PARAMETERS.map((name) => `'${values[name]}'`),
      { schema: twoModels.databases.rawDatabase },
    );
    expect(answer.rows).toEqual([
      { windows: 1, agreed: 1, serving_anomalous: 0, candidate_anomalous: 0, refusal: null },
    ]);
  });
});
