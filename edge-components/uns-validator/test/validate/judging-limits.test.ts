/**
 * What one message may cost to judge, and how the contract rules the bytes of a payload: size
 * limits, the error cap, byte-order marks, and the verdicts of messages never handed to a worker.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeContracts } from '../../src/contract/describe-contracts';
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedContracts } from '../../src/contract/model';
import {
  DEFAULT_JUDGING_LIMITS,
  judgeWithheldPayload,
  largestAcceptedPayload,
  processingFailedVerdict,
  validateMessage,
} from '../../src/validate/validate-message';
import { CONTRACT_DIR, LIMITS_V3 } from '../fixtures/paths';

const ARC_CURRENT = 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/telemetry/arc_current';
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

let welding: LoadedContracts;
let lab: LoadedContracts;

beforeAll(async () => {
  welding = await loadContracts([CONTRACT_DIR]);
  lab = await loadContracts([LIMITS_V3]);
});

function telemetry(values: readonly number[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      t0: '2025-11-25T08:15:30.000Z',
      dtMs: 1,
      unit: 'A',
      values,
      quality: 'good',
      seq: 1,
    }),
  );
}

describe('payload size', () => {
  it('judges a payload over the configured limit payload-too-large without decoding it', () => {
    const garbage = Buffer.alloc(DEFAULT_JUDGING_LIMITS.maxPayloadBytes + 1, 0xff);
    const verdict = validateMessage(welding, ARC_CURRENT, garbage);
    expect(verdict).toMatchObject({ valid: false, channel: 'telemetry' });
    expect(verdict.errors).toEqual([
      {
        kind: 'payload-too-large',
        path: '',
        message:
          "payload of 1048577 bytes is larger than the 1048576 bytes channel 'telemetry' accepts; not read",
      },
    ]);
  });

  it("applies a channel's own x-max-payload-bytes instead of the configured limit", () => {
    const small = Buffer.from('{"value":1}');
    const large = Buffer.from(`{"value":1,"pad":"${'x'.repeat(64)}"}`);
    expect(validateMessage(lab, 'lab/c1/tiny', small).valid).toBe(true);
    expect(validateMessage(lab, 'lab/c1/tiny', large).errors).toMatchObject([
      { kind: 'payload-too-large', message: expect.stringContaining('than the 64 bytes') },
    ]);
  });

  it('judges the topic before the size: a large payload on an unknown topic is unknown-topic', () => {
    const large = Buffer.alloc(2 * 1024 * 1024);
    expect(validateMessage(lab, 'lab/c1/nowhere', large).errors).toMatchObject([
      { kind: 'unknown-topic' },
    ]);
  });

  it('knows the largest payload any channel accepts: the configured limit, or a larger channel limit', () => {
    expect(largestAcceptedPayload(lab)).toBe(DEFAULT_JUDGING_LIMITS.maxPayloadBytes);
    expect(largestAcceptedPayload(lab, { ...DEFAULT_JUDGING_LIMITS, maxPayloadBytes: 10 })).toBe(
      64,
    );
  });

  it('judges a withheld payload by its topic and its size alone', () => {
    expect(judgeWithheldPayload(welding, ARC_CURRENT, 16_777_216)).toMatchObject({
      valid: false,
      channel: 'telemetry',
      contractVersion: '1.4.0',
      errors: [{ kind: 'payload-too-large', message: expect.stringContaining('16777216 bytes') }],
    });
    expect(judgeWithheldPayload(welding, 'nowhere/at/all', 16_777_216).errors).toMatchObject([
      { kind: 'unknown-topic' },
    ]);
  });
});

describe('schema errors collected per message', () => {
  it('lists every error up to the configured cap and says how many more there were', () => {
    const limits = { ...DEFAULT_JUDGING_LIMITS, maxErrorsPerVerdict: 3 };
    const verdict = validateMessage(welding, ARC_CURRENT, telemetry([-1, -1, -1, -1, -1]), {
      limits,
    });
    expect(verdict.errors.map(({ message }) => message)).toEqual([
      'must be >= 0',
      'must be >= 0',
      'must be >= 0',
      '2 more schema errors not listed',
    ]);
  });

  it('checks a payload above fullReportMaxBytes up to its first error only, and says so', () => {
    const everyValueFails = telemetry(new Array<number>(4000).fill(-1));
    const limits = { ...DEFAULT_JUDGING_LIMITS, fullReportMaxBytes: 1024 };
    const { errors } = validateMessage(welding, ARC_CURRENT, everyValueFails, { limits });
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'schema-violation', path: '/values/0' }),
      {
        kind: 'schema-violation',
        path: '',
        message:
          'the payload is larger than the size up to which every error is looked for; checked up to its first error',
      },
    ]);
  });
});

describe('byte-order marks', () => {
  const reading = Buffer.from('{"value":1}');
  const withMark = Buffer.concat([UTF8_BOM, reading]);

  it('judges a UTF-8 byte-order mark an encoding violation by default', () => {
    expect(validateMessage(lab, 'lab/c1/strict', reading).valid).toBe(true);
    expect(validateMessage(lab, 'lab/c1/strict', withMark).errors).toEqual([
      {
        kind: 'encoding',
        path: '',
        message:
          "payload starts with a UTF-8 byte-order mark (EF BB BF), which channel 'strict' does not accept (x-byte-order-mark: reject)",
      },
    ]);
  });

  it('accepts the mark on a channel whose contract says x-byte-order-mark: accept', () => {
    expect(validateMessage(lab, 'lab/c1/lenient', withMark)).toMatchObject({
      valid: true,
      messageId: 'reading',
    });
  });

  it('judges a UTF-16 payload an encoding violation on every JSON channel', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"value":1}', 'utf16le')]);
    expect(validateMessage(lab, 'lab/c1/lenient', utf16).errors).toMatchObject([
      { kind: 'encoding', message: expect.stringContaining('UTF-16') },
    ]);
  });

  it('refuses a contract whose payload rules are not understood', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'limits-'));
    const broken = join(folder, 'broken.asyncapi.yaml');
    const text = await readFile(LIMITS_V3, 'utf8');
    await writeFile(broken, text.replace('x-max-payload-bytes: 64', 'x-max-payload-bytes: -1'));
    await expect(describeContracts([broken])).rejects.toThrow(
      "channel 'tiny': x-max-payload-bytes must be a positive integer, got -1",
    );
  });
});

describe('messages that could not be judged', () => {
  it('are processing-failed, with the channel their topic resolves to', () => {
    expect(processingFailedVerdict(welding, ARC_CURRENT, 'worker 0 ran out of memory')).toEqual(
      expect.objectContaining({
        valid: false,
        channel: 'telemetry',
        errors: [
          {
            kind: 'processing-failed',
            path: '',
            message: 'the message could not be judged: worker 0 ran out of memory',
          },
        ],
      }),
    );
  });
});
