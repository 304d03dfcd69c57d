/**
 * Hostile telemetry over a real broker, as an attacker or a broken PLC would publish it: every
 * message that is not a block the model reads is skipped and counted by its reason (never parsed
 * when it is too large), the runtime keeps answering `/health`, and a well-formed asset published
 * afterwards is still scored. Each case uses an asset of its own.
 */
import { randomBytes } from 'node:crypto';
import type { WindowAssembler } from '../../src/windowing/window-assembler';
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { FIXTURE_CHANNELS } from '../fixtures/paths';
import { fixtureWindowsIn, testConfig, useRuntime, waitUntil } from '../support/harness';
import { asset, block, blocks, publish } from '../support/telemetry';

const runtime = useRuntime((brokerUrl) => testConfig(brokerUrl, fixtureBundleDir()));
const HOSTILE_ASSET = asset('cell-hostile');
const hostileTopic = `${HOSTILE_ASSET}/telemetry/arc_current`;

const skipped = (reason: string) =>
  runtime.metric(`anomaly_inference_telemetry_skipped_total{reason="${reason}"}`);
const skippedInAll = async () => {
  const { body } = await runtime.get('/metrics');
  return body
    .split('\n')
    .filter((line) => line.startsWith('anomaly_inference_telemetry_skipped_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
};
const scoredOf = (path: string) =>
  runtime.scored.filter((s) => s.asset === path && s.role === 'serving').length;

let wellFormedAssets = 0;
/** Publishes 300 samples of every channel of a fresh asset and waits until all its windows are scored. */
async function aWellFormedAssetIsScored(): Promise<void> {
  wellFormedAssets += 1;
  const path = asset(`cell-well-formed-${wellFormedAssets}`);
  await publish(runtime.client, path, blocks(FIXTURE_CHANNELS, [0, 1, 2]));
  await waitUntil(() => scoredOf(path) === fixtureWindowsIn(300));
}

/** A block whose `values` text is `values` (written out, not serialized). */
const rawBlock = (values: string) =>
  block('arc_current', 0, 0, 1).replace(/"values":\[[^\]]*\]/, `"values":[${values}]`);

/** [what is published, the reason it is skipped for, the payload] */
const HOSTILE: [string, string, () => Buffer | string][] = [
  ['a 16 MB JSON block', 'payload-too-large', () => rawBlock('160,'.repeat(4 * 1024 ** 2) + '160')],
  ['a block of 2,000,000 samples', 'payload-too-large', () => rawBlock('1,'.repeat(2e6) + '1')],
  ['random bytes', 'invalid-utf8', () => Buffer.concat([Buffer.of(0xff), randomBytes(1023)])],
  [
    'a block with broken UTF-8 in its unit',
    'invalid-utf8',
    () =>
      Buffer.from(block('arc_current', 0, 0).replace('"unit":"x"', '"unit":"\u00ff"'), 'latin1'),
  ],
  ['JSON arrays 10,000 deep', 'too-deep', () => '['.repeat(10_000) + ']'.repeat(10_000)],
  ['JSON objects 10,000 deep', 'too-deep', () => '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
  ['a NaN literal among the values', 'unparseable', () => rawBlock('1,NaN,2')],
  ['a byte-order mark before a block', 'unparseable', () => `\uFEFF${block('arc_current', 0, 0)}`],
  ['an empty payload', 'unparseable', () => ''],
  ['a block under a __proto__ key', 'invalid', () => `{"__proto__":${block('arc_current', 0, 0)}}`],
  ['wrong types', 'invalid', () => '{"t0":1735689600000,"dtMs":"1","seq":"0","values":{"0":1}}'],
  [
    'a seq beyond 2^53',
    'invalid',
    () => block('arc_current', 0, 0).replace('"seq":0', '"seq":1e20'),
  ],
  ['a block of 5,001 samples', 'too-many-samples', () => block('arc_current', 0, 0, 5001)],
];

it.each(HOSTILE)(
  'skips %s as %s, keeps answering /health and still scores the next asset',
  async (_, reason, payload) => {
    const before = await skipped(reason);
    await runtime.client.publishAsync(hostileTopic, payload(), { qos: 1 });
    await waitUntil(async () => (await skipped(reason)) === before + 1);
    expect((await runtime.get('/health')).status).toBe(200);
    await aWellFormedAssetIsScored();
  },
);

it('takes a block on a 65,535-byte topic as the block of one more asset, and goes on', async () => {
  const prefix = 'acme/zwickau/body-shop/body-weld-1/cell-long/';
  const suffix = '/telemetry/arc_current';
  const topic = prefix + 'w'.repeat(65_535 - prefix.length - suffix.length) + suffix;
  const before = await runtime.metric('anomaly_inference_blocks_total{outcome="accepted"}');
  await runtime.client.publishAsync(topic, block('arc_current', 0, 0), { qos: 1 });
  await waitUntil(
    async () =>
      (await runtime.metric('anomaly_inference_blocks_total{outcome="accepted"}')) > before,
  );
  expect((await runtime.get('/health')).status).toBe(200);
  await aWellFormedAssetIsScored();
});

it('counts a message that makes the runtime throw as processing-failed and takes the next ones as usual', async () => {
  const { assembler } = runtime.service as unknown as { assembler: WindowAssembler };
  const accept = jest.spyOn(assembler, 'accept').mockImplementationOnce(() => {
    throw new Error('a bug met by one message');
  });
  try {
    const before = await skipped('processing-failed');
    await runtime.client.publishAsync(hostileTopic, block('arc_current', 0, 0), { qos: 1 });
    await waitUntil(async () => (await skipped('processing-failed')) === before + 1);
    expect((await runtime.get('/health')).status).toBe(200);
    await aWellFormedAssetIsScored();
  } finally {
    accept.mockRestore();
  }
});

it('scores every window of a well-formed asset whose blocks are interleaved with a flood of hostile messages, counting each of them', async () => {
  const path = asset('cell-amid-flood');
  const hostile = HOSTILE.filter(([, reason]) => reason !== 'payload-too-large').map(
    ([, , payload]) => payload(),
  );
  const wellFormed = blocks(FIXTURE_CHANNELS, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const perBlock = 10;
  const before = await skippedInAll();
  const publishing: Promise<unknown>[] = [];
  for (const [index, { signal, payload }] of wellFormed.entries()) {
    publishing.push(
      runtime.client.publishAsync(`${path}/telemetry/${signal}`, payload, { qos: 1 }),
    );
    for (let k = 0; k < perBlock; k += 1) {
      const message = hostile[(index * perBlock + k) % hostile.length] ?? '';
      publishing.push(runtime.client.publishAsync(hostileTopic, message, { qos: 1 }));
    }
  }
  await Promise.all(publishing);
  await waitUntil(async () => (await skippedInAll()) === before + wellFormed.length * perBlock);
  await waitUntil(() => scoredOf(path) === fixtureWindowsIn(1000));
  expect((await runtime.get('/health')).status).toBe(200);
});
