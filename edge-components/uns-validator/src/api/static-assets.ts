/**
 * Serves the built dashboard (`npm run build -w @uns-mlops/dashboard` → `dashboard/dist`) from a
 * directory, so that one origin carries both the dashboard and the API it reads.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

/** A file to answer a request with. */
export interface StaticAsset {
  readonly contentType: string;
  readonly body: Buffer;
  /** `Cache-Control` value: content-hashed files under `/assets/` never change. */
  readonly cacheControl: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file of `directory` that `pathname` names (`/` is `index.html`), or `undefined` when there
 * is none. Paths that leave the directory (`..`, encoded or not) and directories are not served.
 */
export async function readStaticAsset(
  directory: string,
  pathname: string,
): Promise<StaticAsset | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return undefined;
  }
  const root = resolve(directory);
  const file = resolve(root, `.${decoded}`);
  if (decoded.includes('\0') || !file.startsWith(root + sep)) return undefined;
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return {
      contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      body: await readFile(file),
      cacheControl: decoded.startsWith('/assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    };
  } catch {
    return undefined;
  }
}
