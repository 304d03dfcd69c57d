import { seededRandom } from '@uns-mlops/test-services';
import { fullFormats } from 'ajv-formats/dist/formats';
import { DATE_TIME_FORMAT } from '../../src/contract/date-time-format';

const ajvFormats = (fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;
const fast = DATE_TIME_FORMAT.validate as (value: string) => boolean;

describe('the date-time format', () => {
  it.each([
    ['2026-12-05T10:00:00Z', true],
    ['2026-12-05T10:00:00.123456Z', true],
    ['2024-02-29T23:59:59.9Z', true],
    ['2023-02-29T00:00:00Z', false],
    ['1900-02-29T00:00:00Z', false],
    ['2000-02-29T00:00:00Z', true],
    ['2026-04-31T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2026-12-05T24:00:00Z', false],
    ['2026-12-05T23:60:00Z', false],
    ['2016-12-31T23:59:60Z', true], // a leap second: ajv-formats decides
    ['2026-12-05T10:00:00.Z', false],
    ['2026-12-05T10:00:00', false], // no time zone
    ['2026-12-05t10:00:00z', true],
    ['2026-12-05 10:00:00+01:00', true],
    ['2026-12-05T10:00:00+0100', true],
    ['2026-12-05T10:00:00.5-23:59', true],
    ['2026-12-05T10:00:00.5-24:00', false],
    ['２０２６-12-05T10:00:00Z', false],
  ])('judges %s as ajv-formats does (%s)', (value, valid) => {
    expect(ajvFormats(value)).toBe(valid);
    expect(fast(value)).toBe(valid);
  });

  it('agrees with ajv-formats on 50,000 mutations of timestamps', () => {
    const next = seededRandom(17);
    const alphabet = '0123456789-:.TtZz +5\u00a0x';
    const templates = [
      '2024-02-29T23:59:59.123456Z',
      '2026-12-05T10:00:00Z',
      '1999-12-31T23:59:60Z',
    ];
    const disagreements: string[] = [];
    for (let n = 0; n < 50_000; n++) {
      const chars = Array.from(templates[n % templates.length] ?? '');
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
        const at = Math.floor(next() * chars.length);
        const pick = alphabet[Math.floor(next() * alphabet.length)] ?? '';
        const kind = next();
        if (kind < 0.6) chars[at] = pick;
        else if (kind < 0.8) chars.splice(at, 1);
        else chars.splice(at, 0, pick);
      }
      const value = chars.join('');
      if (fast(value) !== ajvFormats(value)) disagreements.push(value);
    }
    expect(disagreements).toEqual([]);
  });
});
