/**
 * Benchmark load generator, run as a child process so it does not share a core's event loop with
 * what is measured. Publishes schema-valid welding telemetry blocks (~300 bytes of JSON, QoS 0) at
 * a target rate, spread over several assets; `t0` carries the publish time with microseconds, so
 * the receiver can compute publish-to-verdict latency.
 *
 * Usage: tsx bench/publisher.ts <brokerUrl> <messagesPerSecond> <seconds> <assets>
 * Prints `{"published": n, "seconds": s}` when done.
 */
import { connect } from 'mqtt';

const [
  brokerUrl = 'mqtt://127.0.0.1:1883',
  rateText = '20000',
  secondsText = '10',
  assetsText = '20',
] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const assets = Number(assetsText);

/** Wall-clock time in microseconds, comparable across processes on one machine. */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** ISO 8601 with microseconds, e.g. `2026-11-26T01:02:03.123456Z`. */
export function isoMicros(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}

const topics = Array.from(
  { length: assets },
  (_, index) =>
    `acme/zwickau/body-shop/body-weld-1/cell-${index % 4}/welder-${index}/telemetry/arc_current`,
);
const values = Array.from({ length: 20 }, (_, index) => 180 + (index % 7) * 1.5);

const client = connect(brokerUrl, {
  clientId: `bench-publisher-${process.pid}`,
  protocolVersion: 5,
});
client.on('connect', () => {
  const start = performance.now();
  let published = 0;
  const tick = () => {
    const due = Math.min(rate * seconds, Math.floor(((performance.now() - start) / 1000) * rate));
    while (published < due) {
      const payload = JSON.stringify({
        t0: isoMicros(nowMicros()),
        dtMs: 1,
        unit: 'A',
        values,
        quality: 'good',
        seq: published,
      });
      client.publish(topics[published % assets]!, payload, { qos: 0 });
      published += 1;
    }
    if (published >= rate * seconds) {
      client.end(false, {}, () => {
        console.log(JSON.stringify({ published, seconds: (performance.now() - start) / 1000 }));
      });
      return;
    }
    setImmediate(tick);
  };
  tick();
});
