/** The JSON path of the validator against the real AsyncAPI 3.0 welding plant contract. */
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedContracts } from '../../src/contract/model';
import {
  DEFAULT_JUDGING_LIMITS,
  isSharedVerdict,
  validateMessage,
} from '../../src/validate/validate-message';
import type { VerdictError } from '../../src/verdict';
import { CONTRACT_DIR } from '../fixtures/paths';

const ASSET = 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1';
const ARC_CURRENT = `${ASSET}/telemetry/arc_current`;
const STATE = `${ASSET}/state`;

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function block(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    t0: '2025-11-25T08:15:30.000Z',
    dtMs: 1,
    unit: 'A',
    values: [212.5, 213.1, 211.9],
    quality: 'good',
    seq: 4711,
    ...overrides,
  };
}

const state = {
  ts: '2025-11-25T08:15:30.000Z',
  state: 'welding',
  seamId: 'S-0815',
  program: 'P12',
};

let contracts: LoadedContracts;

beforeAll(async () => {
  contracts = await loadContracts([CONTRACT_DIR]);
});

function errorsOf(topic: string, payload: Uint8Array): readonly VerdictError[] {
  return validateMessage(contracts, topic, payload).errors;
}

describe('telemetry blocks', () => {
  it('accepts a block of 1 kHz arc current samples and names channel, message, version and parameters', () => {
    expect(validateMessage(contracts, ARC_CURRENT, json(block()))).toEqual({
      topic: ARC_CURRENT,
      valid: true,
      channel: 'telemetry',
      messageId: 'arcCurrent',
      contractVersion: '1.4.0',
      parameters: {
        enterprise: 'acme',
        site: 'zwickau',
        area: 'body-shop',
        line: 'body-weld-1',
        cell: 'cell-010',
        asset: 'welder-1',
        signal: 'arc_current',
      },
      errors: [],
    });
  });

  it.each([
    ['arc_voltage', 'V', 'arcVoltage'],
    ['wire_feed_speed', 'm/min', 'wireFeedSpeed'],
    ['gas_flow', 'l/min', 'gasFlow'],
    ['travel_speed', 'cm/min', 'travelSpeed'],
    ['contact_tip_temperature', 'degC', 'contactTipTemperature'],
  ])('resolves a %s block in %s to message %s', (signal, unit, messageId) => {
    const verdict = validateMessage(
      contracts,
      `${ASSET}/telemetry/${signal}`,
      json(block({ unit, values: [12.5] })),
    );
    expect(verdict).toMatchObject({ valid: true, messageId });
  });

  it('accepts a block without the optional quality', () => {
    expect(errorsOf(ARC_CURRENT, json(block({ quality: undefined })))).toEqual([]);
  });

  it('rejects a telemetry block with a negative sample interval', () => {
    expect(errorsOf(ARC_CURRENT, json(block({ dtMs: -1 })))).toEqual([
      {
        kind: 'schema-violation',
        path: '/dtMs',
        schemaPath: '#/allOf/1/properties/dtMs/exclusiveMinimum',
        message: 'must be > 0',
      },
    ]);
  });

  it('rejects an arc current sample above 600 A', () => {
    expect(errorsOf(ARC_CURRENT, json(block({ values: [212.5, 600.5] })))).toEqual([
      {
        kind: 'schema-violation',
        path: '/values/1',
        schemaPath: '#/allOf/0/properties/values/items/maximum',
        message: 'must be <= 600',
      },
    ]);
  });

  it('rejects a block without samples, or with more than 5000', () => {
    expect(errorsOf(ARC_CURRENT, json(block({ values: [] })))).toMatchObject([
      { kind: 'schema-violation', path: '/values', message: 'must NOT have fewer than 1 items' },
    ]);
    expect(errorsOf(ARC_CURRENT, json(block({ values: new Array(5001).fill(1) })))).toMatchObject([
      { kind: 'schema-violation', path: '/values', message: 'must NOT have more than 5000 items' },
    ]);
  });

  it('rejects a t0 that is not an ISO-8601 date-time with time zone', () => {
    expect(errorsOf(ARC_CURRENT, json(block({ t0: '2025-11-25 08:15' })))).toMatchObject([
      { kind: 'schema-violation', path: '/t0', message: 'must match format "date-time"' },
    ]);
  });

  it('rejects a property the contract does not declare, naming it', () => {
    expect(errorsOf(ARC_CURRENT, json(block({ operator: 'jane' })))).toMatchObject([
      {
        kind: 'schema-violation',
        path: '',
        message: "must NOT have additional properties: 'operator'",
      },
    ]);
  });

  it('reports every error of a block, not only the first', () => {
    const errors = errorsOf(ARC_CURRENT, json(block({ dtMs: 0, seq: -1, quality: 'great' })));
    expect(errors.map((error) => error.path)).toEqual(['/dtMs', '/quality', '/seq']);
  });

  it('reports the errors of the closest message when a block matches no signal message', () => {
    const verdict = validateMessage(contracts, ARC_CURRENT, json(block({ unit: 'kA' })));
    expect(verdict).toMatchObject({ valid: false, channel: 'telemetry', messageId: 'arcCurrent' });
    expect(verdict.errors).toEqual([
      {
        kind: 'schema-violation',
        path: '/unit',
        schemaPath: '#/allOf/0/properties/unit/const',
        message: 'must be equal to constant "A"',
      },
    ]);
  });

  it('rejects a signal the contract does not list', () => {
    const verdict = validateMessage(contracts, `${ASSET}/telemetry/arc_power`, json(block()));
    expect(verdict).toMatchObject({ valid: false, channel: 'telemetry', contractVersion: '1.4.0' });
    expect(verdict.errors).toHaveLength(1);
    expect(verdict.errors[0]).toMatchObject({ kind: 'bad-parameter', path: '' });
    expect(verdict.errors[0]?.message).toMatch(
      /^parameter 'signal' = 'arc_power' .*allowed values/,
    );
  });

  it('rejects a site id that breaks the UNS id rule (x-pattern)', () => {
    const topic = ARC_CURRENT.replace('zwickau', 'Zwickau');
    expect(errorsOf(topic, json(block()))).toEqual([
      {
        kind: 'bad-parameter',
        path: '',
        message:
          "parameter 'site' = 'Zwickau' of channel 'telemetry' must match pattern \"^[a-z][a-z0-9-]{0,31}$\"",
      },
    ]);
  });

  it('rejects an empty topic level where a parameter belongs', () => {
    const topic = ARC_CURRENT.replace('cell-010', '');
    expect(errorsOf(topic, json(block()))).toEqual([
      {
        kind: 'bad-parameter',
        path: '',
        message: "parameter 'cell' = '' of channel 'telemetry' is empty",
      },
    ]);
  });
});

describe('shared verdicts', () => {
  it('gives every valid payload on a topic one frozen verdict per message, accepted from bytes or parsed', () => {
    const fast = validateMessage(contracts, ARC_CURRENT, json(block({ seq: 1 })));
    // An escape sequence makes the payload go through JSON.parse and ajv.
    const parsed = validateMessage(contracts, ARC_CURRENT, json(block({ quality: 'go\u006fd' })));
    expect(parsed).toBe(fast);
    expect(isSharedVerdict(fast)).toBe(true);
    expect(Object.isFrozen(fast)).toBe(true);

    const otherTopic = validateMessage(
      contracts,
      ARC_CURRENT.replace('welder-1', 'welder-2'),
      json(block()),
    );
    expect(otherTopic).not.toBe(fast);
    expect(isSharedVerdict(otherTopic)).toBe(true);
  });

  it('never shares an invalid verdict, nor a copy of a shared one', () => {
    const invalid = validateMessage(contracts, ARC_CURRENT, json(block({ dtMs: -1 })));
    expect(invalid.valid).toBe(false);
    expect(isSharedVerdict(invalid)).toBe(false);
    expect(validateMessage(contracts, ARC_CURRENT, json(block({ dtMs: -1 })))).not.toBe(invalid);

    const shared = validateMessage(contracts, ARC_CURRENT, json(block()));
    // What a worker thread's verdict becomes on the main thread.
    expect(isSharedVerdict(structuredClone(shared))).toBe(false);
  });
});

describe('state, alarms, anomaly scores and validation summaries', () => {
  it('accepts an asset state and rejects a state outside the enum', () => {
    expect(validateMessage(contracts, STATE, json(state))).toMatchObject({
      valid: true,
      channel: 'state',
      messageId: 'assetState',
    });
    expect(errorsOf(STATE, json({ ...state, state: 'sleeping' }))).toMatchObject([
      {
        kind: 'schema-violation',
        path: '/state',
        message:
          'must be equal to one of the allowed values: ["idle","welding","fault","maintenance","offline"]',
      },
    ]);
  });

  it('rejects an alarm without severity', () => {
    const alarm = { ts: state.ts, code: 'GAS-LOW', message: 'Gas flow low', active: true };
    expect(
      validateMessage(contracts, `${ASSET}/alarm`, json({ ...alarm, severity: 'warning' })).valid,
    ).toBe(true);
    expect(errorsOf(`${ASSET}/alarm`, json(alarm))).toMatchObject([
      { kind: 'schema-violation', path: '', message: "must have required property 'severity'" },
    ]);
  });

  it('accepts an anomaly score of a shadow model and rejects a negative score', () => {
    const score = {
      windowStart: '2025-11-25T08:15:30.000Z',
      windowEnd: '2025-11-25T08:15:31.000Z',
      score: 0.93,
      threshold: 0.8,
      anomaly: true,
      modelName: 'weld-seam-anomaly',
      modelVersion: '7',
      latencyMs: 3.2,
      shadow: true,
    };
    const topic = `${ASSET}/_ml/weld-seam-anomaly`;
    expect(validateMessage(contracts, topic, json(score))).toMatchObject({
      valid: true,
      channel: 'anomaly',
      parameters: { model: 'weld-seam-anomaly' },
    });
    expect(errorsOf(topic, json({ ...score, score: -0.1 }))).toMatchObject([
      { kind: 'schema-violation', path: '/score' },
    ]);
  });

  it('accepts a validation summary and rejects counts of an unknown error kind', () => {
    const summary = {
      intervalStart: '2025-11-25T08:00:00Z',
      intervalEnd: '2025-11-25T08:01:00Z',
      contractVersion: '1.4.0',
      channels: [
        { channel: 'telemetry', valid: 59_000, invalid: 2, byErrorKind: { 'schema-violation': 2 } },
      ],
    };
    const topic = 'acme/zwickau/_validation';
    expect(validateMessage(contracts, topic, json(summary))).toMatchObject({
      valid: true,
      channel: 'validationSummary',
    });
    const channels = [{ channel: 'telemetry', valid: 1, invalid: 1, byErrorKind: { typo: 1 } }];
    expect(errorsOf(topic, json({ ...summary, channels }))).toMatchObject([
      {
        kind: 'schema-violation',
        path: '/channels/0/byErrorKind',
        message: "must NOT have additional properties: 'typo'",
      },
    ]);
  });
});

describe('the Sparkplug B namespace', () => {
  const protobuf = Uint8Array.from([0x08, 0x01, 0x12, 0x04]);

  it('judges a Sparkplug message valid on topic and parameters alone without a Sparkplug hook', () => {
    expect(validateMessage(contracts, 'spBv1.0/plant-a/NDATA/edge-1', protobuf)).toEqual({
      topic: 'spBv1.0/plant-a/NDATA/edge-1',
      valid: true,
      channel: 'sparkplugNode',
      messageId: 'sparkplugPayload',
      contractVersion: '1.4.0',
      parameters: { group: 'plant-a', verb: 'NDATA', edgeNode: 'edge-1' },
      errors: [],
    });
  });

  it('hands Sparkplug payloads to the hook and reports its errors', () => {
    const calls: [string, Uint8Array][] = [];
    const rule: VerdictError = {
      kind: 'sparkplug-rule',
      path: '',
      message: 'DDATA before DBIRTH',
      assertion: 'tck-id-operational-behavior-device-ddata-before-dbirth',
    };
    const verdict = validateMessage(contracts, 'spBv1.0/plant-a/DDATA/edge-1/welder-1', protobuf, {
      sparkplug: (topic, payload) => {
        calls.push([topic, payload]);
        return [rule];
      },
    });
    expect(calls).toEqual([['spBv1.0/plant-a/DDATA/edge-1/welder-1', protobuf]]);
    expect(verdict).toMatchObject({ valid: false, channel: 'sparkplugDevice', errors: [rule] });
  });

  it('rejects a device verb on an edge node topic', () => {
    expect(errorsOf('spBv1.0/plant-a/DDATA/edge-1', protobuf)).toEqual([
      {
        kind: 'bad-parameter',
        path: '',
        message: `parameter 'verb' = 'DDATA' of channel 'sparkplugNode' must be equal to one of the allowed values: ["NBIRTH","NDEATH","NDATA","NCMD"]`,
      },
    ]);
  });

  it('checks a host application STATE as JSON, without calling the hook', () => {
    const sparkplug = jest.fn(() => []);
    const topic = 'spBv1.0/STATE/scada-1';
    expect(
      validateMessage(contracts, topic, json({ online: true, timestamp: 1764058530000 }), {
        sparkplug,
      }),
    ).toMatchObject({ valid: true, channel: 'sparkplugState', messageId: 'hostState' });
    expect(errorsOf(topic, json({ online: 'yes', timestamp: 1 }))).toMatchObject([
      { kind: 'schema-violation', path: '/online' },
    ]);
    expect(sparkplug).not.toHaveBeenCalled();
  });
});

describe('unknown topics', () => {
  it.each([
    'acme/zwickau/body-shop',
    `${ARC_CURRENT}/extra`,
    `${ASSET}/telemetry`,
    'spBv2.0/plant-a/NDATA/edge-1',
    '',
  ])('rejects %p as an unknown topic', (topic) => {
    expect(validateMessage(contracts, topic, json(state))).toEqual({
      topic,
      valid: false,
      channel: undefined,
      messageId: undefined,
      contractVersion: undefined,
      parameters: undefined,
      errors: [
        {
          kind: 'unknown-topic',
          path: '',
          message: `no channel of the loaded contracts matches topic '${topic}'`,
        },
      ],
    });
  });
});

describe('hostile and broken payloads', () => {
  it('rejects a payload that is not valid UTF-8', () => {
    const payload = Buffer.concat([
      Buffer.from('{"ts":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect(errorsOf(STATE, payload)).toEqual([
      { kind: 'unparseable-payload', path: '', message: 'payload is not valid UTF-8' },
    ]);
  });

  it.each([
    ['truncated JSON', '{"ts":"2025-11-25T08:15:30.000Z",'],
    ['an empty payload', ''],
    ['plain text', 'welding'],
  ])('rejects %s as unparseable', (_, text) => {
    const errors = errorsOf(STATE, Buffer.from(text));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'unparseable-payload', path: '' });
    expect(errors[0]?.message).toMatch(/^payload is not valid JSON: /);
  });

  it('judges 10,000 nested arrays without throwing', () => {
    const deep = Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(errorsOf(ARC_CURRENT, deep)).toMatchObject([
      { kind: 'schema-violation', path: '', message: 'must be object' },
    ]);
  });

  it('rejects a 10 MB telemetry block by its sample count when the limit lets it be read', () => {
    const values = new Array<number>(1_100_000).fill(123.456789);
    const payload = json(block({ values }));
    expect(payload.length).toBeGreaterThan(10 * 1024 * 1024);
    const limits = { ...DEFAULT_JUDGING_LIMITS, maxPayloadBytes: 16 * 1024 * 1024 };
    expect(validateMessage(contracts, ARC_CURRENT, payload, { limits }).errors).toMatchObject([
      { kind: 'schema-violation', path: '/values', message: 'must NOT have more than 5000 items' },
      { kind: 'schema-violation', path: '', message: expect.stringMatching(/first error$/) },
    ]);
  });

  const { maxErrorsPerVerdict } = DEFAULT_JUDGING_LIMITS;
  it(`lists at most ${String(maxErrorsPerVerdict)} schema errors and counts the rest`, () => {
    const values = new Array<number>(5000).fill(-1);
    const errors = errorsOf(ARC_CURRENT, json(block({ values })));
    expect(errors).toHaveLength(maxErrorsPerVerdict + 1);
    expect(errors[maxErrorsPerVerdict]).toEqual({
      kind: 'schema-violation',
      path: '',
      message: `${String(5000 - maxErrorsPerVerdict)} more schema errors not listed`,
    });
  });

  it('does not let a __proto__ key smuggle in properties', () => {
    const payload = Buffer.from('{"__proto__":{"ts":"2025-11-25T08:15:30.000Z","state":"idle"}}');
    expect(errorsOf(STATE, payload).map((error) => error.message)).toEqual([
      "must have required property 'ts'",
      "must have required property 'state'",
      "must NOT have additional properties: '__proto__'",
    ]);
  });
});
