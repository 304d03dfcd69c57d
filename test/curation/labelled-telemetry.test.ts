/**
 * The labelled-telemetry curation query, run as Athena runs it (the text of
 * `curationSql('labelled-telemetry', ...)`, the site and day as execution parameters) on a real
 * Trino 476 over the Lakehouse's tables: raw Parquet partitions in, one curated partition out.
 */
import { dirname } from 'node:path';
import { executeImmediate, type TrinoClient } from '@uns-mlops/test-services';
import { curationSql } from '../../lib/curation/sql';
import {
  createTrinoLakehouse,
  type Row,
  synthGlueCatalog,
  type TrinoLakehouse,
} from '../support/lakehouse-on-trino';
import { sharedTrino } from '../support/shared-trino';

const SITE = 'zwickau';
const OTHER_SITE = 'mlada-boleslav';
const TWO_DAYS_BEFORE = '2025-03-02';
const DAY_BEFORE = '2025-03-03';
const DAY = '2025-03-04';
const DAY_AFTER = '2025-03-05';
const TABLE = 'labelled_telemetry';

const cell = { enterprise: 'acme', area: 'body-shop', line: 'line-1', cell: 'cell-1' };
const WELDER = 'welder-1';
const OTHER_WELDER = 'welder-2';

/** `yyyy-MM-ddTHH:mm:ss.SSSZ` of a day and a time of day (UTC). */
const at = (day: string, time: string) => `${day}T${time}.000Z`;

function sample(
  asset: string,
  day: string,
  time: string,
  options: { channel?: string; quality?: string; value?: number; receivedAt?: string } = {},
): Row {
  return {
    ...cell,
    asset,
    channel: options.channel ?? 'arc_current',
    unit: options.channel === 'voltage' ? 'V' : 'A',
    sample_time: at(day, time),
    value: options.value ?? 180,
    quality: options.quality ?? 'good',
    mqtt_topic: `acme/${SITE}/body-shop/line-1/cell-1/${asset}/telemetry`,
    contract_version: '1.4.0',
    received_at: options.receivedAt ?? at(day, time),
  };
}

function state(asset: string, day: string, time: string, operating: string, seamId?: string): Row {
  return { ...cell, asset, state_time: at(day, time), state: operating, seam_id: seamId ?? null };
}

function inspection(
  seamId: string,
  seam: { start: string; end: string },
  verdict: 'pass' | 'fail',
  options: { defectClass?: string; inspectedAt: string; receivedAt?: string; asset?: string },
): Row {
  return {
    ...cell,
    asset: options.asset ?? WELDER,
    seam_id: seamId,
    seam_start: seam.start,
    seam_end: seam.end,
    verdict,
    defect_class: options.defectClass ?? null,
    station: 'vt-station-1',
    inspector: null,
    inspected_at: options.inspectedAt,
    received_at: options.receivedAt ?? options.inspectedAt,
  };
}

/**
 * The raw zone: on DAY, welder-1 welds a seam that fails (delivered twice), one that passes, one
 * not yet inspected, one inspected twice (pass, then fail) and one failed without defect class;
 * a seam started the day before crosses midnight on each welder (welder-1's inspected, welder-2's
 * not). Telemetry has a sample delivered twice, a bad and an uncertain one. Other days and the
 * other site hold data that must not leak into DAY's partition.
 */
async function writeRawZone(lakehouse: TrinoLakehouse): Promise<void> {
  await lakehouse.writeRaw('asset_states', SITE, DAY_BEFORE, [
    state(WELDER, DAY_BEFORE, '10:00:00', 'welding', 'S-yesterday'),
    state(WELDER, DAY_BEFORE, '10:00:10', 'idle'),
    state(WELDER, DAY_BEFORE, '23:59:50', 'welding', 'S-night'),
    state(OTHER_WELDER, DAY_BEFORE, '23:59:55', 'welding', 'S-night-open'),
  ]);
  await lakehouse.writeRaw('asset_states', SITE, DAY, [
    state(OTHER_WELDER, DAY, '00:00:08', 'idle'),
    state(WELDER, DAY, '00:00:20', 'idle'),
    state(WELDER, DAY, '08:00:10', 'welding', 'S-fail'),
    state(WELDER, DAY, '08:00:20', 'idle'),
    state(WELDER, DAY, '08:01:00', 'welding', 'S-pass'),
    state(WELDER, DAY, '08:01:10', 'idle'),
    state(WELDER, DAY, '08:02:00', 'welding', 'S-open'),
    state(WELDER, DAY, '08:02:00', 'welding', 'S-open'),
    state(WELDER, DAY, '08:02:10', 'idle'),
    state(WELDER, DAY, '08:03:00', 'welding', 'S-reinspected'),
    state(WELDER, DAY, '08:03:10', 'idle'),
    state(WELDER, DAY, '08:04:00', 'welding', 'S-no-class'),
    state(WELDER, DAY, '08:04:10', 'idle'),
  ]);
  // Inspections are partitioned by the day their seam started.
  await lakehouse.writeRaw('seam_inspections', SITE, DAY_BEFORE, [
    inspection('S-night', { start: at(DAY_BEFORE, '23:59:50'), end: at(DAY, '00:00:20') }, 'fail', {
      defectClass: 'undercut',
      inspectedAt: at(DAY, '00:10:00'),
    }),
  ]);
  const seam = (from: string, to: string) => ({ start: at(DAY, from), end: at(DAY, to) });
  const failed = inspection('S-fail', seam('08:00:10', '08:00:20'), 'fail', {
    defectClass: 'porosity',
    inspectedAt: at(DAY, '08:05:00'),
  });
  await lakehouse.writeRaw('seam_inspections', SITE, DAY, [
    failed,
    { ...failed, received_at: at(DAY, '08:06:00') },
    inspection('S-pass', seam('08:01:00', '08:01:10'), 'pass', {
      inspectedAt: at(DAY, '08:05:00'),
    }),
    inspection('S-reinspected', seam('08:03:00', '08:03:10'), 'pass', {
      inspectedAt: at(DAY, '08:10:00'),
    }),
    inspection('S-reinspected', seam('08:03:00', '08:03:10'), 'fail', {
      defectClass: 'crack',
      inspectedAt: at(DAY, '09:00:00'),
    }),
    inspection('S-no-class', seam('08:04:00', '08:04:10'), 'fail', {
      inspectedAt: at(DAY, '08:15:00'),
    }),
  ]);
  await lakehouse.writeRaw('uns_telemetry', SITE, DAY, [
    sample(WELDER, DAY, '00:00:05'),
    sample(WELDER, DAY, '00:00:30'),
    sample(WELDER, DAY, '08:00:05'),
    sample(WELDER, DAY, '08:00:15', { value: 181, receivedAt: at(DAY, '08:00:16') }),
    sample(WELDER, DAY, '08:00:15', { value: 182, receivedAt: at(DAY, '08:01:00') }),
    sample(WELDER, DAY, '08:00:15', { channel: 'voltage', value: 24 }),
    sample(WELDER, DAY, '08:00:16', { quality: 'bad' }),
    sample(WELDER, DAY, '08:00:17', { quality: 'uncertain' }),
    sample(WELDER, DAY, '08:00:20'),
    sample(WELDER, DAY, '08:01:05'),
    sample(WELDER, DAY, '08:02:05'),
    sample(WELDER, DAY, '08:02:10'),
    sample(WELDER, DAY, '08:03:05'),
    sample(WELDER, DAY, '08:04:05'),
    sample(OTHER_WELDER, DAY, '00:00:02'),
    sample(OTHER_WELDER, DAY, '00:00:09'),
    sample(OTHER_WELDER, DAY, '08:00:15'),
  ]);
  // Days and a site that DAY's curation must neither read nor write.
  for (const day of [TWO_DAYS_BEFORE, DAY_AFTER]) {
    await lakehouse.writeRaw('asset_states', SITE, day, [
      state(WELDER, day, '08:00:00', 'welding', `S-${day}`),
    ]);
    await lakehouse.writeRaw('seam_inspections', SITE, day, [
      inspection(`S-${day}`, { start: at(day, '08:00:00'), end: at(day, '08:00:10') }, 'fail', {
        defectClass: 'burn-through',
        inspectedAt: at(day, '09:00:00'),
      }),
    ]);
  }
  await lakehouse.writeRaw('uns_telemetry', SITE, DAY_BEFORE, [
    sample(WELDER, DAY_BEFORE, '23:59:55'),
  ]);
  await lakehouse.writeRaw('uns_telemetry', SITE, DAY_AFTER, [
    sample(WELDER, DAY_AFTER, '08:00:05'),
  ]);
  await lakehouse.writeRaw('seam_inspections', OTHER_SITE, DAY, [
    inspection('S-other-site', { start: at(DAY, '08:00:00'), end: at(DAY, '08:00:09') }, 'fail', {
      defectClass: 'spatter',
      inspectedAt: at(DAY, '08:30:00'),
    }),
  ]);
  await lakehouse.writeRaw('uns_telemetry', OTHER_SITE, DAY, [sample(WELDER, DAY, '08:00:05')]);
}

/** Each curated row as Trino returns it (timestamps as `yyyy-MM-dd HH:mm:ss.SSS`). */
type CuratedRow = Readonly<Record<string, unknown>>;

describe('labelled-telemetry curation on Trino 476', () => {
  let sql: string;
  /** Athena's ExecutionParameters of a partition: SQL string literals, site then day. */
  const parameters = (site: string, dt: string) => [`'${site}'`, `'${dt}'`];
  let trino: TrinoClient;
  let lakehouse: TrinoLakehouse;
  let rows: readonly CuratedRow[];
  /** The curated files of every partition but (SITE, DAY), with a hash of their content. */
  let otherPartitionsBefore: Map<string, string>;

  const curate = (site: string, dt: string) => trino.query(sql, parameters(site, dt));
  const partitionRows = async (site: string, dt: string): Promise<readonly CuratedRow[]> =>
    (
      await trino.query(
        `SELECT * FROM ${lakehouse.databases.curatedDatabase}.${TABLE} WHERE site = '${site}' AND dt = '${dt}'
         ORDER BY asset, channel, sample_time`,
      )
    ).rows;
  const otherPartitionFiles = () =>
    new Map(
      [...lakehouse.curatedFiles(TABLE)].filter(
        ([file]) => !file.startsWith(`site=${SITE}/dt=${DAY}/`),
      ),
    );
  /** The curated row of a sample of DAY (welder-1's arc current unless told). */
  const rowAt = (time: string, asset = WELDER, channel = 'arc_current') =>
    rows.filter(
      (row) =>
        row.asset === asset && row.channel === channel && row.sample_time === `${DAY} ${time}.000`,
    );
  /** A curated row's sample: `<asset> <channel> <sample time>`. */
  const sampleKey = (row: CuratedRow) => [row.asset, row.channel, row.sample_time].join(' ');
  const labelOf = (time: string, asset = WELDER) =>
    rowAt(time, asset).map((row) => ({ seam_id: row.seam_id, label: row.label }));

  beforeAll(async () => {
    trino = await sharedTrino();
    lakehouse = await createTrinoLakehouse(trino, synthGlueCatalog(), 'curation');
    sql = curationSql('labelled-telemetry', lakehouse.databases);
    await writeRawZone(lakehouse);
    // Partitions curated before: another site's on DAY, and this site's on the day before.
    await curate(OTHER_SITE, DAY);
    await curate(SITE, DAY_BEFORE);
    otherPartitionsBefore = otherPartitionFiles();
    await curate(SITE, DAY);
    rows = await partitionRows(SITE, DAY);
  }, 300_000);

  describe('one partition', () => {
    it('labels samples inside a failed seam with its defect class', () => {
      for (const time of ['08:00:15', '08:00:17', '08:00:20']) {
        expect(labelOf(time)).toEqual([{ seam_id: 'S-fail', label: 'porosity' }]);
      }
      expect(rowAt('08:00:15', WELDER, 'voltage')).toEqual([
        expect.objectContaining({ seam_id: 'S-fail', label: 'porosity' }),
      ]);
    });

    it('labels a failed seam without a defect class "defect"', () => {
      expect(labelOf('08:04:05')).toEqual([{ seam_id: 'S-no-class', label: 'defect' }]);
    });

    it('labels samples inside a passed seam normal, with the seam', () => {
      expect(labelOf('08:01:05')).toEqual([{ seam_id: 'S-pass', label: 'normal' }]);
    });

    it('labels samples of a seam the asset welded but no inspection judged yet uninspected', () => {
      expect(labelOf('08:02:05')).toEqual([{ seam_id: 'S-open', label: 'uninspected' }]);
      // The seam ends at the asset's next state change.
      expect(labelOf('08:02:10')).toEqual([{ seam_id: null, label: 'normal' }]);
    });

    it('labels samples outside every seam normal, without a seam', () => {
      for (const time of ['00:00:30', '08:00:05']) {
        expect(labelOf(time)).toEqual([{ seam_id: null, label: 'normal' }]);
      }
    });

    it("labels from the seams of the sample's own asset and site only", () => {
      // welder-1's failed seam spans 08:00:15, and the other site's failed seam 08:00:05.
      expect(labelOf('08:00:15', OTHER_WELDER)).toEqual([{ seam_id: null, label: 'normal' }]);
      expect(labelOf('08:00:05')).toEqual([{ seam_id: null, label: 'normal' }]);
    });

    it('labels seams that cross midnight from the inspections and states of the day before', () => {
      expect(labelOf('00:00:05')).toEqual([{ seam_id: 'S-night', label: 'undercut' }]);
      expect(labelOf('00:00:02', OTHER_WELDER)).toEqual([
        { seam_id: 'S-night-open', label: 'uninspected' },
      ]);
      expect(labelOf('00:00:09', OTHER_WELDER)).toEqual([{ seam_id: null, label: 'normal' }]);
    });

    it("takes a seam's latest inspection, and an inspection delivered twice once", () => {
      expect(labelOf('08:03:05')).toEqual([{ seam_id: 'S-reinspected', label: 'crack' }]);
      expect(labelOf('08:00:15')).toEqual([{ seam_id: 'S-fail', label: 'porosity' }]);
    });

    it('keeps one row per asset, channel and sample time: its latest delivery', () => {
      expect(rowAt('08:00:15')).toEqual([expect.objectContaining({ value: 182 })]);
      const keys = rows.map(sampleKey);
      expect(new Set(keys).size).toBe(rows.length);
    });

    it('drops samples of bad quality and keeps uncertain ones', () => {
      expect(rowAt('08:00:16')).toEqual([]);
      expect(rowAt('08:00:17')).toEqual([expect.objectContaining({ quality: 'uncertain' })]);
    });

    it("writes every other sample of the site's day, and nothing of other days or sites", () => {
      expect(rows.map(sampleKey)).toEqual([
        `${WELDER} arc_current ${DAY} 00:00:05.000`,
        `${WELDER} arc_current ${DAY} 00:00:30.000`,
        `${WELDER} arc_current ${DAY} 08:00:05.000`,
        `${WELDER} arc_current ${DAY} 08:00:15.000`,
        `${WELDER} arc_current ${DAY} 08:00:17.000`,
        `${WELDER} arc_current ${DAY} 08:00:20.000`,
        `${WELDER} arc_current ${DAY} 08:01:05.000`,
        `${WELDER} arc_current ${DAY} 08:02:05.000`,
        `${WELDER} arc_current ${DAY} 08:02:10.000`,
        `${WELDER} arc_current ${DAY} 08:03:05.000`,
        `${WELDER} arc_current ${DAY} 08:04:05.000`,
        `${WELDER} voltage ${DAY} 08:00:15.000`,
        `${OTHER_WELDER} arc_current ${DAY} 00:00:02.000`,
        `${OTHER_WELDER} arc_current ${DAY} 00:00:09.000`,
        `${OTHER_WELDER} arc_current ${DAY} 08:00:15.000`,
      ]);
    });

    it("writes the Glue table's columns, the sample's own values unchanged", () => {
      expect(rowAt('08:01:05')).toEqual([
        {
          ...cell,
          asset: WELDER,
          channel: 'arc_current',
          unit: 'A',
          sample_time: `${DAY} 08:01:05.000`,
          value: 180,
          quality: 'good',
          seam_id: 'S-pass',
          label: 'normal',
          site: SITE,
          dt: DAY,
        },
      ]);
    });

    it("writes into the folder the partition projection's storage.location.template names", async () => {
      const { rows: files } = await trino.query(
        `SELECT DISTINCT "$path" AS path FROM ${lakehouse.databases.curatedDatabase}.${TABLE}
         WHERE site = '${SITE}' AND dt = '${DAY}'`,
      );
      expect(files).toHaveLength(1);
      const file = String(files[0]!.path).replace(/^local:\/\/\//, `${trino.dataDirectory}/`);
      expect(dirname(file)).toBe(lakehouse.curatedPartitionDirectory(TABLE, SITE, DAY));
    });

    it("reads only the site's partitions of the day and of the day before", async () => {
      const explained = await trino.query(
        `EXPLAIN (TYPE IO, FORMAT JSON) ${executeImmediate(sql, parameters(SITE, DAY))}`,
      );
      const plan = JSON.parse(String(explained.rows[0]!['Query Plan']));
      const partitionsRead = new Set<string>();
      for (const input of plan.inputTableColumnInfos) {
        /** The values a partition column is constrained to, or `*` when it is not. */
        const valuesOf = (column: string): string[] =>
          input.constraint.columnConstraints
            .find((constraint: { columnName: string }) => constraint.columnName === column)
            ?.domain.ranges.map((range: { low: { value: string } }) => range.low.value) ?? ['*'];
        for (const site of valuesOf('site')) {
          for (const dt of valuesOf('dt')) {
            partitionsRead.add(`${input.table.schemaTable.table} site=${site}/dt=${dt}`);
          }
        }
      }
      expect([...partitionsRead].sort()).toEqual([
        `asset_states site=${SITE}/dt=${DAY_BEFORE}`,
        `asset_states site=${SITE}/dt=${DAY}`,
        `seam_inspections site=${SITE}/dt=${DAY_BEFORE}`,
        `seam_inspections site=${SITE}/dt=${DAY}`,
        `uns_telemetry site=${SITE}/dt=${DAY}`,
      ]);
    });
  });

  describe('re-runs', () => {
    it("gives identical rows when run again after the partition's objects are deleted", async () => {
      lakehouse.deleteCuratedPartition(TABLE, SITE, DAY);
      await curate(SITE, DAY);
      expect(await partitionRows(SITE, DAY)).toEqual(rows);
    });

    it("leaves other sites' and days' partitions untouched", async () => {
      expect(otherPartitionFiles()).toEqual(otherPartitionsBefore);
      expect(
        [...otherPartitionsBefore.keys()].map((file) => file.split('/').slice(0, 2).join('/')),
      ).toEqual([`site=${OTHER_SITE}/dt=${DAY}`, `site=${SITE}/dt=${DAY_BEFORE}`]);
      expect(await partitionRows(OTHER_SITE, DAY)).toEqual([
        expect.objectContaining({
          sample_time: `${DAY} 08:00:05.000`,
          seam_id: 'S-other-site',
          label: 'spatter',
        }),
      ]);
      expect(await partitionRows(SITE, DAY_AFTER)).toEqual([]);
    });

    it('appends when run again without deleting: why the workflow deletes the partition first', async () => {
      await curate(SITE, DAY);
      const appended = await partitionRows(SITE, DAY);
      expect(appended).toHaveLength(2 * rows.length);
      expect(new Set(appended.map((row) => JSON.stringify(row))).size).toBe(rows.length);
    });
  });
});
