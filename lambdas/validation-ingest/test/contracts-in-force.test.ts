import { contractAccepts } from '@uns-mlops/test-services';
import { readContractsInForce } from '../src/contracts-in-force';
import { PoisonRecordError } from '../src/poison';
import { publishedContracts } from './events';

const T0 = '2025-11-25T08:00:00.000Z';

/** Why the reader refuses `payload`, or `accepted`. */
function verdictOf(payload: unknown): string {
  try {
    readContractsInForce(payload);
    return 'accepted';
  } catch (error) {
    if (error instanceof PoisonRecordError) return error.reason;
    throw error;
  }
}

describe('reading the contracts in force', () => {
  let published: Record<string, unknown>;

  beforeAll(async () => {
    published = JSON.parse((await publishedContracts('zwickau', T0)).payload) as Record<
      string,
      unknown
    >;
  });

  /** The published message with `changes`, or with `change` applied to its first contract. */
  const message = (
    changes: Record<string, unknown> = {},
    change: (contract: Record<string, unknown>) => Record<string, unknown> = (c) => c,
  ) => {
    const [first, ...rest] = published.inForce as Record<string, unknown>[];
    return { ...published, inForce: [change(first!), ...rest], ...changes };
  };

  it('reads what the validator publishes: when, and the report as the compliance API gives it', () => {
    const { publishedAt, ...report } = published;

    expect(readContractsInForce(published)).toEqual({ publishedAt: Date.parse(T0), report });
    expect(publishedAt).toBe(T0);
  });

  it.each([
    ['contracts of the contract', () => message()],
    ['no contract in force', () => message({ inForce: [] })],
    ['a missing property', () => message({ enforcement: undefined })],
    ['an unknown property', () => message({ history: [] })],
    ['an unknown mode', () => message({ enforcement: { defaultMode: 'block' } })],
    ['a time that is no date-time', () => message({ publishedAt: 'now' })],
    ['contracts that are no list', () => message({ inForce: {} })],
    [
      'a contract without warnings',
      () =>
        message({}, (c) => Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'warnings'))),
    ],
    [
      'a warning on line 0',
      () =>
        message({}, (c) => ({ ...c, warnings: [{ rule: 'r', path: 'p', line: 0, message: 'm' }] })),
    ],
    [
      'a warning of the parser',
      () =>
        message({}, (c) => ({ ...c, warnings: [{ rule: 'r', path: 'p', line: 9, message: 'm' }] })),
    ],
    [
      'a channel of an unknown mode',
      () =>
        message({}, (c) => ({
          ...c,
          channels: [{ id: 'state', address: 'a/state', enforcement: 'drop' }],
        })),
    ],
    ['a title that is no text', () => message({}, (c) => ({ ...c, title: 7 }))],
  ])('agrees with the contract’s schema on %s', (_, payload) => {
    const accepted = verdictOf(payload()) === 'accepted';
    expect(accepted).toBe(contractAccepts('ContractsInForce', payload()));
    if (!accepted) expect(verdictOf(payload())).toBe('not-contracts-in-force');
  });

  it('refuses a NUL character, which the store cannot hold, as absurd', () => {
    const payload = message({}, (c) => ({ ...c, source: '/contracts/a\u0000.yaml' }));

    expect(contractAccepts('ContractsInForce', payload)).toBe(true);
    expect(verdictOf(payload)).toBe('absurd-values');
  });
});
