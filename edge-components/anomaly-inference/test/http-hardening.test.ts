/**
 * The inference runtime's HTTP port against malformed requests on raw sockets and bad query
 * parameters, running on a real Mosquitto broker with the fixture model: no answer is 5xx, the
 * process answers the next request, and a bad parameter is a 400 naming it.
 */
import {
  MALFORMED_QUERY_PARAMETERS,
  sendMalformedRequests,
  type MalformedRequestOutcome,
} from '@uns-mlops/test-services';
import { bundleCopy, testConfig, useRuntime } from './support/harness';

const runtime = useRuntime((brokerUrl) => testConfig(brokerUrl, bundleCopy()));

describe('the inference runtime under malformed HTTP requests', () => {
  let outcomes: MalformedRequestOutcome[];

  beforeAll(async () => {
    outcomes = await sendMalformedRequests(runtime.service.httpPort);
  }, 120_000);

  it('answers none of them with 5xx', () => {
    expect(outcomes.filter((outcome) => (outcome.statusCode ?? 0) >= 500)).toEqual([]);
  });

  it('answers GET /health with 200 after each', () => {
    expect(outcomes.filter((outcome) => outcome.healthStatus !== 200)).toEqual([]);
  });

  it.each(MALFORMED_QUERY_PARAMETERS.filter(({ target }) => target.includes('/anomalies/')))(
    'refuses $name with 400 and the parameter at fault',
    async ({ target, parameter }) => {
      const answer = await runtime.get(target);

      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(`^${parameter} `) });
    },
  );

  it('is still ready', async () => {
    expect((await runtime.get('/ready')).status).toBe(200);
  });
});
