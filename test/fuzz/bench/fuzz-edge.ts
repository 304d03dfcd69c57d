/**
 * `npm run fuzz:edge`: at least 100,000 hostile messages mixed with valid ones, at 8,000 msg/s
 * with QoS 1, plus the malformed HTTP requests, against uns-validator (embedded store),
 * anomaly-inference and uns-kafka-bridge, each a process of its own, on a real Mosquitto and
 * Kafka. Prints its figures, then one JSON line:
 * `{"bench":"fuzz","messages":…,"crashes":…,"restarts":…,"judged":…,"dropped":…,"peakRssMb":…,"rssAfterMb":…,"http5xx":…}`
 * (top-level memory figures are the validator's, the component with the embedded store; the other
 * two components have objects of their own).
 *
 * Environment: FUZZ_HOSTILE (100000), FUZZ_VALID (50000), FUZZ_RATE (8000), FUZZ_PUBLISHERS (4),
 * FUZZ_SEED (20), FUZZ_WARM_UP (2000 valid messages, then a first idle reading), FUZZ_WARM_UP_HOSTILE
 * (2000 hostile messages, then the idle baseline), FUZZ_IDLE_SECONDS (60), FUZZ_AFTER_SECONDS (60). The targets (issue 20): no crash, no restart, every accepted
 * message judged, none dropped, peak RSS under 1 GB, back within 10 % of the idle baseline a
 * minute after the burst, no 5xx.
 */
import {
  edgeUnderFire,
  type FireReport,
  type HeapFigures,
  type ProcessFigures,
} from '../src/edge-under-fire';
import type { FuzzPlan } from '../src/hostile-messages';

const MIB = 2 ** 20;
const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** 20 schema-breaking blocks from 1 to 5 MB; huge payloads of 2 to 16 MB (the last 16 MiB). */
const PLAN: FuzzPlan = {
  seed: setting('FUZZ_SEED', 20),
  hostile: setting('FUZZ_HOSTILE', 100_000),
  valid: setting('FUZZ_VALID', 50_000),
  heavyBlockBytes: Array.from({ length: 20 }, (_, k) => Math.round((1 + (4 * k) / 19) * MIB)),
  hugePayloadBytes: [2, 4, 6, 8, 10, 12, 14, 16].map((size) => size * MIB),
  publishers: setting('FUZZ_PUBLISHERS', 4),
};
const RATE = setting('FUZZ_RATE', 8_000);

function line(report: FireReport): string {
  const { validator, inference, bridge, publish, http } = report;
  const memory = (figures: ProcessFigures) => ({
    idleRssMb: figures.idleRssMb,
    coldIdleRssMb: figures.coldIdleRssMb,
    startPeakRssMb: figures.startPeakRssMb,
    peakRssMb: figures.peakRssMb,
    rssAfterMb: figures.rssAfterMb,
    cpuSeconds: figures.cpuSeconds,
  });
  return JSON.stringify({
    bench: 'fuzz',
    messages: publish.published,
    hostile: PLAN.hostile,
    valid: PLAN.valid,
    rate: Math.round(publish.rate),
    acknowledged: publish.acknowledged,
    crashes: report.crashes,
    restarts: report.restarts,
    deliverable: validator.deliverable,
    judged: validator.judged,
    dropped: validator.dropped,
    ...memory(validator),
    // The validator's main thread: external memory (ArrayBuffers) at idle and after the burst.
    idleExternalMb: validator.heapIdle.externalMb,
    afterExternalMb: validator.heapAfter.externalMb,
    http5xx: http.answers5xx,
    httpRequests: http.requests,
    httpFindings: http.findings.length,
    healthFailures: validator.healthFailures + inference.healthFailures + bridge.healthFailures,
    inference: {
      deliverable: inference.deliverable,
      handled: inference.handled,
      ...memory(inference),
    },
    bridge: {
      deliverable: bridge.deliverable,
      received: bridge.received,
      produced: bridge.produced,
      ...memory(bridge),
    },
    catchUpSeconds: Number(report.catchUpSeconds.toFixed(1)),
    busyCores: report.machine.busyCores,
    publisherCpuSeconds: report.machine.publisherCpuSeconds,
    loadAverage: report.machine.loadAverage,
    largestPayloadMb: Number((publish.largestPayload / MIB).toFixed(1)),
    publishedMb: Math.round(publish.bytes / MIB),
    durationSeconds: Math.round(report.seconds),
  });
}

const heap = (figures: HeapFigures) =>
  `${figures.heapUsedMb}/${figures.heapTotalMb}/${figures.externalMb}`;

function print(report: FireReport): void {
  const { validator, inference, bridge, publish, http } = report;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out('');
  out(
    `published ${publish.published} messages (${PLAN.hostile} hostile, ${PLAN.valid} valid; ` +
      `${Math.round(publish.bytes / MIB)} MB, largest ${(publish.largestPayload / MIB).toFixed(1)} MB) ` +
      `at ${Math.round(publish.rate)} msg/s (asked ${RATE}) through ${PLAN.publishers} clients; ` +
      `${publish.acknowledged} acknowledged, publisher disconnects ${publish.disconnects}`,
  );
  for (const [reason, count] of Object.entries(publish.unacknowledged))
    out(`  not acknowledged: ${count} (${reason})`);
  out('by kind (published/acknowledged):');
  for (const [kind, count] of Object.entries(publish.byKind).sort()) {
    out(
      `  ${kind.padEnd(22)} ${String(count.published).padStart(7)} ${String(count.acknowledged).padStart(7)}`,
    );
  }
  const processLine = (name: string, figures: ProcessFigures) =>
    `${name}: crashed ${figures.crashed}, exit ${String(figures.exitCode)}, RSS peak of start ${figures.startPeakRssMb} MB, ` +
    `idle ${figures.idleRssMb} MB (after the valid warm-up alone ${figures.coldIdleRssMb} MB), peak of burst ${figures.peakRssMb} MB, after ${figures.rssAfterMb} MB, /health failures ${figures.healthFailures}, ` +
    `CPU ${figures.cpuSeconds} s\n  main thread heap used/total/external MB: idle ${heap(figures.heapIdle)}, after ${heap(figures.heapAfter)}` +
    figures.crashReports.map((report) => `\n  crash: ${report}`).join('');
  out(processLine('uns-validator', validator));
  out(
    `  judged ${validator.judged} of ${validator.deliverable} deliverable, dropped ${validator.dropped} ` +
      `${JSON.stringify(validator.droppedByReason)}, worker restarts ${validator.workerRestarts}`,
  );
  for (const [labels, count] of Object.entries(validator.verdicts)) out(`  ${labels} ${count}`);
  out(processLine('anomaly-inference', inference));
  out(
    `  handled ${inference.handled} of ${inference.deliverable} deliverable, windows scored ${inference.windowsScored}`,
  );
  for (const [labels, count] of Object.entries({ ...inference.blocks, ...inference.skipped }))
    out(`  ${labels} ${count}`);
  out(processLine('uns-kafka-bridge', bridge));
  out(
    `  received ${bridge.received}, produced ${bridge.produced} of ${bridge.deliverable} deliverable, ` +
      `dropped ${bridge.dropped}, dead letters ${JSON.stringify(bridge.deadLettered)}`,
  );
  out(
    `HTTP: ${http.requests} malformed requests, ${http.answered} answered, ${http.closedWithoutAnswer} closed without answer, ` +
      `${http.answers5xx} 5xx, ${http.healthFailures} failed health checks after one`,
  );
  for (const finding of http.findings)
    out(`  ${finding.component}: ${finding.request}: ${finding.what}`);
  out(
    `caught up: ${report.caughtUp} after ${report.catchUpSeconds.toFixed(1)} s; run ${Math.round(report.seconds)} s; ` +
      `machine: ${report.machine.busyCores} cores busy during the burst, load average ${report.machine.loadAverage.join(' ')}, ` +
      `publisher CPU ${report.machine.publisherCpuSeconds} s`,
  );
  out(line(report));
}

async function main(): Promise<void> {
  const report = await edgeUnderFire({
    plan: PLAN,
    rate: RATE,
    warmUpMessages: setting('FUZZ_WARM_UP', 2_000),
    warmUpHostile: setting('FUZZ_WARM_UP_HOSTILE', 2_000),
    idleMs: setting('FUZZ_IDLE_SECONDS', 60) * 1000,
    afterBurstMs: setting('FUZZ_AFTER_SECONDS', 60) * 1000,
    catchUpTimeoutMs: 600_000,
    kafka: { throughput: true },
    log: (text) => process.stderr.write(`${new Date().toISOString()} ${text}\n`),
  });
  print(report);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
