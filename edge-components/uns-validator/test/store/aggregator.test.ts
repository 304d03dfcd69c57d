import { OVERFLOW, VerdictAggregator } from '../../src/store/aggregator';
import { invalidVerdict, JSON_PAYLOAD, MINUTE, T0, validVerdict } from './fixtures';

const at = (receivedAt: number, payload = JSON_PAYLOAD) => ({ receivedAt, payload });

describe('VerdictAggregator', () => {
  describe('counts', () => {
    it('are kept per time bucket and dimensions, valid and invalid apart', () => {
      const aggregator = new VerdictAggregator();
      const line = { site: 'zwickau', area: 'body-shop', line: 'l1' };
      aggregator.add(validVerdict(line), at(T0));
      aggregator.add(validVerdict(line), at(T0 + 59_999));
      aggregator.add(validVerdict(line), at(T0 + MINUTE));
      aggregator.add(invalidVerdict('schema-violation', { parameters: line }), at(T0 + 1));

      expect(aggregator.drain().counts).toEqual([
        {
          bucketStart: new Date(T0),
          bucketSeconds: 60,
          site: 'zwickau',
          area: 'body-shop',
          line: 'l1',
          channel: 'machineTelemetry',
          contractVersion: '1.2.0',
          errorKind: '',
          valid: 2,
          invalid: 0,
        },
        expect.objectContaining({ bucketStart: new Date(T0 + MINUTE), errorKind: '', valid: 1 }),
        expect.objectContaining({
          bucketStart: new Date(T0),
          errorKind: 'schema-violation',
          invalid: 1,
        }),
      ]);
    });

    it('use buckets of the configured length', () => {
      const aggregator = new VerdictAggregator({ bucketSeconds: 10 });
      aggregator.add(validVerdict(), at(T0 + 9_999));
      aggregator.add(validVerdict(), at(T0 + 10_000));

      expect(
        aggregator.drain().counts.map((c) => [c.bucketStart.getTime() - T0, c.bucketSeconds]),
      ).toEqual([
        [0, 10],
        [10_000, 10],
      ]);
    });

    it('take the site from `site`, else from the Sparkplug `group`, else ""', () => {
      const aggregator = new VerdictAggregator();
      aggregator.add(validVerdict({ site: 'zwickau', group: 'ignored' }), at(T0));
      aggregator.add(validVerdict({ group: 'dresden' }), at(T0));
      aggregator.add(validVerdict({}), at(T0));

      expect(aggregator.drain().counts.map((c) => [c.site, c.area, c.line])).toEqual([
        ['zwickau', '', ''],
        ['dresden', '', ''],
        ['', '', ''],
      ]);
    });

    it('count an invalid message once, under the kind of its first error', () => {
      const aggregator = new VerdictAggregator();
      aggregator.add(
        invalidVerdict('bad-parameter', {
          errors: [
            { kind: 'bad-parameter', path: '', message: 'site not in enum' },
            { kind: 'schema-violation', path: '/x', message: 'x must be a number' },
          ],
        }),
        at(T0),
      );

      expect(aggregator.drain().counts.map((c) => [c.errorKind, c.invalid])).toEqual([
        ['bad-parameter', 1],
      ]);
    });

    it('start afresh after a drain', () => {
      const aggregator = new VerdictAggregator();
      aggregator.add(invalidVerdict('schema-violation'), at(T0));
      aggregator.drain();

      expect(aggregator.drain()).toEqual({ counts: [], violations: [] });
    });

    it('of several valid messages at once (a tally folded in) equal adding them one by one', () => {
      const line = { site: 'zwickau', area: 'body-shop', line: 'l1' };
      const oneByOne = new VerdictAggregator();
      const atOnce = new VerdictAggregator();
      for (let i = 0; i < 3; i++) oneByOne.add(validVerdict(line), at(T0 + i));
      oneByOne.add(validVerdict(line), at(T0 + MINUTE));
      atOnce.addValid(validVerdict(line), T0, 3);
      atOnce.addValid(validVerdict(line), T0 + MINUTE, 1);

      expect(atOnce.drain()).toEqual(oneByOne.drain());
    });

    it('beyond `maxKeys` distinct keys, go to an overflow key per channel and kind', () => {
      const aggregator = new VerdictAggregator({ maxKeys: 2 });
      for (const site of ['a', 'b', 'c', 'd', 'c']) aggregator.add(validVerdict({ site }), at(T0));

      const counts = aggregator.drain().counts;
      expect(counts.map((c) => [c.site, c.area, c.line, c.valid])).toEqual([
        ['a', '', '', 1],
        ['b', '', '', 1],
        [OVERFLOW, OVERFLOW, OVERFLOW, 3],
      ]);
      expect(aggregator.overflowedMessages).toBe(3);
    });
  });

  describe('violation samples', () => {
    it('describe the first error of the message', () => {
      const aggregator = new VerdictAggregator();
      aggregator.add(
        invalidVerdict('sparkplug-rule', {
          topic: 'spBv1.0/dresden/NDATA/edge1',
          channel: 'sparkplugNodeData',
          parameters: { group: 'dresden' },
          errors: [
            {
              kind: 'sparkplug-rule',
              path: '/seq',
              message: 'seq must follow 41',
              assertion: 'tck-id-payloads-sequence-num-incrementing',
            },
            { kind: 'schema-violation', path: '/metrics', message: 'second error' },
          ],
        }),
        at(T0 + 5),
      );

      expect(aggregator.drain().violations).toEqual([
        {
          receivedAt: new Date(T0 + 5),
          topic: 'spBv1.0/dresden/NDATA/edge1',
          site: 'dresden',
          channel: 'sparkplugNodeData',
          contractVersion: '1.2.0',
          errorKind: 'sparkplug-rule',
          errorCount: 2,
          schemaPath: '',
          payloadPath: '/seq',
          message: 'seq must follow 41',
          assertion: 'tck-id-payloads-sequence-num-incrementing',
          payloadSize: JSON_PAYLOAD.byteLength,
          payloadEncoding: 'utf8',
          payloadExcerpt: '{"temperature":21.5}',
        },
      ]);
    });

    it('are capped per channel and error kind, and in total, per drain', () => {
      const aggregator = new VerdictAggregator({ samplesPerKind: 2, maxSamples: 5 });
      for (let i = 0; i < 3; i++) {
        aggregator.add(invalidVerdict('schema-violation', { channel: 'a' }), at(T0));
        aggregator.add(invalidVerdict('bad-parameter', { channel: 'a' }), at(T0));
        aggregator.add(invalidVerdict('schema-violation', { channel: 'b' }), at(T0));
      }
      const first = aggregator.drain().violations;
      aggregator.add(invalidVerdict('schema-violation', { channel: 'a' }), at(T0));

      expect(first.map((v) => `${v.channel}:${v.errorKind}`)).toEqual([
        'a:schema-violation',
        'a:bad-parameter',
        'b:schema-violation',
        'a:schema-violation',
        'a:bad-parameter',
      ]);
      expect(aggregator.drain().violations).toHaveLength(1);
    });

    it('are not taken of valid messages', () => {
      const aggregator = new VerdictAggregator();
      aggregator.add(validVerdict(), at(T0));

      expect(aggregator.drain().violations).toEqual([]);
    });

    it('keep the payload start as text, cut before a split character', () => {
      const aggregator = new VerdictAggregator({ excerptBytes: 4 });
      // '€' takes bytes 3 to 5 of 'ab€cd', so the 4-byte limit splits it.
      aggregator.add(invalidVerdict('schema-violation'), at(T0, new TextEncoder().encode('ab€cd')));

      expect(aggregator.drain().violations[0]).toMatchObject({
        payloadSize: 7,
        payloadEncoding: 'utf8',
        payloadExcerpt: 'ab',
      });
    });

    it('keep binary payloads (or text with NUL) as base64', () => {
      const aggregator = new VerdictAggregator({ excerptBytes: 3 });
      aggregator.add(
        invalidVerdict('unparseable-payload'),
        at(T0, Uint8Array.of(0x08, 0xff, 0xfe, 0x01)),
      );
      aggregator.add(
        invalidVerdict('schema-violation'),
        at(T0, new TextEncoder().encode('a\u0000b')),
      );

      expect(
        aggregator.drain().violations.map((v) => [v.payloadEncoding, v.payloadExcerpt]),
      ).toEqual([
        ['base64', Buffer.of(0x08, 0xff, 0xfe).toString('base64')],
        ['base64', Buffer.from('a\u0000b').toString('base64')],
      ]);
    });

    it('replace NUL in texts, which PostgreSQL cannot store', () => {
      const aggregator = new VerdictAggregator();
      aggregator.add(
        invalidVerdict('schema-violation', {
          errors: [{ kind: 'schema-violation', path: '/a\u0000b', message: 'bad \u0000' }],
        }),
        at(T0),
      );

      expect(aggregator.drain().violations[0]).toMatchObject({
        payloadPath: '/a\uFFFDb',
        message: 'bad \uFFFD',
      });
    });
  });

  it('rejects options that are not (positive) integers', () => {
    expect(() => new VerdictAggregator({ bucketSeconds: 0 })).toThrow(RangeError);
    expect(() => new VerdictAggregator({ maxSamples: 1.5 })).toThrow(RangeError);
  });
});
