import { DEFAULT_CONFIG, DEFAULT_SCOPE, parseConfig } from '../src/config';

const COGNITO = {
  authority: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123',
  clientId: '4example5client6id',
  hostedUiDomain: 'https://uns-dev.auth.eu-central-1.amazoncognito.com',
  scope: 'openid email profile',
};

describe('parseConfig', () => {
  it('gives the local plant its defaults: same origin, every 5 s, no sign-in', () => {
    expect(parseConfig({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toEqual({
      complianceApiBase: '',
      anomalyApiBase: '',
      refreshSeconds: 5,
      auth: undefined,
    });
  });

  it('reads the file a cloud deployment writes, with no anomaly API', () => {
    expect(
      parseConfig({
        complianceApiBase: 'https://api.example.com/',
        anomalyApiBase: null,
        refreshSeconds: 30,
        auth: COGNITO,
      }),
    ).toEqual({
      complianceApiBase: 'https://api.example.com',
      anomalyApiBase: null,
      refreshSeconds: 30,
      auth: COGNITO,
    });
  });

  it('trims trailing slashes from the API bases and the identity URLs', () => {
    const config = parseConfig({
      anomalyApiBase: 'http://127.0.0.1:9465//',
      auth: {
        ...COGNITO,
        authority: `${COGNITO.authority}/`,
        hostedUiDomain: `${COGNITO.hostedUiDomain}/`,
      },
    });
    expect(config.anomalyApiBase).toBe('http://127.0.0.1:9465');
    expect(config.auth?.authority).toBe(COGNITO.authority);
    expect(config.auth?.hostedUiDomain).toBe(COGNITO.hostedUiDomain);
  });

  it('asks for openid, email and profile when auth has no scope', () => {
    const withoutScope = { ...COGNITO, scope: undefined };
    expect(parseConfig({ auth: withoutScope }).auth?.scope).toBe(DEFAULT_SCOPE);
  });

  it('treats auth: null as no sign-in', () => {
    expect(parseConfig({ auth: null }).auth).toBeUndefined();
  });

  it('lists every problem of the file in one error', () => {
    expect(() =>
      parseConfig({
        complianceApiBase: null,
        anomalyApiBase: 42,
        refreshSeconds: 0,
        auth: {
          authority: 'http://cognito-idp.eu-central-1.amazonaws.com/pool',
          clientID: 'typo',
          hostedUiDomain: 'not a url',
          scope: 'email',
        },
      }),
    ).toThrow(
      'config.json: complianceApiBase must be a string; anomalyApiBase must be a string or null; ' +
        'refreshSeconds must be a number of at least 1; ' +
        'auth.clientID is not a setting (expected authority, clientId, hostedUiDomain, scope); ' +
        'auth.authority must be an https:// URL (http:// only on localhost), not http://cognito-idp.eu-central-1.amazonaws.com/pool; ' +
        'auth.clientId must be a non-empty string; ' +
        'auth.hostedUiDomain must be an https:// URL (http:// only on localhost), not not a url; ' +
        'auth.scope must include openid, not "email"',
    );
  });

  it('accepts http:// identity URLs on the loopback only (a development identity provider)', () => {
    const local = {
      ...COGNITO,
      authority: 'http://127.0.0.1:8443/pool',
      hostedUiDomain: 'http://localhost:8443',
    };
    expect(parseConfig({ auth: local }).auth).toEqual(local);
  });

  it('rejects a file that is not an object, and an auth that is not one', () => {
    expect(() => parseConfig([])).toThrow('config.json: must hold a JSON object');
    expect(() => parseConfig({ auth: 'cognito' })).toThrow(
      'config.json: auth must be an object (or left out for no sign-in)',
    );
  });
});
