import { contractAccepts, unsContract } from '@uns-mlops/test-services';
import { ERROR_KINDS } from '@uns-mlops/validation-store';
import { PoisonRecordError } from '../src/poison';
import { readViolationSample } from '../src/violation-sample';
import { publishedSamples } from './events';

const T1 = '2025-11-25T08:15:30.000Z';

/** A sample the validator published for site zwickau, parsed, with `changes`. */
function sample(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const [published] = publishedSamples(T1, [{ site: 'zwickau' }]);
  return { ...(JSON.parse(published!.payload) as Record<string, unknown>), ...changes };
}

/** Why the reader refuses `payload` as a sample of zwickau, or `accepted`. */
function verdictOf(payload: unknown): string {
  try {
    readViolationSample(payload, 'zwickau');
    return 'accepted';
  } catch (error) {
    if (error instanceof PoisonRecordError) return error.reason;
    throw error;
  }
}

describe('reading a violation sample', () => {
  it('knows the error kinds of the contract, no more and no fewer', () => {
    const kinds = (unsContract.components.schemas.ErrorKind as { enum?: string[] }).enum ?? [];
    expect([...ERROR_KINDS].sort()).toEqual([...kinds].sort());
  });

  it('reads what the validator publishes, as a row of violation_samples', () => {
    const published = sample();

    expect(readViolationSample(published, 'zwickau')).toEqual({
      ...published,
      receivedAt: Date.parse(T1),
    });
  });

  it('takes a sample id in any form of the UUID format as the same id', () => {
    const id = sample().sampleId as string;

    expect(
      readViolationSample(sample({ sampleId: `urn:uuid:${id.toUpperCase()}` }), 'zwickau'),
    ).toMatchObject({ sampleId: id });
  });

  it.each([
    ['a sample of the contract', sample()],
    ['a binary excerpt', sample({ payloadEncoding: 'base64', payloadExcerpt: 'e30=' })],
    ['a Sparkplug assertion', sample({ errorKind: 'sparkplug-rule', assertion: 'tck-id-x' })],
    ['a missing property', sample({ sampleId: undefined })],
    ['an unknown property', sample({ area: 'body-shop' })],
    ['a sample id that is no UUID', sample({ sampleId: '1234' })],
    ['a site that is no site id', sample({ site: 'Zwickau' })],
    ['an unknown error kind', sample({ errorKind: 'typo' })],
    ['no error', sample({ errorCount: 0 })],
    ['a fractional count', sample({ errorCount: 1.5 })],
    ['a negative size', sample({ payloadSize: -1 })],
    ['an unknown encoding', sample({ payloadEncoding: 'hex' })],
    ['a time without time zone', sample({ receivedAt: '2025-11-25T08:15:30' })],
    ['a topic of 1024 characters', sample({ topic: 'é'.repeat(1024) })],
    ['a topic longer than 1024 characters', sample({ topic: 'é'.repeat(1025) })],
    ['an assertion longer than 128 characters', sample({ assertion: 'x'.repeat(129) })],
    ['an excerpt longer than 2732 characters', sample({ payloadExcerpt: 'x'.repeat(2733) })],
    ['a message that is no text', sample({ message: 42 })],
  ])('agrees with the contract’s schema on %s', (_, payload) => {
    const accepted = verdictOf(payload) === 'accepted';
    expect(accepted).toBe(contractAccepts('ViolationSample', payload));
    if (!accepted) expect(verdictOf(payload)).toBe('not-a-violation-sample');
  });

  it.each([
    ['a sample of another site than its topic’s', sample({ site: 'mlada-boleslav' })],
    ['a NUL character, which the store cannot hold', sample({ payloadPath: '/a\u0000b' })],
    ['an error count beyond the store’s integers', sample({ errorCount: 2 ** 31 })],
    ['a payload size beyond the store’s integers', sample({ payloadSize: 2 ** 31 })],
    ['an excerpt longer than its payload', sample({ payloadSize: 3 })],
  ])('refuses %s as absurd, though the schema accepts it', (_, payload) => {
    expect(contractAccepts('ViolationSample', payload)).toBe(true);
    expect(verdictOf(payload)).toBe('absurd-values');
  });
});
