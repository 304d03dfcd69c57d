import {
  checkConfigurationUpdates,
  configurationProblems,
  onGreengrass,
} from '../src/greengrass-configuration';
import { ConfigError } from '../src/layered-config';

const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };

describe('onGreengrass', () => {
  it('knows a Greengrass component by its IPC socket and token', () => {
    const socket = '/greengrass/v2/ipc.socket';
    expect(
      onGreengrass({ AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: socket, SVCUID: 'x' }),
    ).toBe(true);
    expect(onGreengrass({ AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: socket })).toBe(
      false,
    );
    expect(onGreengrass({})).toBe(false);
  });
});

describe('configurationProblems', () => {
  it('lists the problems of a configuration error, the message of any other, none on success', () => {
    const invalid = () => {
      throw new ConfigError('demo', ['pool.workers must be >= 1', 'http.port must be <= 65535']);
    };
    expect(configurationProblems(invalid)).toEqual([
      'pool.workers must be >= 1',
      'http.port must be <= 65535',
    ]);
    expect(
      configurationProblems(() => {
        throw new Error('contract not found');
      }),
    ).toEqual(['contract not found']);
    expect(configurationProblems(() => ({}))).toEqual([]);
  });
});

describe('checkConfigurationUpdates', () => {
  it('does nothing off Greengrass', async () => {
    const problemsOf = jest.fn(() => []);
    expect(await checkConfigurationUpdates(problemsOf, logger)).toBeUndefined();
    expect(problemsOf).not.toHaveBeenCalled();
  });
});
