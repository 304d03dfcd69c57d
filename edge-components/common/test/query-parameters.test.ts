import { BadRequestError } from '../src/http-server';
import {
  dateParameter,
  EARLIEST_DATE,
  integerParameter,
  isWithinDateRange,
  LATEST_DATE,
  textParameter,
} from '../src/query-parameters';

/** The query string parameters of `query`, decoded the way the HTTP server decodes them. */
const params = (query: string) => new URL(`http://localhost/?${query}`).searchParams;

/** The message of the BadRequestError `read` throws. */
function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as Error).message;
  }
  throw new Error('no BadRequestError thrown');
}

describe('textParameter', () => {
  it('reads UTF-8 text, and nothing when the parameter is absent', () => {
    expect(textParameter(params('site=z%C3%BCrich%20s%C3%BCd'), 'site')).toBe('zürich süd');
    expect(textParameter(params('site='), 'site')).toBe('');
    expect(textParameter(params('other=1'), 'site')).toBeUndefined();
  });

  it.each([
    ['a NUL byte', 'site=a%00b'],
    ['a C0 control character', 'site=a%1Bb'],
    ['DEL', 'site=a%7F'],
    ['a C1 control character', 'site=a%C2%85'],
    ['bytes that are not UTF-8', 'site=%FF'],
    ['an overlong UTF-8 encoding', 'site=%C0%80'],
    ['an encoded lone surrogate', 'site=%ED%A0%80'],
  ])('rejects %s', (_, query) => {
    expect(refusal(() => textParameter(params(query), 'site'))).toMatch(
      /^site must be UTF-8 text without control characters, got "/,
    );
  });

  it('rejects a lone surrogate handed over in a string', () => {
    const query = new URLSearchParams({ site: 'a\uD800b' });
    expect(refusal(() => textParameter(query, 'site'))).toMatch(/^site must be UTF-8 text/);
  });

  it('rejects text beyond the maximum length, 200 characters unless told', () => {
    expect(textParameter(params(`site=${'x'.repeat(200)}`), 'site')).toHaveLength(200);
    expect(refusal(() => textParameter(params(`site=${'x'.repeat(201)}`), 'site'))).toBe(
      'site must be at most 200 characters',
    );
    expect(refusal(() => textParameter(params('before=12345'), 'before', 4))).toBe(
      'before must be at most 4 characters',
    );
  });

  it('rejects a parameter given twice', () => {
    expect(refusal(() => textParameter(params('site=a&site=b'), 'site'))).toBe(
      'site may be given only once',
    );
  });
});

describe('integerParameter', () => {
  it('reads a decimal integer within its bounds', () => {
    expect(integerParameter(params('limit=1'), 'limit', 1, 500)).toBe(1);
    expect(integerParameter(params('limit=500'), 'limit', 1, 500)).toBe(500);
    expect(integerParameter(params(''), 'limit', 1, 500)).toBeUndefined();
  });

  it.each(['0', '501', '-1', '1.5', '1e2', '0x10', ' 1', '', 'Infinity', 'NaN', '9'.repeat(400)])(
    'rejects %j',
    (value) => {
      expect(refusal(() => integerParameter(params(`limit=${value}`), 'limit', 1, 500))).toMatch(
        /^limit must be an integer from 1 to 500, got "/,
      );
    },
  );

  it('quotes at most 40 characters of a rejected value', () => {
    expect(
      refusal(() => integerParameter(params(`limit=${'9'.repeat(400)}`), 'limit', 1, 500)),
    ).toBe(`limit must be an integer from 1 to 500, got "${'9'.repeat(40)}..."`);
  });
});

describe('dateParameter', () => {
  it.each([
    ['2026-03-01T12:00:00Z', '2026-03-01T12:00:00.000Z'],
    ['2026-03-01T12:00:00.250Z', '2026-03-01T12:00:00.250Z'],
    ['2026-03-01T12:00:00.123456789Z', '2026-03-01T12:00:00.123Z'],
    ['2026-03-01T13:30:00+01:30', '2026-03-01T12:00:00.000Z'],
    ['2026-03-01T10:00:00-02:00', '2026-03-01T12:00:00.000Z'],
    ['2026-03-01t12:00:00z', '2026-03-01T12:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-01T00:00:00Z', '0099-06-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('reads %s as %s', (value, instant) => {
    const query = new URLSearchParams({ since: value });
    expect(dateParameter(query, 'since')?.toISOString()).toBe(instant);
  });

  it.each([
    'yesterday',
    '99999',
    '2026-03-01',
    '2026-03-01T12:00Z',
    '2026-03-01T12:00:00',
    '2026-03-01 12:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-000001-01-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-32T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T23:60:00Z',
    '2026-01-01T23:59:60Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00.Z',
    '2026-01-01T00:00:00.1234567890Z',
    '',
  ])('rejects %j as no date-time', (value) => {
    const query = new URLSearchParams({ since: value });
    expect(refusal(() => dateParameter(query, 'since'))).toMatch(
      /^since must be an ISO 8601 date-time such as 2026-03-01T12:00:00Z, got "/,
    );
  });

  it.each(['0000-01-01T00:00:00Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:59:59-00:01'])(
    'rejects %s, outside the years 1 to 9999',
    (value) => {
      const query = new URLSearchParams({ until: value });
      expect(refusal(() => dateParameter(query, 'until'))).toBe(
        `until must be from 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, got "${value}"`,
      );
    },
  );

  it('says whether an instant is within the years 1 to 9999', () => {
    expect(isWithinDateRange(EARLIEST_DATE)).toBe(true);
    expect(isWithinDateRange(LATEST_DATE)).toBe(true);
    expect(isWithinDateRange(new Date(EARLIEST_DATE.getTime() - 1))).toBe(false);
    expect(isWithinDateRange(new Date(LATEST_DATE.getTime() + 1))).toBe(false);
    expect(isWithinDateRange(new Date(Number.NaN))).toBe(false);
  });
});
