/** Shared helpers of the pool tests. */
import { join } from 'node:path';

/** Absolute path of a worker fixture. */
export function fixture(name: string): string {
  return join(__dirname, 'fixtures', `${name}.ts`);
}

/** A gate shared with `gated-worker`: tasks block until it opens. */
export function createGate(): { gate: Int32Array; open: () => void } {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  return {
    gate,
    open: () => {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    },
  };
}

/** The promise of an accepted task; fails the test when `submit` refused it. */
export function accepted<T>(result: Promise<T> | undefined): Promise<T> {
  if (result === undefined) {
    throw new Error('the pool refused the task');
  }
  return result;
}

/** The values and rejection reasons of settled promises, in order. */
export function settledValues(outcomes: readonly PromiseSettledResult<unknown>[]): unknown[] {
  return outcomes.map((outcome): unknown =>
    outcome.status === 'fulfilled' ? outcome.value : outcome.reason,
  );
}
