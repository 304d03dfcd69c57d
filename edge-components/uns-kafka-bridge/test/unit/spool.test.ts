import { appendFileSync, mkdtempSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BridgeRecord } from '../../src/bridge/record';
import { Spool } from '../../src/spool/spool';

const record = (n: number, bytes = 200): BridgeRecord => ({
  topic: 'uns.telemetry',
  key: `asset-${n % 3}`,
  value: Buffer.alloc(bytes, n % 251),
  timestamp: 1_700_000_000_000 + n,
  headers: { 'uns-topic': `t/${n}`, 'uns-message-id': `id-${n}` },
});

const options = (dir: string) => ({ dir, maxBytes: 64 * 1024, segmentBytes: 16 * 1024 });

async function fill(spool: Spool, from: number, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) => spool.append(Spool.frame(record(from + i)))),
  );
}

async function drain(spool: Spool): Promise<BridgeRecord[]> {
  const out: BridgeRecord[] = [];
  for (;;) {
    const batch = await spool.read(37, 1_000_000);
    if (batch.records.length === 0 && spool.isEmpty()) return out;
    out.push(...batch.records);
    await spool.commit(batch.next);
  }
}

const segments = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.seg'))
    .sort();

describe('the disk spool', () => {
  it('gives back appended records byte for byte, in order', async () => {
    const spool = await Spool.open(options(mkdtempSync(join(tmpdir(), 'spool-'))));
    await fill(spool, 0, 150);
    const records = await drain(spool);
    expect(records).toEqual(Array.from({ length: 150 }, (_, n) => record(n)));
    await spool.close();
  });

  it('splits records over segments and deletes the segments Kafka has all of', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const spool = await Spool.open(options(dir));
    await fill(spool, 0, 200);
    expect(segments(dir).length).toBeGreaterThan(2);
    for (const name of segments(dir))
      expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(16 * 1024);
    await drain(spool);
    await spool.close();
    expect(segments(dir)).toHaveLength(1);
  });

  it('after a restart sends only what was not committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const first = await Spool.open(options(dir));
    await fill(first, 0, 120);
    const batch = await first.read(50, 1_000_000);
    await first.commit(batch.next);
    await first.read(30, 1_000_000); // read but never acknowledged by Kafka
    await first.close();

    const second = await Spool.open(options(dir));
    expect(second.unsentRecords).toBe(70);
    expect((await drain(second)).map((r) => r.timestamp - 1_700_000_000_000)).toEqual(
      Array.from({ length: 70 }, (_, i) => 50 + i),
    );
    await second.close();
  });

  it('cuts off a record torn by a crash mid-write and keeps every whole one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const first = await Spool.open(options(dir));
    await fill(first, 0, 10);
    await first.close();
    const last = join(dir, segments(dir).at(-1)!);
    const whole = statSync(last).size;
    appendFileSync(last, Spool.frame(record(10)).subarray(0, 100));

    const second = await Spool.open(options(dir));
    expect(statSync(last).size).toBe(whole);
    expect(second.unsentRecords).toBe(10);
    await fill(second, 11, 1);
    expect((await drain(second)).map((r) => r.timestamp - 1_700_000_000_000)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11,
    ]);
    await second.close();
  });

  it('treats a garbled committed offset as "send everything again", never as loss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const first = await Spool.open(options(dir));
    await fill(first, 0, 20);
    await first.commit((await first.read(5, 1_000_000)).next);
    await first.close();
    truncateSync(join(dir, 'committed.json'), 3);

    const second = await Spool.open(options(dir));
    expect(second.unsentRecords).toBe(20);
    await second.close();
  });

  it('stays within its size bound and, dropping its oldest segment, reports what it lost', async () => {
    const spool = await Spool.open(options(mkdtempSync(join(tmpdir(), 'spool-'))));
    let appended = 0;
    while (spool.hasRoomFor(Spool.frame(record(appended)).length)) {
      await spool.append(Spool.frame(record(appended)));
      appended += 1;
    }
    expect(spool.usedBytes).toBeLessThanOrEqual(64 * 1024);
    const dropped = spool.dropOldestSegment()!;
    expect(dropped).toBeGreaterThan(0);
    expect(spool.unsentRecords).toBe(appended - dropped);
    const left = await drain(spool);
    expect(left.map((r) => r.timestamp - 1_700_000_000_000)).toEqual(
      Array.from({ length: appended - dropped }, (_, i) => dropped + i),
    );
    await spool.close();
  });

  it('frees the oldest segment when Kafka already has every record up to its end', async () => {
    const spool = await Spool.open(options(mkdtempSync(join(tmpdir(), 'spool-'))));
    await fill(spool, 0, 200);
    const perSegment = Math.floor((16 * 1024) / Spool.frame(record(0)).length);
    await spool.commit((await spool.read(perSegment, 1_000_000)).next);
    const before = spool.usedBytes;

    expect(spool.dropOldestSegment()).toBe(0);
    expect(spool.usedBytes).toBeLessThan(before);
    expect(spool.unsentRecords).toBe(200 - perSegment);
    await spool.close();
  });
});
