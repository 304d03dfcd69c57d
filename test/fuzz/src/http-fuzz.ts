/**
 * Malformed HTTP requests (`MALFORMED_HTTP_REQUESTS` of the test services, raw bytes on sockets of
 * their own) against each component's port, each followed by a plain `GET /health` and a look at
 * whether the process still runs: a 5xx, a request that kills a process, or one after which the
 * component no longer answers is named with the request that caused it.
 */
import { MALFORMED_HTTP_REQUESTS, sendRawRequest } from '@uns-mlops/test-services';
import type { ComponentName, ComponentUnderFire } from './edge-components';

/** What one malformed request did to one component. */
export interface HttpFuzzFinding {
  readonly component: ComponentName;
  readonly request: string;
  /** The status the request got (5xx), or what went wrong. */
  readonly what: string;
}

/** What {@link fuzzHttp} found. */
export interface HttpFuzzReport {
  /** Malformed requests sent (over all components). */
  readonly requests: number;
  /** Of those, answered with a 5xx status. */
  readonly answers5xx: number;
  /** Answered with a status line (any code). */
  readonly answered: number;
  /** Connections the component closed without a byte (a legitimate way to refuse garbage). */
  readonly closedWithoutAnswer: number;
  /** Health checks after a request that did not get 200. */
  readonly healthFailures: number;
  /** Every 5xx, every refused or timed-out connection, every process that died after a request. */
  readonly findings: readonly HttpFuzzFinding[];
}

const HEALTH = Buffer.from('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n', 'latin1');

/**
 * Sends every malformed request to every component (the components in parallel, the requests of
 * one component one after the other), each followed by `GET /health`. Stops sending to a component
 * whose process has died.
 */
export async function fuzzHttp(
  components: readonly ComponentUnderFire[],
  options: { timeoutMs?: number } = {},
): Promise<HttpFuzzReport> {
  const findings: HttpFuzzFinding[] = [];
  let requests = 0;
  let answers5xx = 0;
  let answered = 0;
  let closedWithoutAnswer = 0;
  let healthFailures = 0;
  await Promise.all(
    components.map(async (component) => {
      for (const { name, bytes } of MALFORMED_HTTP_REQUESTS) {
        if (!component.alive()) return;
        requests += 1;
        const finding = (what: string) =>
          findings.push({ component: component.name, request: name, what });
        try {
          const answer = await sendRawRequest(component.port, bytes, options);
          if (answer.closedWithoutAnswer) closedWithoutAnswer += 1;
          if (answer.statusCode !== undefined) answered += 1;
          if (answer.statusCode !== undefined && answer.statusCode >= 500) {
            answers5xx += 1;
            finding(`answered ${answer.statusCode}`);
          }
        } catch (error) {
          finding(`no answer: ${(error as Error).message}`);
        }
        try {
          const health = await sendRawRequest(component.port, HEALTH, options);
          if (health.statusCode !== 200) {
            healthFailures += 1;
            finding(`GET /health after it: ${health.statusCode ?? 'no status line'}`);
          }
        } catch (error) {
          healthFailures += 1;
          finding(`GET /health after it: ${(error as Error).message}`);
        }
        if (!component.alive()) finding('the process exited');
      }
    }),
  );
  return { requests, answers5xx, answered, closedWithoutAnswer, healthFailures, findings };
}
