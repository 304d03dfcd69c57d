import { summaryRows, UNCLASSIFIED_KIND } from '../src/count-rows';
import { PoisonRecordError } from '../src/poison';
import { ERROR_KINDS } from '@uns-mlops/validation-store';
import { readValidationSummary } from '../src/summary';
import { parseValidationTopic } from '../src/uns-topic';
import { contractAccepts, unsContract } from '@uns-mlops/test-services';
import { publishedSummaries } from './events';

const T0 = '2025-11-25T08:15:00.000Z';
const T1 = '2025-11-25T08:15:30.000Z';

/** A summary the contract accepts, with `changes`. */
function summary(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    intervalStart: T0,
    intervalEnd: T1,
    contractVersion: '1.1.0',
    channels: [{ channel: 'telemetry', valid: 3, invalid: 2, byErrorKind: { encoding: 2 } }],
    ...changes,
  };
}
const channel = (changes: Record<string, unknown>) => ({
  channels: [{ channel: 'telemetry', valid: 3, invalid: 0, byErrorKind: {}, ...changes }],
});

/** Why the reader refuses `payload`, or `accepted`. */
function verdictOf(payload: unknown): string {
  try {
    readValidationSummary(payload);
    return 'accepted';
  } catch (error) {
    if (error instanceof PoisonRecordError) return error.reason;
    throw error;
  }
}

describe('reading a compliance summary', () => {
  it('knows the error kinds of the contract, no more and no fewer', () => {
    const properties = unsContract.components.schemas.ErrorKindCounts?.properties ?? {};
    expect([...ERROR_KINDS].sort()).toEqual(Object.keys(properties).sort());
  });

  it('reads what the validator publishes', () => {
    const [published] = publishedSummaries(T0, T1, [
      { site: 'zwickau', channel: 'telemetry', valid: 4, invalid: { encoding: 1 }, undescribed: 2 },
    ]);

    expect(readValidationSummary(JSON.parse(published!.payload))).toEqual({
      intervalStart: Date.parse(T0),
      intervalEnd: Date.parse(T1),
      contractVersion: '1.1.0',
      channels: [{ channel: 'telemetry', valid: 4, invalid: 3, byErrorKind: { encoding: 1 } }],
    });
  });

  it.each([
    ['a summary of the contract', summary()],
    ['times with an offset', summary({ intervalStart: '2025-11-25T09:15:00+01:00' })],
    ['no channels', summary({ channels: [] })],
    ['a missing property', { intervalStart: T0, intervalEnd: T1, channels: [] }],
    ['an unknown property', summary({ site: 'zwickau' })],
    ['channels that are no list', summary({ channels: { telemetry: 3 } })],
    ['an unknown channel property', summary(channel({ area: 'body-shop' }))],
    ['an unknown error kind', summary(channel({ invalid: 1, byErrorKind: { typo: 1 } }))],
    ['a negative count', summary(channel({ valid: -1 }))],
    ['a fractional count', summary(channel({ valid: 1.5 }))],
    ['a count as text', summary(channel({ valid: '3' }))],
    ['a version that is no text', summary({ contractVersion: 1 })],
    ['a time without time zone', summary({ intervalStart: '2025-11-25T08:15:00' })],
    ['a day that does not exist', summary({ intervalStart: '2025-02-30T08:15:00Z' })],
    ['a date only', summary({ intervalEnd: '2025-11-25' })],
  ])('agrees with the contract’s schema on %s', (_, payload) => {
    const accepted = verdictOf(payload) === 'accepted';
    expect(accepted).toBe(contractAccepts('ValidationSummary', payload));
    if (!accepted) expect(verdictOf(payload)).toBe('not-a-summary');
  });

  it.each([
    [
      'an interval that ends before it starts',
      summary({ intervalEnd: '2025-11-25T08:14:59.999Z' }),
    ],
    ['an interval longer than a day', summary({ intervalEnd: '2025-11-26T08:15:00.001Z' })],
    [
      'a channel listed twice',
      summary({
        channels: [
          { channel: 'telemetry', valid: 1, invalid: 0, byErrorKind: {} },
          { channel: 'telemetry', valid: 2, invalid: 0, byErrorKind: {} },
        ],
      }),
    ],
    [
      'error kinds adding up to more than invalid',
      summary(channel({ invalid: 1, byErrorKind: { encoding: 2 } })),
    ],
    ['a count beyond 2^53', summary(channel({ valid: 2 ** 53 + 2 }))],
    // PostgreSQL's text refuses NUL: stored, it would fail the whole batch on every retry.
    ['a NUL character in a channel', summary(channel({ channel: 'tele\u0000metry' }))],
    ['a NUL character in the contract version', summary({ contractVersion: '1.3\u0000' })],
  ])('refuses %s as absurd, though the schema accepts it', (_, payload) => {
    expect(contractAccepts('ValidationSummary', payload)).toBe(true);
    expect(verdictOf(payload)).toBe('absurd-values');
  });
});

describe('the rows of a summary', () => {
  const read = (changes: Record<string, unknown>) => readValidationSummary(summary(changes));

  it('puts invalid messages that no error kind accounts for under unclassified', () => {
    const rows = summaryRows(
      'zwickau',
      read(channel({ valid: 0, invalid: 5, byErrorKind: { encoding: 2, 'bad-parameter': 0 } })),
    );

    expect(rows.map((row) => [row.errorKind, row.validCount, row.invalidCount])).toEqual([
      ['', 0, 0],
      ['encoding', 0, 2],
      [UNCLASSIFIED_KIND, 0, 3],
    ]);
    expect(rows.every((row) => row.area === '' && row.line === '' && row.site === 'zwickau')).toBe(
      true,
    );
  });

  it.each([
    ['30 s', T1, 30],
    ['2.5 s, rounded up', '2025-11-25T08:15:02.500Z', 3],
    ['1 ms', '2025-11-25T08:15:00.001Z', 1],
    ['nothing', T0, 1],
  ])('gives an interval of %s a bucket of whole seconds', (_, intervalEnd, seconds) => {
    const [row] = summaryRows('zwickau', read({ intervalEnd }));

    expect(row).toMatchObject({ bucketStart: Date.parse(T0), bucketSeconds: seconds });
  });
});

describe('the MQTT topics of uns.validation', () => {
  it.each([
    ['acme/zwickau/_validation', { kind: 'summary', enterprise: 'acme', site: 'zwickau' }],
    [
      'acme/zwickau/_validation/violations',
      { kind: 'violation', enterprise: 'acme', site: 'zwickau' },
    ],
    [
      'acme/zwickau/_validation/contracts',
      { kind: 'contracts', enterprise: 'acme', site: 'zwickau' },
    ],
    ['_quarantine/acme/zwickau/body-shop/line-1/cell-1/welder-1/state', { kind: 'quarantine' }],
    ['acme/Zwickau/_validation', undefined],
    ['acme//_validation', undefined],
    ['/zwickau/_validation', undefined],
    ['acme/zwickau/body-shop/_validation', undefined],
    ['acme/zwickau/_validated', undefined],
    ['acme/zwickau/_validation/', undefined],
    ['acme/zwickau/_validation/violation', undefined],
    ['acme/zwickau/_validation/contracts/old', undefined],
    ['acme/Zwickau/_validation/violations', undefined],
  ])('reads %s', (topic, expected) => {
    expect(parseValidationTopic(topic, '_quarantine')).toEqual(expected);
  });
});
