/**
 * The bridge's HTTP port against malformed requests on raw sockets, running against a real Kafka
 * and Mosquitto: no answer is 5xx, and the process answers the next request.
 */
import { sendMalformedRequests, type MalformedRequestOutcome } from '@uns-mlops/test-services';
import type { BridgeService } from '../src/service/bridge-service';
import { bridgeConfig, get, startBridge, usePlant } from './harness';

const plant = usePlant();

describe('the bridge under malformed HTTP requests', () => {
  let bridge: BridgeService;
  let outcomes: MalformedRequestOutcome[];

  beforeAll(async () => {
    bridge = await startBridge(bridgeConfig(plant));
    outcomes = await sendMalformedRequests(bridge.httpPort);
  });

  afterAll(async () => {
    await bridge.stop();
  });

  it('answers none of them with 5xx', () => {
    expect(outcomes.filter((outcome) => (outcome.statusCode ?? 0) >= 500)).toEqual([]);
  });

  it('answers GET /health with 200 after each', () => {
    expect(outcomes.filter((outcome) => outcome.healthStatus !== 200)).toEqual([]);
  });

  it('is still ready', async () => {
    expect((await get(bridge.httpPort, '/ready')).status).toBe(200);
  });
});
