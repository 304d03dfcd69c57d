/**
 * The two archive forms of a model bundle: the registry's `model.tar.gz` (written by the
 * pipeline's `write_bundle`, pipelines/src/uns_anomaly/bundle.py) is read with tar-stream, and
 * the model component's artifact `model-bundle.zip` (what scripts/build-model-artifact.sh makes
 * from a bundle folder: the files at the archive's root) is written with fflate.
 */
import { zipSync, type Zippable } from 'fflate';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';

/** A file in an archive: its path inside it and its bytes. */
export interface ArchiveFile {
  readonly name: string;
  readonly data: Buffer;
}

/** Every entry of a zip gets this time, so the same files always give the same bytes. */
const FIXED_TIME = new Date(1980, 0, 1);
/** Unix, regular file, mode 0644 (fflate's `attrs` layout). */
const UNIX = 3;
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;

/**
 * The regular files of a gzip-compressed tar archive (ustar, pax and GNU long names), by path
 * without a leading `./`. Directories, links and other entries are skipped.
 *
 * @throws Error when the data is not gzip or not a tar archive.
 */
export async function readTarGz(archive: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const entries = extract();
  Readable.from([gunzipSync(archive)]).pipe(entries);
  try {
    for await (const entry of entries) {
      const data = await buffer(entry);
      if (entry.header.type === 'file') files.set(entry.header.name.replace(/^(\.\/)+/, ''), data);
    }
  } catch (error) {
    throw new Error(`not a tar archive: ${(error as Error).message}`, { cause: error });
  }
  return files;
}

/** A zip archive of `files` (deflated, sorted by name, fixed time stamps, mode 0644). */
export function zipFiles(files: readonly ArchiveFile[]): Buffer {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const zippable: Zippable = {};
  for (const file of sorted) {
    zippable[file.name] = [
      new Uint8Array(file.data),
      { level: 9, mtime: FIXED_TIME, os: UNIX, attrs: REGULAR_FILE_0644 },
    ];
  }
  return Buffer.from(zipSync(zippable));
}
