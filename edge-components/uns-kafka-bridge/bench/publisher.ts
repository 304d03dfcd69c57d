/**
 * Benchmark load generator, run as a child process so it does not share an event loop with what
 * is measured. Publishes welding telemetry blocks (~300 bytes of JSON, QoS 1) at a target rate,
 * round-robin over several assets; `t0` is the publish time in epoch microseconds and `seq` the
 * message number, so the receiving side computes latency and finds lost and duplicate messages.
 *
 * It speaks MQTT 5 through mqtt-packet (MQTT.js's own codec) on a plain socket instead of an
 * MQTT.js client: the load runs on the two cores it measures, and MQTT.js's per-publish machinery
 * (outgoing store, packet-id allocator, callback, stream) cost about half a core at 30,000 msg/s,
 * taken from the bridge. It keeps QoS 1's rules: at most the broker's receive maximum in flight,
 * a message counts as acknowledged on a PUBACK with a success reason code. Like MQTT.js, it stamps
 * and writes a message when it is due, whether or not the socket has drained.
 *
 * Usage: tsx bench/publisher.ts <brokerUrl> <stream> <messagesPerSecond> <seconds> <assets>
 * Prints `{"published": n, "acknowledged": n, "unacknowledged": [seq...], "seconds": s}` once
 * every publish has settled (or a minute after the last one).
 */
import { createConnection } from 'node:net';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';

const [
  brokerUrl = 'mqtt://127.0.0.1:1883',
  stream = 'bench',
  rateText = '30000',
  secondsText = '10',
  assetsText = '20',
] = process.argv.slice(2);
const rate = Number(rateText);
const total = rate * Number(secondsText);
const assets = Number(assetsText);
const MQTT_5 = { protocolVersion: 5 };

const topics = Array.from(
  { length: assets },
  (_, index) =>
    `acme/zwickau/body-shop/body-weld-1/cell-${index % 4}/welder-${index}/telemetry/arc_current`,
);
const values = Array.from({ length: 38 }, (_, index) => 180 + (index % 7) * 1.5);
/** The payload after `seq`, serialized once (JSON.stringify of the samples per message is costly). */
const payloadTail = JSON.stringify({ stream, dtMs: 1, unit: 'A', values, quality: 'good' }).slice(
  1,
);

const { hostname, port } = new URL(brokerUrl);
const socket = createConnection(Number(port || 1883), hostname);
const parser = mqttParser(MQTT_5);
socket.on('data', (chunk: Buffer) => parser.parse(chunk));
socket.on('error', (error) => {
  console.error(`publisher: ${error.message}`);
  process.exit(1);
});

/** seq of the message in flight under each packet id (-1: the id is free). */
const inFlight = new Int32Array(65_536).fill(-1);
let inFlightCount = 0;
let receiveMaximum = 65_535;
let nextPacketId = 0;
let published = 0;
let acknowledged = 0;
let settled = 0;
let start = 0;
let finished = false;
/** Publishes the broker refused, by seq. */
const refused: number[] = [];

parser.on('packet', (packet: Packet) => {
  if (packet.cmd === 'connack') {
    receiveMaximum = packet.properties?.receiveMaximum ?? receiveMaximum;
    start = performance.now();
    // Publishes not acknowledged within a minute after the last one count as not acknowledged
    // (the receiving side only counts acknowledged messages as lost).
    setTimeout(done, (Number(secondsText) + 60) * 1000).unref();
    publishDue();
  } else if (packet.cmd === 'puback') {
    const id = packet.messageId!;
    const seq = inFlight[id]!;
    if (seq < 0) return;
    inFlight[id] = -1;
    inFlightCount -= 1;
    if ((packet.reasonCode ?? 0) < 0x80) acknowledged += 1;
    else refused.push(seq);
    settled += 1;
    if (settled === total) done();
  }
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
        clientId: `bench-publisher-${process.pid}`,
      },
      MQTT_5,
    ),
  );
});

/** Publishes every message due by now, as far as the broker's window and the socket allow. */
function publishDue(): void {
  const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
  socket.cork();
  while (published < due && inFlightCount < receiveMaximum) {
    do nextPacketId = (nextPacketId % 65_535) + 1;
    while (inFlight[nextPacketId] !== -1);
    const seq = published;
    const t0 = Math.round((performance.timeOrigin + performance.now()) * 1000);
    inFlight[nextPacketId] = seq;
    inFlightCount += 1;
    published += 1;
    socket.write(
      generate(
        {
          cmd: 'publish',
          topic: topics[seq % assets]!,
          payload: `{"t0":${t0},"seq":${seq},${payloadTail}`,
          qos: 1,
          messageId: nextPacketId,
          retain: false,
          dup: false,
        },
        MQTT_5,
      ),
    );
  }
  socket.uncork();
  // Wait a millisecond rather than spin (spinning took CPU from the bridge).
  if (published < total && !finished) setTimeout(publishDue, 1);
}

function done(): void {
  if (finished) return;
  finished = true;
  const seconds = (performance.now() - start) / 1000;
  const pending = [...inFlight].filter((seq) => seq >= 0);
  const unacknowledged = [...refused, ...pending];
  socket.end(generate({ cmd: 'disconnect' }, MQTT_5), () => {
    console.log(JSON.stringify({ published, acknowledged, unacknowledged, seconds }));
    process.exit(0);
  });
}
