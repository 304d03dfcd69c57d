/**
 * The fuzz benchmark in small, seconds instead of minutes: a few thousand hostile messages of every
 * kind (2 MB payloads among them) mixed with valid ones, and the malformed HTTP requests, against
 * the validator (embedded store), the inference runtime and the bridge, each a process of its own
 * on a real Mosquitto and Kafka. Every message the broker acknowledged must be dealt with by every
 * component that subscribes to it. Memory is the benchmark's business (it needs minutes of idle).
 */
import { edgeUnderFire, type FireReport } from '../src/edge-under-fire';
import { HOSTILE_KINDS } from '../src/hostile-messages';

const MIB = 2 ** 20;
const PLAN = {
  seed: 7,
  hostile: 3_000,
  valid: 1_500,
  heavyBlockBytes: [2 * MIB, 2 * MIB],
  hugePayloadBytes: [2 * MIB],
  publishers: 4,
};

let report: FireReport;

beforeAll(async () => {
  report = await edgeUnderFire({
    plan: PLAN,
    rate: 4_000,
    warmUpMessages: 200,
    warmUpHostile: 100,
    idleMs: 0,
    afterBurstMs: 0,
    catchUpTimeoutMs: 120_000,
  });
}, 300_000);

describe('the edge components under hostile messages and malformed HTTP requests', () => {
  it('are sent every kind of hostile message, all acknowledged by the broker', () => {
    for (const kind of HOSTILE_KINDS)
      expect(report.publish.byKind[kind]?.published).toBeGreaterThan(0);
    expect(report.publish.disconnects).toBe(0);
    expect(report.publish.unacknowledged).toEqual({});
    expect(report.publish.acknowledged).toBe(PLAN.hostile + PLAN.valid);
  });

  it('never exit: no crash, each stops cleanly afterwards', () => {
    expect(report.crashes).toBe(0);
    for (const component of [report.validator, report.inference, report.bridge]) {
      expect(component.crashReports).toEqual([]);
      expect(component.exitCode).toBe(0);
    }
  });

  it('restart no validation worker', () => {
    expect(report.restarts).toBe(0);
  });

  it('the validator judges every message the broker accepted and drops none', () => {
    expect(report.validator.judged).toBe(report.validator.deliverable);
    expect(report.validator.dropped).toBe(0);
    // Every valid message is judged valid (a few hostile ones are valid too, e.g. a 65 KB asset id).
    expect(report.validator.judgedValid).toBeGreaterThanOrEqual(PLAN.valid);
  });

  it('the inference runtime takes or skips every telemetry message it was sent, and keeps scoring', () => {
    expect(report.inference.handled).toBe(report.inference.deliverable);
    expect(report.inference.windowsScored).toBeGreaterThan(0);
  });

  it('the bridge forwards every accepted message to Kafka, the oversized ones as dead letters', () => {
    expect(report.bridge.received).toBe(report.bridge.deliverable);
    expect(report.bridge.produced).toBe(report.bridge.deliverable);
    expect(report.bridge.dropped).toBe(0);
  });

  it('answer no malformed HTTP request with 5xx, and /health with 200 throughout', () => {
    expect(report.http.requests).toBeGreaterThan(0);
    expect(report.http.findings).toEqual([]);
    expect(report.http.answers5xx).toBe(0);
    for (const component of [report.validator, report.inference, report.bridge]) {
      expect(component.healthFailures).toBe(0);
    }
  });

  it('catch up with the stream', () => {
    expect(report.caughtUp).toBe(true);
  });
});
