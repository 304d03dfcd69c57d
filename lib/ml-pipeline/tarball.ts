import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Modification time of every entry: 1980-01-01T00:00:00Z (zip-based tools reject earlier times). */
export const TARBALL_MTIME_SECONDS = 315_532_800;
const BLOCK = 512;
/** Byte 9 of a gzip member header: the operating system that wrote it; 255 means "unknown". */
const GZIP_OS_BYTE = 9;

/** Which files of a directory go into a tarball. */
export interface TarballOptions {
  /**
   * Names (of files or directories, at any depth) left out, e.g. `__pycache__`.
   * @default - nothing is left out.
   */
  readonly excludeNames?: readonly string[];
  /**
   * File name suffixes left out, e.g. `.pyc`.
   * @default - nothing is left out.
   */
  readonly excludeSuffixes?: readonly string[];
}

/**
 * A gzip-compressed POSIX (ustar) tarball of a directory's regular files whose bytes depend only
 * on the files' relative paths and contents: entries sorted by path, mode 0644 (0755 when the
 * owner may execute), owner and group 0 with empty names, one fixed modification time, and a gzip
 * header without time stamp or file name and with operating system "unknown".
 * Symbolic links and special files are refused, so the tarball holds exactly what is on disk.
 */
export function deterministicTarGz(directory: string, options: TarballOptions = {}): Buffer {
  const files = listFiles(directory, '', options);
  const blocks: Buffer[] = [];
  for (const file of files) {
    const content = readFileSync(join(directory, file.path));
    blocks.push(header(file.path, content.length, file.executable), content);
    const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
    if (padding > 0) blocks.push(Buffer.alloc(padding));
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  const gzip = gzipSync(Buffer.concat(blocks), { level: 9 });
  gzip[GZIP_OS_BYTE] = 255;
  return gzip;
}

interface TarEntry {
  readonly path: string;
  readonly executable: boolean;
}

function listFiles(root: string, relative: string, options: TarballOptions): TarEntry[] {
  const excludedNames = new Set(options.excludeNames ?? []);
  const excludedSuffixes = options.excludeSuffixes ?? [];
  const entries: TarEntry[] = [];
  const names = readdirSync(join(root, relative)).sort();
  for (const name of names) {
    if (excludedNames.has(name) || excludedSuffixes.some((suffix) => name.endsWith(suffix))) {
      continue;
    }
    const path = relative === '' ? name : posix.join(relative, name);
    const stats = lstatSync(join(root, path));
    if (stats.isDirectory()) {
      entries.push(...listFiles(root, path, options));
    } else if (stats.isFile()) {
      entries.push({ path, executable: (stats.mode & 0o100) !== 0 });
    } else {
      throw new Error(
        `${join(root, path)} is neither a regular file nor a directory; a step-code tarball holds only regular files`,
      );
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A ustar header block; paths longer than 100 bytes are split into prefix and name. */
function header(path: string, size: number, executable: boolean): Buffer {
  const { name, prefix } = splitPath(path);
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, executable ? 0o755 : 0o644, 100, 8);
  writeOctal(block, 0, 108, 8); // uid
  writeOctal(block, 0, 116, 8); // gid
  writeOctal(block, size, 124, 12);
  writeOctal(block, TARBALL_MTIME_SECONDS, 136, 12);
  block.fill(' ', 148, 156); // checksum is computed over spaces
  block.write('0', 156, 1, 'ascii'); // regular file
  block.write('ustar\u000000', 257, 8, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let checksum = 0;
  for (const byte of block) checksum += byte;
  block.write(`${checksum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  const slashes = [...path.matchAll(/\//g)].map((match) => match.index);
  for (const slash of slashes) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`path ${JSON.stringify(path)} is too long for a ustar tarball`);
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}
