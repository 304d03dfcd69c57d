/**
 * Benchmark load generator, run as a child process (several of them) so it shares no event loop
 * with what is measured. Publishes schema-valid welding arc-current blocks (~300 bytes of JSON,
 * QoS 0) over its share of the assets, round-robin, following a load schedule (see `steps.ts`).
 *
 * It writes MQTT 5 packets to a plain socket (Nagle off) instead of going through an MQTT.js
 * client: each asset's PUBLISH packet is encoded once (mqtt-packet, MQTT.js's codec) and only its
 * `t0` and `seq` are overwritten in place, and the packets due are written in chunks of up to 64.
 * `t0` is the time the chunk is written, ISO 8601 with microseconds at a fixed offset (the
 * receiving side reads it back as the publish time); `seq` counts per asset, padded with spaces
 * to a fixed width (valid JSON). A paced step writes every 1 ms timer tick what is due by then; a
 * `max` step writes as long as the socket accepts and resumes on `drain`.
 *
 * Usage: node --import tsx bench/publisher.ts <brokerUrl> <steps> <index> <publishers> <assets>
 * (publisher `index` of `publishers` takes the assets `i` with `i % publishers === index`; `steps`
 * is this publisher's share of the load). Prints `ready` once connected, starts at the wall-clock
 * time (ms since the epoch) written to its stdin, so that every publisher starts at once, and
 * prints one JSON line when done: {@link PublisherReport}.
 */
import { createConnection } from 'node:net';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';
import { parseSteps } from './steps';

/** What one publisher sent, per step of its schedule. */
export interface PublisherReport {
  /** CPU time the publisher spent from the start to its last message, µs. */
  readonly cpuMicros: number;
  readonly steps: readonly {
    /** Messages whose `t0` falls in the step (the last step: and after it). */
    readonly published: number;
    /** Largest delay of a message behind its due time in a paced step, ms (0 for `max`). */
    readonly maxLagMs: number;
  }[];
}

/** ISO 8601 with microseconds, e.g. `2026-11-26T01:02:03.123456Z`: 27 characters. */
function isoMicros(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(Math.floor(micros) % 1000).padStart(3, '0')}Z`;
}

const MQTT_5 = { protocolVersion: 5 } as const;
/** Packets per socket write. */
const CHUNK = 64;
/** Chunks written flat out before yielding to the event loop. */
const BURST = 16;
/** Samples per block: ~300-byte payloads. */
const VALUES = 40;
const SEQ_WIDTH = 10;
const T0_PREFIX = '{"t0":"';

const [brokerUrl = '', stepsText = '', indexText = '0', publishersText = '1', assetsText = '20'] =
  process.argv.slice(2);
const steps = parseSteps(stepsText);
const index = Number(indexText);
const publishers = Number(publishersText);

/** An asset's PUBLISH packet, with where its `t0` and `seq` sit. */
interface Template {
  readonly packet: Buffer;
  readonly t0At: number;
  readonly seqAt: number;
  seq: number;
}

const values = Array.from({ length: VALUES }, (_, i) => 180 + (i % 7) * 1.5).join(',');
const payload = Buffer.from(
  `${T0_PREFIX}${isoMicros(0)}","dtMs":1,"unit":"A","values":[${values}],"quality":"good","seq":${' '.repeat(SEQ_WIDTH)}}`,
  'latin1',
);
const templates: Template[] = Array.from({ length: Number(assetsText) }, (_, asset) => asset)
  .filter((asset) => asset % publishers === index)
  .map((asset) => {
    const packet = generate(
      {
        cmd: 'publish',
        topic: `acme/zwickau/body-shop/body-weld-1/cell-${asset % 4}/welder-${asset}/telemetry/arc_current`,
        payload,
        qos: 0,
        retain: false,
        dup: false,
      },
      MQTT_5,
    );
    const payloadAt = packet.length - payload.length;
    return {
      packet,
      t0At: payloadAt + T0_PREFIX.length,
      seqAt: packet.length - 1 - SEQ_WIDTH,
      seq: 0,
    };
  });
const largestPacket = Math.max(...templates.map(({ packet }) => packet.length));

/** performance.now() at the start of the schedule. */
let start = 0;
let cpuAtStart: NodeJS.CpuUsage | undefined;
/** The step being sent, and the one whose time window we are in (later while catching up). */
let step = 0;
let stepNow = 0;
/** The next asset's template. */
let next = 0;
/** End of each step, ms after the start. */
const ends = steps.map((_, i) =>
  steps.slice(0, i + 1).reduce((sum, { seconds }) => sum + seconds * 1000, 0),
);
/** Messages of each step's schedule sent (paced steps). */
const sent = steps.map(() => 0);
/** Messages published in each step's time window (their `t0` in it). */
const published = steps.map(() => 0);
const maxLagMs = steps.map(() => 0);

/** Writes `count` packets, stamped now, in one chunk; false when the socket's buffer is full. */
function writeChunk(count: number): boolean {
  const now = performance.now();
  while (stepNow < steps.length - 1 && now - start >= ends[stepNow]!) stepNow += 1;
  published[stepNow]! += count;
  sent[step]! += count;
  const t0 = isoMicros((performance.timeOrigin + now) * 1000);
  const chunk = Buffer.allocUnsafe(count * largestPacket);
  let at = 0;
  for (let i = 0; i < count; i += 1) {
    const template = templates[next]!;
    next = (next + 1) % templates.length;
    template.packet.copy(chunk, at);
    chunk.write(t0, at + template.t0At, 'latin1');
    chunk.write(String(template.seq).padStart(SEQ_WIDTH), at + template.seqAt, 'latin1');
    template.seq += 1;
    at += template.packet.length;
  }
  return socket.write(chunk.subarray(0, at));
}

/**
 * Writes what the paced step has due `elapsed` ms after the start (all of it once the step is
 * over), noting how late the oldest of those messages is.
 */
function publishDue(elapsed: number): void {
  const { rate, seconds } = steps[step]!;
  if (rate === 'max') return;
  const begin = ends[step - 1] ?? 0;
  const due = Math.min(Math.floor(rate * seconds), Math.floor(((elapsed - begin) / 1000) * rate));
  if (due <= sent[step]!) return;
  maxLagMs[step] = Math.max(maxLagMs[step]!, elapsed - begin - (sent[step]! * 1000) / rate);
  while (sent[step]! < due) writeChunk(Math.min(CHUNK, due - sent[step]!));
}

function tick(): void {
  const elapsed = performance.now() - start;
  if (elapsed < 0) {
    // A timer may fire a fraction of a millisecond early.
    setTimeout(tick, -elapsed);
    return;
  }
  while (step < steps.length && elapsed >= ends[step]!) {
    // Messages due before the step ended still go out, late (their lag says so).
    publishDue(elapsed);
    step += 1;
  }
  if (step === steps.length) {
    finish();
    return;
  }
  if (steps[step]!.rate !== 'max') {
    publishDue(elapsed);
    setTimeout(tick, 1);
    return;
  }
  for (let burst = 0; burst < BURST; burst += 1) {
    if (!writeChunk(CHUNK)) {
      socket.once('drain', tick);
      return;
    }
  }
  setImmediate(tick);
}

function finish(): void {
  const cpu = process.cpuUsage(cpuAtStart);
  socket.end(generate({ cmd: 'disconnect' }, MQTT_5), () => {
    const report: PublisherReport = {
      cpuMicros: cpu.user + cpu.system,
      steps: published.map((count, i) => ({ published: count, maxLagMs: maxLagMs[i]! })),
    };
    console.log(JSON.stringify(report));
    process.exit(0);
  });
}

const { hostname, port } = new URL(brokerUrl);
const socket = createConnection({ host: hostname, port: Number(port || 1883), noDelay: true });
const parser = mqttParser(MQTT_5);
socket.on('data', (chunk: Buffer) => parser.parse(chunk));
socket.on('error', (error) => {
  console.error(`publisher ${index}: ${error.message}`);
  process.exit(1);
});
socket.on('connect', () => {
  socket.write(
    generate(
      {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clean: true,
        keepalive: 0,
        clientId: `bench-publisher-${index}-${process.pid}`,
      },
      MQTT_5,
    ),
  );
});
parser.on('packet', (packet: Packet) => {
  if (packet.cmd !== 'connack') return;
  if ((packet.reasonCode ?? 0) >= 0x80) {
    console.error(`publisher ${index}: connection refused (reason ${packet.reasonCode})`);
    process.exit(1);
  }
  console.log('ready');
  process.stdin.once('data', (line: Buffer) => {
    start = Number(line.toString()) - performance.timeOrigin;
    cpuAtStart = process.cpuUsage();
    setTimeout(tick, start - performance.now());
  });
});
