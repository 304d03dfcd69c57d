import { waitUntil } from '@uns-mlops/test-services';
import { loadContracts } from '../../src/contract/load-contracts';
import { validateMessage } from '../../src/validate/validate-message';
import { data, nbirth, topicOf } from '../sparkplug/fixtures';
import {
  STATE_TOPIC,
  TELEMETRY_TOPIC,
  startValidator,
  telemetryBlock,
  testClient,
  testConfig,
  useTestPlant,
  type RunningValidator,
} from './harness';

const plant = useTestPlant();

describe('the validator service on a real Mosquitto broker', () => {
  let validator: RunningValidator;

  beforeAll(async () => {
    validator = await startValidator(testConfig(plant.broker.url));
  });

  afterAll(async () => {
    await validator.service.stop();
  });

  beforeEach(() => {
    validator.verdicts.length = 0;
  });

  it('judges valid and invalid messages and names each error kind', async () => {
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));
    await plant.publisher.publishAsync(
      TELEMETRY_TOPIC,
      JSON.stringify({ t0: 'now', dtMs: -1, unit: 'A', values: [], seq: 1 }),
    );
    await plant.publisher.publishAsync('acme/zwickau/unknown/topic', '{}');
    await plant.publisher.publishAsync(
      'acme/Zwickau Plant/body-shop/body-weld-1/cell-1/welder-1/state',
      '{}',
    );
    await plant.publisher.publishAsync(STATE_TOPIC, '{"ts": ');
    const verdicts = await validator.waitForVerdicts(5);
    const byTopicAndKind = verdicts.map(({ verdict }) => [verdict.valid, verdict.errors[0]?.kind]);
    expect(byTopicAndKind).toEqual(
      expect.arrayContaining([
        [true, undefined],
        [false, 'schema-violation'],
        [false, 'unknown-topic'],
        [false, 'bad-parameter'],
        [false, 'unparseable-payload'],
      ]),
    );
    const valid = verdicts.find(({ verdict }) => verdict.valid)!.verdict;
    expect(valid).toMatchObject({
      channel: 'telemetry',
      contractVersion: '1.4.0',
      parameters: { enterprise: 'acme', site: 'zwickau', signal: 'arc_current' },
    });
  });

  it('classifies hostile input without crashing and keeps validating', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const tenMegabytes = JSON.stringify({
      t0: new Date().toISOString(),
      dtMs: 1,
      unit: 'A',
      values: Array.from({ length: 2_100_000 }, () => 1.25),
      seq: 1,
    });
    const nbirthBytes = nbirth();
    await plant.publisher.publishAsync(STATE_TOPIC, Buffer.from([0xc3, 0x28, 0xa0, 0xa1]));
    await plant.publisher.publishAsync(STATE_TOPIC, deep);
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, tenMegabytes);
    await plant.publisher.publishAsync(
      topicOf('NBIRTH'),
      Buffer.from(nbirthBytes.subarray(0, nbirthBytes.length >> 1)),
    );
    await plant.publisher.publishAsync(
      'spBv1.0/plant1/NDATA/edge-x',
      Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37) % 256)),
    );
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(2));
    const verdicts = await validator.waitForVerdicts(6, 30_000);
    // Different topics are judged by different workers: verdicts arrive in completion order.
    const kindsBySize = new Map(
      verdicts.map(({ verdict, payload }) => [payload.length, verdict.errors[0]?.kind]),
    );
    expect(kindsBySize.get(4)).toBe('unparseable-payload'); // invalid UTF-8
    expect(kindsBySize.get(deep.length)).toMatch(/^(unparseable-payload|schema-violation)$/);
    expect(kindsBySize.get(tenMegabytes.length)).toBe('payload-too-large'); // over 1 MiB
    expect(kindsBySize.get(nbirthBytes.length >> 1)).toBe('unparseable-payload'); // truncated protobuf
    expect(kindsBySize.get(64)).toMatch(/^(unparseable-payload|sparkplug-rule)$/); // random bytes
    expect(verdicts.find(({ verdict }) => verdict.valid)).toBeDefined();
    expect(tenMegabytes.length).toBeGreaterThan(10_000_000);
  });

  it('checks Sparkplug B sessions across messages: a seq gap is a rule violation naming its assertion', async () => {
    await plant.publisher.publishAsync(topicOf('NBIRTH'), Buffer.from(nbirth({ bdSeq: 3 })));
    await plant.publisher.publishAsync(topicOf('NDATA'), Buffer.from(data(1)));
    await plant.publisher.publishAsync(topicOf('NDATA'), Buffer.from(data(5)));
    const verdicts = await validator.waitForVerdicts(3);
    expect(verdicts.map(({ verdict }) => verdict.valid)).toEqual([true, true, false]);
    expect(verdicts[2]!.verdict.errors[0]).toMatchObject({
      kind: 'sparkplug-rule',
      assertion: expect.stringMatching(/^tck-id-payloads-ndata-seq/),
    });
  });

  it('stores what it judged: the compliance API counts equal the verdicts', async () => {
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(3));
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(4));
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, '{"broken": true}');
    await validator.waitForVerdicts(3);
    const since = new Date(Date.now() - 60 * 60 * 1000).toISOString();
    await waitUntil(async () => {
      const { groups } = JSON.parse(
        (await validator.get(`/api/v1/compliance/overview?since=${since}&site=zwickau`)).body,
      );
      const telemetry = groups.find((row: { channel: string }) => row.channel === 'telemetry');
      const judged = validator.service.metrics.messages;
      const validTotal = (await judged.get()).values
        .filter((v) => v.labels.verdict === 'valid')
        .reduce((sum, v) => sum + v.value, 0);
      return telemetry !== undefined && telemetry.valid >= 3 && validTotal >= 3;
    });
    const violations = JSON.parse(
      (await validator.get('/api/v1/compliance/violations?limit=5&channel=telemetry')).body,
    );
    expect(violations.items[0]).toMatchObject({
      topic: TELEMETRY_TOPIC,
      errorKind: 'schema-violation',
      payloadExcerpt: '{"broken": true}',
      contractVersion: '1.4.0',
    });
  });

  it('publishes compliance summaries that its own contract accepts', async () => {
    const listener = await testClient(plant.broker.url);
    const summaries: Buffer[] = [];
    listener.on('message', (_, payload) => summaries.push(payload));
    await listener.subscribeAsync('acme/zwickau/_validation');
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(5));
    await waitUntil(() => summaries.length > 0, 15_000, 'a compliance summary');
    await listener.endAsync();
    const contracts = await loadContracts(
      validator.service.loadedContracts.contracts.map((c) => c.source),
    );
    const summary = summaries[0]!;
    expect(validateMessage(contracts, 'acme/zwickau/_validation', summary)).toMatchObject({
      valid: true,
      channel: 'validationSummary',
    });
    expect(JSON.parse(summary.toString()).channels).toContainEqual(
      expect.objectContaining({ channel: 'telemetry', valid: expect.any(Number) }),
    );
  });

  it('serves health, readiness, Prometheus metrics and contracts, and 404 for anything else', async () => {
    expect((await validator.get('/health')).status).toBe(200);
    expect(JSON.parse((await validator.get('/ready')).body)).toMatchObject({ ok: true });
    const metrics = (await validator.get('/metrics')).body;
    expect(metrics).toContain('uns_validator_messages_total{verdict="valid",error_kind=""}');
    expect(metrics).toContain('uns_validator_verdict_latency_seconds_bucket');
    expect(metrics).toContain(
      'uns_validator_contract_info{title="UNS welding plant",version="1.4.0"} 1',
    );
    expect(
      JSON.parse((await validator.get('/api/v1/compliance/contracts')).body).inForce[0],
    ).toMatchObject({
      version: '1.4.0',
      asyncapiVersion: '3.0.0',
    });
    expect((await validator.get('/api/v1/compliance/overview?since=yesterday')).status).toBe(400);
    expect((await validator.get('/nothing-here')).status).toBe(404);
  });
});
