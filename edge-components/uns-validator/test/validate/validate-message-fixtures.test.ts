/**
 * The validator on the small fixture contracts: AsyncAPI 2.6 parameter schemas, literal levels
 * before parameters, load order between contracts, overlapping 3.0 messages, recursive schemas
 * and own-property checks.
 */
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedContracts } from '../../src/contract/model';
import { DEFAULT_JUDGING_LIMITS, validateMessage } from '../../src/validate/validate-message';
import { EVENTS_V3, PLANT_V2 } from '../fixtures/paths';

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

const ts = '2025-11-25T08:15:30Z';
let plant: LoadedContracts;
let events: LoadedContracts;

beforeAll(async () => {
  [plant, events] = await Promise.all([loadContracts([PLANT_V2]), loadContracts([EVENTS_V3])]);
});

describe('AsyncAPI 2.6 channels', () => {
  it('accepts a site status and names the 2.6 channel, message and contract version', () => {
    expect(validateMessage(plant, 'plant/north/status', json({ ts, status: 'running' }))).toEqual({
      topic: 'plant/north/status',
      valid: true,
      channel: 'plant/{site}/status',
      messageId: 'siteStatus',
      contractVersion: '0.3.1',
      parameters: { site: 'north' },
      errors: [],
    });
  });

  it('rejects a site that breaks the parameter schema pattern', () => {
    const verdict = validateMessage(plant, 'plant/North!/status', json({ ts, status: 'running' }));
    expect(verdict).toMatchObject({ valid: false, channel: 'plant/{site}/status' });
    expect(verdict.errors).toEqual([
      {
        kind: 'bad-parameter',
        path: '',
        message:
          "parameter 'site' = 'North!' of channel 'plant/{site}/status' must match pattern \"^[a-z][a-z0-9-]{0,31}$\"",
      },
    ]);
  });

  it('reads an integer parameter from its topic level', () => {
    const info = json({ model: 'TPS 500i', constructor: 'Fronius' });
    expect(validateMessage(plant, 'plant/north/machine/042/info', info).valid).toBe(true);
    for (const [machineNo, problem] of [
      ['abc', 'must be integer'],
      ['1000', 'must be <= 999'],
      ['0', 'must be >= 1'],
    ] as const) {
      expect(validateMessage(plant, `plant/north/machine/${machineNo}/info`, info).errors).toEqual([
        {
          kind: 'bad-parameter',
          path: '',
          message: `parameter 'machineNo' = '${machineNo}' of channel 'plant/{site}/machine/{machineNo}/info' ${problem}`,
        },
      ]);
    }
  });

  it('prefers the literal channel plant/hq/status over plant/{site}/status', () => {
    const hq = json({ ts, status: 'open', headcount: 12 });
    expect(validateMessage(plant, 'plant/hq/status', hq)).toMatchObject({
      valid: true,
      channel: 'plant/hq/status',
      messageId: 'hqStatus',
      parameters: {},
    });
  });

  it('judges a payload on plant/hq/status by the literal channel only', () => {
    const verdict = validateMessage(plant, 'plant/hq/status', json({ ts, status: 'running' }));
    expect(verdict).toMatchObject({ valid: false, channel: 'plant/hq/status' });
    expect(verdict.errors.map((error) => error.kind)).toEqual([
      'schema-violation',
      'schema-violation',
    ]);
  });

  it('does not accept an inherited property for a required one', () => {
    // Every JS object inherits `constructor`; only own properties may satisfy `required`.
    const verdict = validateMessage(
      plant,
      'plant/north/machine/7/info',
      json({ model: 'TPS 500i' }),
    );
    expect(verdict.errors).toEqual([
      {
        kind: 'schema-violation',
        path: '',
        schemaPath: '#/required',
        message: "must have required property 'constructor'",
      },
    ]);
  });

  it('validates a recursive schema at every depth', () => {
    const bom = {
      name: 'robot cell',
      parts: [{ name: 'torch', parts: [{ name: 'contact tip' }] }],
    };
    expect(validateMessage(plant, 'plant/north/bom', json(bom)).valid).toBe(true);
    const broken = { name: 'robot cell', parts: [{ name: 'torch', parts: [{ size: 1.2 }] }] };
    expect(validateMessage(plant, 'plant/north/bom', json(broken)).errors).toMatchObject([
      {
        kind: 'schema-violation',
        path: '/parts/0/parts/0',
        message: "must have required property 'name'",
      },
    ]);
  });

  it('reports a payload too deeply nested for a recursive schema instead of throwing', () => {
    const depth = 100_000;
    const payload = Buffer.from(
      `${'{"name":"a","parts":['.repeat(depth)}{"name":"leaf"}${']}'.repeat(depth)}`,
    );
    const limits = { ...DEFAULT_JUDGING_LIMITS, maxPayloadBytes: 4e6, fullReportMaxBytes: 4e6 };
    expect(validateMessage(plant, 'plant/north/bom', payload, { limits }).errors).toEqual([
      {
        kind: 'schema-violation',
        path: '',
        message: "payload is nested too deeply to be validated (message 'billOfMaterials')",
      },
    ]);
  });
});

describe('AsyncAPI 3.0 channels with several messages', () => {
  it('accepts a payload that matches exactly one message, and names it', () => {
    expect(
      validateMessage(events, 'plant/hq/events', json({ event: 'shift-start', shift: 2 })),
    ).toMatchObject({
      valid: true,
      channel: 'events',
      messageId: 'shiftEvent',
      contractVersion: '2.0.0',
    });
    expect(validateMessage(events, 'plant/hq/events', json({ event: 'evacuation' }))).toMatchObject(
      {
        valid: true,
        messageId: 'safetyEvent',
      },
    );
  });

  it('rejects a payload that matches more than one message as ambiguous', () => {
    expect(validateMessage(events, 'plant/hq/events', json({ event: 'break' }))).toMatchObject({
      valid: false,
      channel: 'events',
      messageId: undefined,
      errors: [
        {
          kind: 'ambiguous-message',
          path: '',
          message:
            "payload matches 2 messages of channel 'events' ('shiftEvent', 'safetyEvent'); it must match exactly one",
        },
      ],
    });
  });

  it('reports the errors of the closest message (fewest errors) when none matches', () => {
    // shiftEvent: unknown event and a non-integer shift; safetyEvent: only the unknown event.
    const verdict = validateMessage(events, 'plant/hq/events', json({ event: 'fire', shift: 'x' }));
    expect(verdict).toMatchObject({ valid: false, channel: 'events', messageId: 'safetyEvent' });
    expect(verdict.errors.map((error) => [error.kind, error.path])).toEqual([
      ['schema-violation', '/event'],
    ]);
    const other = validateMessage(events, 'plant/hq/events', json({ event: 'fire', zone: 5 }));
    expect(other).toMatchObject({
      valid: false,
      messageId: 'shiftEvent',
      errors: [{ path: '/event' }],
    });
  });

  it('rejects a parameter outside the 3.0 enum', () => {
    expect(validateMessage(events, 'plant/south/events', json({ event: 'break' })).errors).toEqual([
      {
        kind: 'bad-parameter',
        path: '',
        message: `parameter 'site' = 'south' of channel 'events' must be equal to one of the allowed values: ["hq","north"]`,
      },
    ]);
  });
});

describe('several contracts', () => {
  let both: LoadedContracts;

  beforeAll(async () => {
    both = await loadContracts([EVENTS_V3, PLANT_V2]);
  });

  it('lets the first loaded contract win a topic both match, even over a literal level', () => {
    expect(validateMessage(both, 'plant/hq/status', json({ up: true }))).toMatchObject({
      valid: true,
      channel: 'siteStatus',
      contractVersion: '2.0.0',
    });
  });

  it('falls back to the next candidate when the first rejects a parameter', () => {
    expect(
      validateMessage(both, 'plant/south/status', json({ ts, status: 'stopped' })),
    ).toMatchObject({
      valid: true,
      channel: 'plant/{site}/status',
      contractVersion: '0.3.1',
    });
  });

  it('reports the bad parameters of the first candidate when every candidate rejects one', () => {
    const verdict = validateMessage(both, 'plant/Süd/status', json({ up: true }));
    expect(verdict).toMatchObject({
      valid: false,
      channel: 'siteStatus',
      contractVersion: '2.0.0',
    });
    expect(verdict.errors).toEqual([
      {
        kind: 'bad-parameter',
        path: '',
        message: `parameter 'site' = 'Süd' of channel 'siteStatus' must be equal to one of the allowed values: ["hq","north"]`,
      },
    ]);
  });
});
