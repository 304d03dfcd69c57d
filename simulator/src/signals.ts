/** The telemetry signals of a welding cell, as named by the UNS contract. */
export const SIGNALS = [
  'arc_current',
  'arc_voltage',
  'wire_feed_speed',
  'gas_flow',
  'travel_speed',
  'contact_tip_temperature',
] as const;

/** One telemetry signal name (the `{signal}` topic level). */
export type SignalName = (typeof SIGNALS)[number];

/** Unit and contract range of a signal. */
export interface SignalSpec {
  readonly unit: string;
  readonly min: number;
  readonly max: number;
}

/** Units and value ranges per signal, exactly as in `asyncapi/uns-welding.asyncapi.yaml`. */
export const SIGNAL_SPECS: Readonly<Record<SignalName, SignalSpec>> = {
  arc_current: { unit: 'A', min: 0, max: 600 },
  arc_voltage: { unit: 'V', min: 0, max: 60 },
  wire_feed_speed: { unit: 'm/min', min: 0, max: 25 },
  gas_flow: { unit: 'l/min', min: 0, max: 40 },
  travel_speed: { unit: 'cm/min', min: 0, max: 300 },
  contact_tip_temperature: { unit: 'degC', min: 0, max: 800 },
};

/** Clamps `value` into the contract range of `signal` and rounds it to 3 decimals. */
export function clampSignal(signal: SignalName, value: number): number {
  const { min, max } = SIGNAL_SPECS[signal];
  const clamped = Math.min(max, Math.max(min, Number.isFinite(value) ? value : min));
  return Math.round(clamped * 1000) / 1000;
}
