/** How results read: tables padded to their widest cell, CSV by RFC 4180, sizes as AWS bills. */
import { formatBytes, formatCsv, formatDuration, formatTable, formatTime } from '../src/format';

describe('formatTable', () => {
  it('pads each column to its widest cell, header first, no trailing spaces', () => {
    expect(
      formatTable(
        ['SITE', 'ROWS'],
        [
          ['zwickau', '12'],
          ['mlada-boleslav', '3'],
        ],
      ),
    ).toBe('SITE            ROWS\nzwickau         12\nmlada-boleslav  3\n');
  });
});

describe('formatCsv', () => {
  it('quotes fields holding a comma, a quote or a line break, with CRLF line ends', () => {
    expect(
      formatCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', ''],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [5_000_000, '5.00 MB'],
    [12_345_678, '12.3 MB'],
    [300_000_000, '300 MB'],
    [1_500_000_000_000, '1.50 TB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatDuration and formatTime', () => {
  it('reads as milliseconds, seconds or minutes', () => {
    expect([850, 12_400, 185_000].map(formatDuration)).toEqual(['850 ms', '12.4 s', '3 min 05 s']);
  });

  it('shows a time to the minute in UTC, or a dash', () => {
    expect(formatTime(new Date('2026-12-05T11:52:31Z'))).toBe('2026-12-05 11:52Z');
    expect(formatTime(undefined)).toBe('-');
  });
});
