/**
 * Benchmark load generator, run as a child process so it does not share an event loop with what
 * is measured. Publishes welding telemetry blocks (~300 bytes of JSON, QoS 1) at a target rate,
 * round-robin over several assets; `t0` is the publish time in epoch microseconds and `seq` the
 * message number, so the receiving side computes latency and finds lost and duplicate messages.
 *
 * Usage: tsx bench/publisher.ts <brokerUrl> <stream> <messagesPerSecond> <seconds> <assets>
 * Prints `{"published": n, "acknowledged": n, "unacknowledged": [seq...], "seconds": s}` once
 * every publish has settled (or a minute after the last one).
 */
import { connect } from 'mqtt';
import { LEAN_MQTT_CLIENT } from '@uns-mlops/edge-common';

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

const topics = Array.from(
  { length: assets },
  (_, index) =>
    `acme/zwickau/body-shop/body-weld-1/cell-${index % 4}/welder-${index}/telemetry/arc_current`,
);
const values = Array.from({ length: 38 }, (_, index) => 180 + (index % 7) * 1.5);
/**
 * The payload after `seq`, serialized once: the publisher shares two cores with what it measures,
 * and JSON.stringify of the samples per message cost it more CPU than publishing.
 */
const payloadTail = JSON.stringify({ stream, dtMs: 1, unit: 'A', values, quality: 'good' }).slice(
  1,
);

const client = connect(brokerUrl, {
  clientId: `bench-publisher-${process.pid}`,
  protocolVersion: 5,
  ...LEAN_MQTT_CLIENT,
});
client.on('connect', () => {
  const start = performance.now();
  let published = 0;
  let acknowledged = 0;
  let settled = 0;
  let finished = false;
  /** Publishes not acknowledged (failed, or still pending at the deadline), by seq. */
  const failed: number[] = [];
  const pending = new Set<number>();
  const done = () => {
    if (finished) return;
    finished = true;
    const seconds = (performance.now() - start) / 1000;
    client.end(true, {}, () => {
      const unacknowledged = [...failed, ...pending];
      console.log(JSON.stringify({ published, acknowledged, unacknowledged, seconds }));
    });
  };
  // Publishes the broker never acknowledged within a minute after the last one count as not
  // acknowledged (the receiving side only counts acknowledged messages as lost).
  setTimeout(done, (Number(secondsText) + 60) * 1000).unref();
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (published < due) {
      const t0 = Math.round((performance.timeOrigin + performance.now()) * 1000);
      const payload = `{"t0":${t0},"seq":${published},${payloadTail}`;
      const seq = published;
      pending.add(seq);
      client.publish(topics[seq % assets]!, payload, { qos: 1 }, (error) => {
        pending.delete(seq);
        if (error) failed.push(seq);
        else acknowledged += 1;
        settled += 1;
        if (settled === total) done();
      });
      published += 1;
    }
    // Nothing more due: wait a millisecond rather than spin (which took CPU from the bridge).
    if (published < total) setTimeout(tick, 1);
  };
  tick();
});
