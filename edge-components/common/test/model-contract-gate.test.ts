/**
 * The contract ↔ model gate on the repository's own pair (the UNS contract in asyncapi/ and the
 * shipped model bundle in models/) and on incompatible variants of it: each mismatch refused with
 * a sentence naming the channel and both sides.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import {
  checkModelAgainstContract,
  type ModelInputs,
  type TelemetryContract,
  telemetryContract,
} from '../src/model-contract-gate';

const ROOT = join(__dirname, '..', '..', '..');
const CONTRACT_FILE = join(ROOT, 'asyncapi', 'uns-welding.asyncapi.yaml');

/** The shipped bundle's manifest: what the plants run today. */
const shipped = JSON.parse(
  readFileSync(join(ROOT, 'models', 'weld-seam-anomaly', 'manifest.json'), 'utf8'),
) as ModelInputs;

async function parse(text: string) {
  const { document, diagnostics } = await new Parser().parse(text);
  if (document === undefined) throw new Error(JSON.stringify(diagnostics.slice(0, 3)));
  return document;
}

/** A contract whose only telemetry signal, arc_current, comes in 1 ms blocks and nothing else. */
const ONE_KILOHERTZ_CONTRACT = `
asyncapi: 3.0.0
info: { title: Pinned plant, version: 2.0.0 }
channels:
  telemetry:
    address: '{site}/telemetry/{signal}'
    parameters:
      site: {}
      signal: { enum: [arc_current] }
    messages:
      arcCurrent:
        payload:
          allOf:
            - properties: { unit: { const: A }, dtMs: { const: 1 } }
            - type: object
              required: [dtMs, unit, values]
              properties:
                dtMs: { type: number, exclusiveMinimum: 0 }
                unit: { type: string }
                values: { type: array, items: { type: number } }
`;

let contract: TelemetryContract;
let contractVersion: string;

beforeAll(async () => {
  const document = await parse(readFileSync(CONTRACT_FILE, 'utf8'));
  contract = telemetryContract(document);
  contractVersion = document.info().version();
}, 60_000);

/** The shipped manifest with `change` applied. */
const variant = (change: Partial<ModelInputs>): ModelInputs => ({ ...shipped, ...change });
const withChannel = (name: string, channel: { name: string; unit?: string }) =>
  variant({ channels: shipped.channels.map((c) => (c.name === name ? channel : c)) });

describe('telemetryContract', () => {
  it("reads every telemetry signal of the contract with the unit of the signal's message", () => {
    const units = Object.fromEntries(contract.signals.map((s) => [s.name, s.unit]));
    expect(units).toEqual({
      arc_current: 'A',
      arc_voltage: 'V',
      wire_feed_speed: 'm/min',
      gas_flow: 'l/min',
      travel_speed: 'cm/min',
      contact_tip_temperature: 'degC',
    });
    expect(contract.title).toBe('UNS welding plant');
    expect(contract.version).toBe(contractVersion);
  });

  it('refuses a document without a telemetry channel', async () => {
    const document = await parse(`
asyncapi: 3.0.0
info: { title: No telemetry, version: 1.0.0 }
channels:
  state: { address: 'a/state' }
`);
    expect(() => telemetryContract(document)).toThrow(
      'No telemetry 1.0.0 has no channel "telemetry"',
    );
  });
});

describe('checkModelAgainstContract', () => {
  it('lets the shipped model read the contract in force, naming both', () => {
    expect(checkModelAgainstContract(shipped, contract)).toEqual({
      compatible: true,
      reasons: [],
      contract: { title: 'UNS welding plant', version: contractVersion },
      model: { name: 'weld-seam-anomaly', version: shipped.modelVersion },
    });
  });

  it('refuses a channel in another unit than the contract sends', () => {
    const result = checkModelAgainstContract(
      withChannel('arc_current', { name: 'arc_current', unit: 'kA' }),
      contract,
    );
    expect(result.compatible).toBe(false);
    expect(result.reasons).toEqual([
      `Channel "arc_current" is in kA, but UNS welding plant ${contractVersion} sends arc_current in A.`,
    ]);
  });

  it('refuses a channel that gives no unit when the contract fixes one', () => {
    const result = checkModelAgainstContract(
      withChannel('gas_flow', { name: 'gas_flow' }),
      contract,
    );
    expect(result.reasons).toEqual([
      `Channel "gas_flow" gives no unit, so nothing shows it was trained on l/min, the unit of UNS welding plant ${contractVersion}.`,
    ]);
  });

  it('refuses a channel that is no telemetry signal of the contract', () => {
    const result = checkModelAgainstContract(
      withChannel('gas_flow', { name: 'torch_angle', unit: 'deg' }),
      contract,
    );
    expect(result.compatible).toBe(false);
    expect(result.reasons).toEqual([
      `Channel "torch_angle" is not a telemetry signal of UNS welding plant ${contractVersion} (its signals: arc_current, arc_voltage, wire_feed_speed, gas_flow, travel_speed, contact_tip_temperature).`,
    ]);
  });

  it('refuses a sample rate whose interval the contract bounds out', () => {
    // One sample every 5,000 s; the contract's blocks are at most an hour apart per sample.
    const result = checkModelAgainstContract(
      variant({ sampleRateHz: 0.0002, window: { length: 16, stride: 16 } }),
      contract,
    );
    expect(result.compatible).toBe(false);
    expect(result.reasons[0]).toBe(
      `The model reads arc_current at 0.0002 Hz (a sample every 5000000 ms), an interval the arc_current blocks of UNS welding plant ${contractVersion} cannot have: dtMs must be <= 3600000.`,
    );
    expect(result.reasons).toHaveLength(shipped.channels.length + 1); // and the window's length
  });

  it('refuses a sample rate a contract pinning the block interval cannot give', async () => {
    const pinned = telemetryContract(await parse(ONE_KILOHERTZ_CONTRACT));
    const model = variant({
      channels: [{ name: 'arc_current', unit: 'A' }],
      window: { length: 64, stride: 32 },
    });
    expect(checkModelAgainstContract(model, pinned).compatible).toBe(true);
    expect(checkModelAgainstContract({ ...model, sampleRateHz: 500 }, pinned).reasons).toEqual([
      'The model reads arc_current at 500 Hz (a sample every 2 ms), an interval the arc_current blocks of Pinned plant 2.0.0 cannot have: dtMs must be 1.',
    ]);
  });

  it('refuses a window too short to hold the shape of a signal', () => {
    const result = checkModelAgainstContract(
      variant({ window: { length: 8, stride: 4 } }),
      contract,
    );
    expect(result.reasons).toEqual([
      'The window of 8 samples (8 ms at 1000 Hz) is shorter than 16 samples, too few to hold the shape of a signal.',
    ]);
    const lenient = checkModelAgainstContract(
      variant({ window: { length: 8, stride: 4 } }),
      contract,
      { minSamples: 8 },
    );
    expect(lenient.compatible).toBe(true);
  });

  it('refuses a window that would hold scores back too long, or leaves samples out', () => {
    expect(
      checkModelAgainstContract(variant({ window: { length: 120_000, stride: 1000 } }), contract)
        .reasons,
    ).toEqual([
      'The window of 120000 samples lasts 120000 ms at 1000 Hz, longer than the 60000 ms a score may lag behind the telemetry it judges.',
    ]);
    expect(
      checkModelAgainstContract(variant({ window: { length: 64, stride: 128 } }), contract).reasons,
    ).toEqual([
      'The window stride of 128 samples is longer than the window of 64, so some samples would be in no window.',
    ]);
  });

  it('refuses a channel listed twice', () => {
    const first = shipped.channels[0]!;
    const result = checkModelAgainstContract(
      variant({ channels: [...shipped.channels, first] }),
      contract,
    );
    expect(result.reasons).toEqual([
      `Channel "${first.name}" is an input of the model more than once.`,
    ]);
  });

  it('gives every reason at once', () => {
    const result = checkModelAgainstContract(
      variant({
        channels: [
          { name: 'arc_current', unit: 'mA' },
          { name: 'torch_angle', unit: 'deg' },
        ],
        window: { length: 4, stride: 8 },
      }),
      contract,
    );
    expect(result.reasons).toHaveLength(4);
  });
});
