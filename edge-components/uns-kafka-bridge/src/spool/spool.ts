import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BridgeRecord } from '../bridge/record';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES } from './frame';

/** Where the spool stores records and how much. */
export interface SpoolOptions {
  dir: string;
  /** Most bytes of segment files (and records waiting to be written). */
  maxBytes: number;
  /** Size at which a segment is sealed and the next one started. */
  segmentBytes: number;
  /** Told about records lost to a corrupt (not merely torn) segment, with their count. */
  onCorrupt?: (message: string, records: number) => void;
}

/** A place in the record sequence: its number, and where it starts on disk. */
export interface SpoolPosition {
  readonly seq: number;
  /** First sequence number of the segment holding the position. */
  readonly segment: number;
  readonly offset: number;
}

/** Records read from the spool and the position after them (to commit once Kafka has them). */
export interface SpoolBatch {
  readonly records: BridgeRecord[];
  readonly next: SpoolPosition;
}

interface Segment {
  readonly firstSeq: number;
  readonly path: string;
  /** Bytes written and fsynced. */
  bytes: number;
  reader?: FileHandle;
}

const SEGMENT_SUFFIX = '.seg';
const COMMIT_FILE = 'committed.json';
const READ_CHUNK = 1024 * 1024;

/**
 * A disk spool of Kafka records: append-only segment files, named by the sequence number of their
 * first record, and the committed position (the first record Kafka has not acknowledged) in
 * `committed.json`.
 *
 * - `append` resolves once the record is fsynced; appends arriving while a write is in progress
 *   are written and synced together (group commit).
 * - `read` returns records from the read position in order; `commit` after Kafka's ack moves the
 *   committed position and deletes segments behind it; `rewind` returns to the committed position
 *   after a failed produce. A crash loses no appended record: at worst records after the last
 *   persisted commit are sent again.
 * - On open, a torn record at the end of the last segment (a crash mid-write) is cut off.
 */
export class Spool {
  private readonly segments: Segment[];
  private writer: FileHandle;
  /** Sequence number the next appended record gets. */
  private nextSeq: number;
  private committed: SpoolPosition;
  private cursor: SpoolPosition;
  private pending: Buffer[] = [];
  private pendingWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private pendingBytes = 0;
  private flushing: Promise<void> | undefined;
  private commitWrite: Promise<void> = Promise.resolve();
  /** Deletion of consumed or dropped segment files, in order. */
  private housekeeping: Promise<void> = Promise.resolve();
  private commitDirty = false;

  private constructor(
    private readonly options: SpoolOptions,
    state: { segments: Segment[]; writer: FileHandle; nextSeq: number; committed: SpoolPosition },
  ) {
    this.segments = state.segments;
    this.writer = state.writer;
    this.nextSeq = state.nextSeq;
    this.committed = state.committed;
    this.cursor = state.committed;
  }

  /** Opens (or creates) the spool in `options.dir`, recovering it after a crash. */
  static async open(options: SpoolOptions): Promise<Spool> {
    await mkdir(options.dir, { recursive: true });
    const names = (await readdir(options.dir)).filter((name) => name.endsWith(SEGMENT_SUFFIX));
    const segments: Segment[] = names
      .map((name) => ({
        firstSeq: Number(name.slice(0, -SEGMENT_SUFFIX.length)),
        path: join(options.dir, name),
        bytes: 0,
      }))
      .filter((segment) => Number.isSafeInteger(segment.firstSeq))
      .sort((a, b) => a.firstSeq - b.firstSeq);
    const committedSeq = await readCommittedSeq(options.dir);
    const [first] = segments;
    const last = segments.at(-1);

    if (first === undefined || last === undefined) {
      const firstSeq = committedSeq ?? 0;
      const created = { firstSeq, path: segmentPath(options.dir, firstSeq), bytes: 0 };
      const writer = await createSegmentFile(options.dir, created.path);
      const position = { seq: created.firstSeq, segment: created.firstSeq, offset: 0 };
      return new Spool(options, {
        segments: [created],
        writer,
        nextSeq: created.firstSeq,
        committed: position,
      });
    }

    // Sealed segments were synced whole; only the last can end in a torn write.
    const scan = await scanSegment(last.path, undefined);
    if (scan.validBytes < scan.fileBytes) {
      const handle = await open(last.path, 'r+');
      await handle.truncate(scan.validBytes);
      await handle.sync();
      await handle.close();
    }
    last.bytes = scan.validBytes;
    for (const segment of segments.slice(0, -1)) {
      segment.bytes = (await readFile(segment.path)).length;
    }
    const nextSeq = last.firstSeq + scan.records;
    const committed = await locate(segments, first, committedSeq ?? first.firstSeq, nextSeq);
    const writer = await open(last.path, 'r+');
    const spool = new Spool(options, { segments, writer, nextSeq, committed });
    spool.deleteConsumedSegments();
    await spool.housekeeping;
    return spool;
  }

  /** Bytes the spool takes: segment files plus records waiting to be written. */
  get usedBytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.bytes, 0) + this.pendingBytes;
  }

  /** Records appended (or being appended) that Kafka has not acknowledged. */
  get unsentRecords(): number {
    return this.nextSeq - this.committed.seq;
  }

  /** True when every appended record is committed. */
  isEmpty(): boolean {
    return this.unsentRecords === 0;
  }

  /** Whether a frame of this many bytes fits under the size bound. */
  hasRoomFor(frameBytes: number): boolean {
    return this.usedBytes + frameBytes <= this.options.maxBytes;
  }

  /** Encodes a record into its spool frame (to size it before appending). */
  static frame(record: BridgeRecord): Buffer {
    return encodeFrame(record);
  }

  /** Appends a frame from {@link Spool.frame}; resolves once it is fsynced. */
  append(frame: Buffer): Promise<void> {
    this.nextSeq += 1;
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    const durable = new Promise<void>((resolve, reject) => {
      this.pendingWaiters.push({ resolve, reject });
    });
    this.flushing ??= this.flush();
    return durable;
  }

  /** Up to `maxRecords` records (and about `maxBytes` of values) from the read position on. */
  async read(maxRecords: number, maxBytes: number): Promise<SpoolBatch> {
    const records: BridgeRecord[] = [];
    const start = this.cursor;
    let position = start;
    let bytes = 0;
    while (records.length < maxRecords && bytes < maxBytes) {
      const index = this.segments.findIndex((s) => s.firstSeq === position.segment);
      const segment = this.segments[index];
      if (segment === undefined) break;
      if (position.offset >= segment.bytes) {
        const following = this.segments[index + 1];
        if (following === undefined) break;
        position = { seq: following.firstSeq, segment: following.firstSeq, offset: 0 };
        continue;
      }
      segment.reader ??= await open(segment.path, 'r');
      const chunk = await readAt(segment.reader, position.offset, segment.bytes - position.offset);
      let at = 0;
      let read = 0;
      let corrupt = false;
      while (records.length < maxRecords && bytes < maxBytes) {
        const frame = decodeFrame(chunk, at);
        if (!frame.ok) {
          corrupt = frame.reason === 'corrupt';
          break;
        }
        records.push(frame.record);
        bytes += frame.record.value.length;
        at += frame.bytes;
        read += 1;
      }
      if (corrupt) {
        position = this.skipCorruptRest(segment, this.segments[index + 1], position.seq + read);
        continue;
      }
      position = {
        seq: position.seq + read,
        segment: position.segment,
        offset: position.offset + at,
      };
      if (at === 0) break;
    }
    // A segment dropped to make room while reading moved the read position past it.
    if (this.cursor !== start) return { records: [], next: this.cursor };
    this.cursor = position;
    // Nothing unsent lies between: the committed position follows into the next segment, so
    // the segment behind it can go.
    if (records.length === 0 && position.seq === this.committed.seq) {
      this.committed = position;
      this.deleteConsumedSegments();
    }
    return { records, next: position };
  }

  /** Marks everything before `next` as acknowledged by Kafka and frees whole segments behind it. */
  async commit(next: SpoolPosition): Promise<void> {
    if (next.seq <= this.committed.seq) return;
    this.committed = next;
    this.deleteConsumedSegments();
    await this.persistCommitted();
  }

  /** Moves the read position back to the committed one (the last read was not acknowledged). */
  rewind(): void {
    this.cursor = this.committed;
  }

  /**
   * Gives up the oldest segment to make room (the drop-oldest policy) and returns how many records
   * not yet in Kafka went with it, or undefined when only the segment being written is left.
   */
  dropOldestSegment(): number | undefined {
    const [oldest, following] = this.segments;
    if (oldest === undefined || following === undefined) return undefined;
    const dropped = Math.max(0, following.firstSeq - Math.max(this.committed.seq, oldest.firstSeq));
    const start = { seq: following.firstSeq, segment: following.firstSeq, offset: 0 };
    if (this.committed.segment === oldest.firstSeq) this.committed = start;
    if (this.cursor.segment === oldest.firstSeq) this.cursor = start;
    this.deleteConsumedSegments();
    void this.persistCommitted();
    return dropped;
  }

  /** Waits for pending writes and the committed position, and closes the files. */
  async close(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    await this.commitWrite;
    await this.housekeeping;
    for (const segment of this.segments) await segment.reader?.close();
    await this.writer.close();
  }

  /** Writes and syncs pending frames, filling each segment up to `segmentBytes` before the next. */
  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const frames = this.pending;
      const waiters = this.pendingWaiters;
      this.pending = [];
      this.pendingWaiters = [];
      let written = 0;
      try {
        while (written < frames.length) {
          let segment = this.current;
          const chunk: Buffer[] = [];
          let bytes = 0;
          for (const frame of frames.slice(written)) {
            if (segment.bytes + bytes + frame.length > this.options.segmentBytes) {
              if (chunk.length > 0) break;
              if (segment.bytes > 0) {
                await this.rotate(frames.length - written);
                segment = this.current;
              }
            }
            chunk.push(frame);
            bytes += frame.length;
          }
          const data = Buffer.concat(chunk, bytes);
          await this.writer.write(data, 0, data.length, segment.bytes);
          await this.writer.datasync();
          segment.bytes += bytes;
          this.pendingBytes -= bytes;
          for (const waiter of waiters.slice(written, written + chunk.length)) waiter.resolve();
          written += chunk.length;
        }
      } catch (error) {
        const lost = [...frames.slice(written), ...this.pending];
        this.nextSeq -= lost.length;
        for (const waiter of [...waiters.slice(written), ...this.pendingWaiters])
          waiter.reject(error);
        this.pending = [];
        this.pendingWaiters = [];
        this.pendingBytes = 0;
      }
    }
    this.flushing = undefined;
  }

  /** Seals the segment being written and starts the next; `unwritten` frames are still to come. */
  private async rotate(unwritten: number): Promise<void> {
    const firstSeq = this.nextSeq - this.pending.length - unwritten;
    const path = segmentPath(this.options.dir, firstSeq);
    const writer = await createSegmentFile(this.options.dir, path);
    await this.writer.close();
    this.writer = writer;
    this.segments.push({ firstSeq, path, bytes: 0 });
  }

  /** The segment being written (there always is one). */
  private get current(): Segment {
    const segment = this.segments.at(-1);
    if (segment === undefined) throw new Error('spool has no segment');
    return segment;
  }

  private skipCorruptRest(
    segment: Segment,
    following: Segment | undefined,
    seq: number,
  ): SpoolPosition {
    const end = following?.firstSeq ?? this.nextSeq;
    this.options.onCorrupt?.(`corrupt record in spool segment ${segment.path}`, end - seq);
    if (following === undefined) return { seq, segment: segment.firstSeq, offset: segment.bytes };
    return { seq: following.firstSeq, segment: following.firstSeq, offset: 0 };
  }

  /** Forgets the segments wholly behind the committed position; their files go in the background. */
  private deleteConsumedSegments(): void {
    for (
      let segment = this.segments[0];
      segment !== undefined &&
      this.segments.length > 1 &&
      segment.firstSeq < this.committed.segment;
      segment = this.segments[0]
    ) {
      this.segments.shift();
      // A file that cannot be deleted now is behind the committed position: the next open
      // deletes it.
      this.housekeeping = this.housekeeping
        .then(async () => {
          await segment.reader?.close();
          await unlink(segment.path);
        })
        .catch(() => undefined);
    }
  }

  /** Writes the committed sequence number (coalescing concurrent calls); a lost write only means
   * records are sent again. */
  private persistCommitted(): Promise<void> {
    if (this.commitDirty) return this.commitWrite;
    this.commitDirty = true;
    this.commitWrite = this.commitWrite.then(async () => {
      this.commitDirty = false;
      const file = join(this.options.dir, COMMIT_FILE);
      const handle = await open(`${file}.tmp`, 'w');
      await handle.writeFile(JSON.stringify({ seq: this.committed.seq }));
      await handle.datasync();
      await handle.close();
      await rename(`${file}.tmp`, file);
    });
    // A commit that could not be written only means records are sent again after a restart.
    this.commitWrite = this.commitWrite.catch(() => undefined);
    return this.commitWrite;
  }
}

function segmentPath(dir: string, firstSeq: number): string {
  return join(dir, `${String(firstSeq).padStart(16, '0')}${SEGMENT_SUFFIX}`);
}

async function createSegmentFile(dir: string, path: string): Promise<FileHandle> {
  const handle = await open(path, 'w');
  const directory = await open(dir, 'r');
  await directory.sync();
  await directory.close();
  return handle;
}

async function readCommittedSeq(dir: string): Promise<number | undefined> {
  try {
    const { seq } = JSON.parse(await readFile(join(dir, COMMIT_FILE), 'utf8')) as { seq: unknown };
    return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `length` bytes at `offset`, at most one chunk, but always a whole first frame. */
async function readAt(handle: FileHandle, offset: number, available: number): Promise<Buffer> {
  let length = Math.min(available, READ_CHUNK);
  let buffer = Buffer.allocUnsafe(length);
  await handle.read(buffer, 0, length, offset);
  if (length >= FRAME_HEADER_BYTES) {
    const frameBytes = FRAME_HEADER_BYTES + buffer.readUInt32BE(0);
    if (frameBytes > length && frameBytes <= available) {
      length = frameBytes;
      buffer = Buffer.allocUnsafe(length);
      await handle.read(buffer, 0, length, offset);
    }
  }
  return buffer;
}

/** Counts the whole, valid frames of a segment file, up to `untilRecords` if given. */
async function scanSegment(
  path: string,
  untilRecords: number | undefined,
): Promise<{ records: number; validBytes: number; fileBytes: number }> {
  const data = await readFile(path);
  let at = 0;
  let records = 0;
  while (untilRecords === undefined || records < untilRecords) {
    const frame = decodeFrame(data, at);
    if (!frame.ok) break;
    at += frame.bytes;
    records += 1;
  }
  return { records, validBytes: at, fileBytes: data.length };
}

/** The position of sequence number `seq` (clamped to the records on disk). */
async function locate(
  segments: Segment[],
  first: Segment,
  seq: number,
  nextSeq: number,
): Promise<SpoolPosition> {
  const target = Math.min(Math.max(seq, first.firstSeq), nextSeq);
  let segment = first;
  for (const candidate of segments) if (candidate.firstSeq <= target) segment = candidate;
  const { validBytes } = await scanSegment(segment.path, target - segment.firstSeq);
  return { seq: target, segment: segment.firstSeq, offset: validBytes };
}
