import { contractAccepts } from '@uns-mlops/test-services';
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedContracts } from '../../src/contract/model';
import {
  EXCERPT_BYTES,
  sampleText,
  type SamplingOutcome,
  ViolationSamples,
} from '../../src/service/violation-samples';
import { validateMessage } from '../../src/validate/validate-message';
import { CONTRACT_DIR } from '../fixtures/paths';

const ASSET = 'body-shop/body-weld-1/cell-010/welder-1';
const telemetry = (site: string) => `acme/${site}/${ASSET}/telemetry/arc_current`;
const RECEIVED_AT = Date.parse('2025-11-25T08:15:30.120Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A telemetry block whose second value is out of range (a schema violation). */
function outOfRange(values = [212.5, 912.5]): Buffer {
  return Buffer.from(
    JSON.stringify({ t0: '2025-11-25T08:15:30.000Z', dtMs: 1, unit: 'A', values, seq: 4711 }),
  );
}

describe('violation samples', () => {
  let contracts: LoadedContracts;

  beforeAll(async () => {
    contracts = await loadContracts([CONTRACT_DIR]);
  });

  /** Judges the message with the welding contract, then offers it to `samples`. */
  function offer(
    samples: ViolationSamples,
    topic: string,
    payload: Buffer = outOfRange(),
  ): SamplingOutcome | undefined {
    return samples.take(validateMessage(contracts, topic, payload), RECEIVED_AT, payload);
  }

  /** The published sample of an outcome, parsed. */
  function sampleOf(outcome: SamplingOutcome | undefined): Record<string, unknown> {
    if (outcome?.result !== 'sample') throw new Error(`no sample: ${JSON.stringify(outcome)}`);
    return JSON.parse(outcome.message.payload) as Record<string, unknown>;
  }

  it('describes an invalid message by its first error, with a random sample id, as the contract defines it', () => {
    const outcome = offer(new ViolationSamples('acme', 20), telemetry('zwickau'));

    expect(outcome).toMatchObject({
      result: 'sample',
      message: { topic: 'acme/zwickau/_validation/violations' },
    });
    const sample = sampleOf(outcome);
    expect(sample).toEqual({
      sampleId: expect.stringMatching(UUID),
      site: 'zwickau',
      receivedAt: '2025-11-25T08:15:30.120Z',
      topic: telemetry('zwickau'),
      channel: 'telemetry',
      contractVersion: '1.4.0',
      errorKind: 'schema-violation',
      errorCount: 1,
      schemaPath: '#/allOf/0/properties/values/items/maximum',
      payloadPath: '/values/1',
      message: 'must be <= 600',
      assertion: '',
      payloadSize: outOfRange().byteLength,
      payloadEncoding: 'utf8',
      payloadExcerpt: outOfRange().toString(),
    });
    expect(contractAccepts('ViolationSample', sample)).toBe(true);
    expect(
      sampleOf(offer(new ViolationSamples('acme', 20), telemetry('zwickau'))).sampleId,
    ).not.toBe(sample.sampleId);
  });

  it('publishes the first samples of each site in an interval, then counts the rest over the cap, until the next interval', () => {
    const samples = new ViolationSamples('acme', 2);
    const results = () =>
      ['zwickau', 'zwickau', 'mlada-boleslav', 'zwickau'].map(
        (site) => offer(samples, telemetry(site))?.result,
      );

    expect(results()).toEqual(['sample', 'sample', 'sample', 'over-cap']);
    expect(results()).toEqual(['over-cap', 'over-cap', 'sample', 'over-cap']);
    samples.nextInterval();
    expect(results()).toEqual(['sample', 'sample', 'sample', 'over-cap']);
    expect(offer(new ViolationSamples('acme', 0), telemetry('zwickau'))?.result).toBe('over-cap');
  });

  it('keeps a sample small whatever the message: the first 2048 bytes of the payload, texts cut to 1024 characters', () => {
    const large = outOfRange(Array.from({ length: 2000 }, () => 999.5));
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));
    const longCell = `cell-${'😀'.repeat(600)}`;
    const samples = new ViolationSamples('acme', 20);

    const fromLarge = sampleOf(offer(samples, telemetry('zwickau'), large));
    const fromBinary = sampleOf(offer(samples, `acme/zwickau/${ASSET}/state`, binary));
    const fromLongTopic = sampleOf(
      offer(samples, `acme/zwickau/body-shop/body-weld-1/${longCell}/welder-1/state`, binary),
    );

    expect(fromLarge).toMatchObject({
      payloadSize: large.byteLength,
      payloadEncoding: 'utf8',
      payloadExcerpt: large.subarray(0, EXCERPT_BYTES).toString(),
      // 50 errors listed, one more saying how many more there were.
      errorCount: 51,
    });
    expect(fromBinary).toMatchObject({
      errorKind: 'unparseable-payload',
      payloadSize: 4096,
      payloadEncoding: 'base64',
      payloadExcerpt: binary.subarray(0, EXCERPT_BYTES).toString('base64'),
    });
    expect(fromLongTopic.topic).toHaveLength(1024 - 1);
    expect(fromLongTopic.topic).toMatch(/^acme\/zwickau\/body-shop\/body-weld-1\/cell-😀+…$/u);
    for (const sample of [fromLarge, fromBinary, fromLongTopic]) {
      expect(contractAccepts('ViolationSample', sample)).toBe(true);
    }
  });

  it.each([
    ['a valid message', telemetry('zwickau'), outOfRange([212.5])],
    ['a message without a site (unknown topic)', 'acme/zwickau/notes', outOfRange()],
    ['a site that is no site id', telemetry('Zwickau Plant'), outOfRange()],
    ['Sparkplug', 'spBv1.0/welding/NDATA/edge-1', Buffer.from([1, 2, 3])],
    ['its own summary', 'acme/zwickau/_validation', Buffer.from('{}')],
    ['its own violation sample', 'acme/zwickau/_validation/violations', Buffer.from('{}')],
  ])('takes no sample of %s', (_, topic, payload) => {
    expect(offer(new ViolationSamples('acme', 20), topic, payload)).toBeUndefined();
  });
});

describe('the texts of a sample', () => {
  it.each([
    ['a text as long as the limit as it is', 'abcde', 'abcde'],
    ['a longer text cut, with an ellipsis', 'abcdefghij', 'abcd…'],
    ['a character the cut would split out whole', 'abc😀def', 'abc…'],
    ['NUL replaced, as the store does', 'a\u0000b', 'a\uFFFDb'],
  ])('keeps %s', (_, text, expected) => {
    expect(sampleText(text, 5)).toBe(expected);
  });
});
