/** How often {@link waitUntil} asks again. */
const POLL_MS = 25;

/**
 * Polls until the condition holds (a condition that throws has not held yet); rejects after the
 * timeout with a message naming what was awaited (`description`) and the condition's last error.
 * Timeouts are deadlines for a loaded machine, not expected durations: the wait ends as soon as
 * the condition holds.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  description = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${messageOf(lastError)})`;
      throw new Error(`${description} not met within ${timeoutMs} ms${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(messageOf).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}
