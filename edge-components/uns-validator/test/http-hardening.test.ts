/**
 * The validator's HTTP port against malformed requests on raw sockets and bad query parameters,
 * running on a real Mosquitto broker with its embedded store: no answer is 5xx, the process
 * answers the next request, and a bad parameter is a 400 naming it before it reaches SQL.
 */
import {
  MALFORMED_QUERY_PARAMETERS,
  sendMalformedRequests,
  type MalformedRequestOutcome,
} from '@uns-mlops/test-services';
import {
  TELEMETRY_TOPIC,
  startValidator,
  telemetryBlock,
  testConfig,
  useTestPlant,
  type RunningValidator,
} from './service/harness';

const plant = useTestPlant();

describe('the validator under malformed HTTP requests', () => {
  let validator: RunningValidator;
  let outcomes: MalformedRequestOutcome[];

  beforeAll(async () => {
    validator = await startValidator(testConfig(plant.broker.url));
    outcomes = await sendMalformedRequests(validator.service.httpPort);
  }, 120_000);

  afterAll(async () => {
    await validator.service.stop();
  });

  it('answers none of them with 5xx', () => {
    expect(outcomes.filter((outcome) => (outcome.statusCode ?? 0) >= 500)).toEqual([]);
  });

  it('answers GET /health with 200 after each', () => {
    expect(outcomes.filter((outcome) => outcome.healthStatus !== 200)).toEqual([]);
  });

  it.each(MALFORMED_QUERY_PARAMETERS.filter(({ target }) => target.includes('/compliance/')))(
    'refuses $name with 400 and the parameter at fault',
    async ({ target, parameter }) => {
      const answer = await validator.get(target);

      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(`^${parameter} `) });
    },
  );

  it('still judges messages', async () => {
    validator.verdicts.length = 0;
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));

    const [judged] = await validator.waitForVerdicts(1);
    expect(judged?.verdict.valid).toBe(true);
  });
});
