/**
 * One Trino server for every test file of the run that runs SQL on it (the curation, drift and
 * shadow comparison queries): started by the first file that asks, in its jest worker, and stopped
 * at the run's end (run-directory.ts), instead of one JVM start per file. Each file keeps to a
 * namespace of its own (see createTrinoLakehouse).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTrino, type TrinoClient, trinoAt } from '@uns-mlops/test-services';
import { oncePerRun } from './once-per-run';
import { runDirectory, stopAtRunEnd } from './run-directory';

/** How long a file waits for another one to start the server (its own deadline is 180 s, the
 * download of the server on first use up to 30 minutes). */
const START_TIMEOUT_MS = 35 * 60_000;

/** The run's Trino server: started (see startTrino) by the first file that asks. */
export async function sharedTrino(): Promise<TrinoClient> {
  const address = join(runDirectory(), 'trino.json');
  await oncePerRun(
    'trino',
    async () => {
      const server = await startTrino();
      stopAtRunEnd(server.pid);
      writeFileSync(
        address,
        JSON.stringify({ url: server.url, dataDirectory: server.dataDirectory }),
      );
    },
    START_TIMEOUT_MS,
  );
  const { url, dataDirectory } = JSON.parse(readFileSync(address, 'utf8')) as {
    url: string;
    dataDirectory: string;
  };
  return trinoAt(url, dataDirectory);
}
