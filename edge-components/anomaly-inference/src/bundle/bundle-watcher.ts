/**
 * Watches a bundle directory by polling: the directory's real path (a symlink switched to a new
 * version counts) and the size and modification time of `manifest.json` and `model.onnx`. A change
 * is reported once it has held still for one more poll, so a bundle being copied is not offered
 * half-written (a half-written one that slips through fails validation and is refused, and the
 * completed one is offered again once its files change).
 */
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function signature(dir: string): Promise<string> {
  try {
    const real = await realpath(dir);
    const files = await Promise.all(
      ['manifest.json', 'model.onnx'].map(async (name) => {
        const info = await stat(join(real, name));
        return `${String(info.size)}:${String(info.mtimeMs)}:${String(info.ino)}`;
      }),
    );
    return `${real}|${files.join('|')}`;
  } catch {
    return 'absent';
  }
}

/** A running watch; {@link stop} ends it. */
export interface BundleWatch {
  stop(): void;
}

/**
 * Polls `dir` every `intervalMs`; calls `changed` (awaited: no overlapping calls) for the first
 * settled signature and for every settled change, and `gone` when a bundle that was offered has
 * settled as absent.
 */
export function watchBundle(
  dir: string,
  intervalMs: number,
  changed: () => Promise<void>,
  gone: () => Promise<void> = () => Promise.resolve(),
): BundleWatch {
  let offered: string | undefined;
  let seen: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    const current = await signature(dir);
    if (
      current === seen &&
      current !== offered &&
      (current !== 'absent' || offered !== undefined)
    ) {
      offered = current;
      await (current === 'absent' ? gone() : changed());
    }
    seen = current;
    if (!stopped) timer = setTimeout(() => void poll(), intervalMs);
  };
  timer = setTimeout(() => void poll(), 0);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
