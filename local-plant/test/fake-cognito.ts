/**
 * A stand-in for the Amazon Cognito user pool the hosted dashboard signs in with (the one AWS API
 * the browser test cannot reach), answering as Cognito does where the dashboard depends on it:
 *
 * - the discovery document under the authority (`<url>/<poolId>`), without `end_session_endpoint`;
 * - the hosted UI's `/oauth2/authorize`, which signs its one user in without a form and sends the
 *   browser back with a code (only for the registered callback URL, only with PKCE S256);
 * - `/oauth2/token`: the code for tokens (code verifier checked), and the refresh token for a new
 *   access token (answered, as Cognito does, without a new refresh token); CORS allowed;
 * - `/logout?client_id=…&logout_uri=…`, which sends the browser to the registered sign-out URL.
 *
 * Tokens are unsigned (oidc-client-ts does not check signatures; the API's JWT authorizer does,
 * and {@link FakeCognito.accepts} stands in for it).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The user the hosted UI signs in. */
export const FAKE_USER = { sub: 'd1e2f3a4-0000-4000-8000-000000000001', email: 'qa@example.com' };

/** The running stand-in. */
export interface FakeCognito {
  /** The hosted UI's origin (`hostedUiDomain`). */
  readonly url: string;
  /** The OpenID issuer (`authority`). */
  readonly authority: string;
  readonly clientId: string;
  /** Every request to the hosted UI and token endpoints, by path, with its parameters. */
  readonly requests: { path: string; parameters: URLSearchParams }[];
  /** Whether the API's authorizer would accept this `Authorization` header. */
  accepts(authorization: string | undefined): boolean;
  /** Makes every access token issued so far unacceptable (as if expired early). */
  rejectIssuedTokens(): void;
  close(): Promise<void>;
}

/**
 * Starts the stand-in on a free loopback port for one app client.
 *
 * @param options.callbackUrl the app client's callback and sign-out URL (the dashboard's origin
 *   followed by `/`).
 * @param options.accessTokenSeconds lifetime of an access token (`expires_in`).
 */
export async function startFakeCognito(options: {
  callbackUrl: string;
  accessTokenSeconds: number;
}): Promise<FakeCognito> {
  const clientId = 'dashboard-test-client';
  const poolId = 'eu-central-1_TestPool';
  const codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Set<string>();
  const requests: FakeCognito['requests'] = [];
  let url = '';

  const tokens = (scope: string, refresh: boolean) => {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + options.accessTokenSeconds;
    const accessToken = jwt({ sub: FAKE_USER.sub, client_id: clientId, scope, exp, iat: now });
    accessTokens.add(accessToken);
    const answer: Record<string, unknown> = {
      access_token: accessToken,
      id_token: jwt({ ...FAKE_USER, aud: clientId, iss: `${url}/${poolId}`, exp, iat: now }),
      token_type: 'Bearer',
      expires_in: options.accessTokenSeconds,
    };
    if (refresh) {
      const refreshToken = randomUUID();
      refreshTokens.add(refreshToken);
      answer.refresh_token = refreshToken;
    }
    return answer;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestUrl = new URL(req.url ?? '/', url);
    const path = requestUrl.pathname;
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-headers': 'content-type' }).end();
      return;
    }
    const parameters =
      req.method === 'POST' ? new URLSearchParams(await body(req)) : requestUrl.searchParams;
    requests.push({ path, parameters });
    if (path === `/${poolId}/.well-known/openid-configuration`) {
      json(res, 200, {
        issuer: `${url}/${poolId}`,
        authorization_endpoint: `${url}/oauth2/authorize`,
        token_endpoint: `${url}/oauth2/token`,
        userinfo_endpoint: `${url}/oauth2/userInfo`,
        jwks_uri: `${url}/${poolId}/.well-known/jwks.json`,
        response_types_supported: ['code', 'token'],
        scopes_supported: ['openid', 'email', 'phone', 'profile'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    } else if (path === '/oauth2/authorize') {
      const redirectUri = parameters.get('redirect_uri') ?? '';
      const state = parameters.get('state') ?? '';
      const challenge = parameters.get('code_challenge') ?? '';
      const valid =
        parameters.get('client_id') === clientId &&
        parameters.get('response_type') === 'code' &&
        redirectUri === options.callbackUrl &&
        parameters.get('code_challenge_method') === 'S256' &&
        challenge !== '' &&
        (parameters.get('scope') ?? '').split(' ').includes('openid');
      if (!valid) {
        json(res, 400, { error: 'invalid_request' });
        return;
      }
      const code = randomUUID();
      codes.set(code, { challenge, redirectUri, scope: parameters.get('scope') ?? '' });
      const back = new URL(redirectUri);
      back.search = new URLSearchParams({ code, state }).toString();
      res.writeHead(302, { location: back.toString() }).end();
    } else if (path === '/oauth2/token' && req.method === 'POST') {
      if (parameters.get('client_id') !== clientId) {
        json(res, 400, { error: 'invalid_client' });
      } else if (parameters.get('grant_type') === 'authorization_code') {
        const grant = codes.get(parameters.get('code') ?? '');
        codes.delete(parameters.get('code') ?? '');
        const verifier = parameters.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (
          grant === undefined ||
          grant.challenge !== challenge ||
          grant.redirectUri !== parameters.get('redirect_uri')
        ) {
          json(res, 400, { error: 'invalid_grant' });
        } else {
          json(res, 200, tokens(grant.scope, true));
        }
      } else if (parameters.get('grant_type') === 'refresh_token') {
        if (refreshTokens.has(parameters.get('refresh_token') ?? '')) {
          json(res, 200, tokens(parameters.get('scope') ?? 'openid', false));
        } else {
          json(res, 400, { error: 'invalid_grant' });
        }
      } else {
        json(res, 400, { error: 'unsupported_grant_type' });
      }
    } else if (path === '/logout') {
      const valid =
        parameters.get('client_id') === clientId &&
        parameters.get('logout_uri') === options.callbackUrl;
      if (valid) res.writeHead(302, { location: options.callbackUrl }).end();
      else json(res, 400, { error: 'invalid_request' });
    } else {
      json(res, 404, { error: 'not found' });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      json(res, 500, { error: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return {
    url,
    authority: `${url}/${poolId}`,
    clientId,
    requests,
    accepts: (authorization) =>
      authorization?.startsWith('Bearer ') === true &&
      accessTokens.has(authorization.slice('Bearer '.length)),
    rejectIssuedTokens: () => {
      accessTokens.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'fake', typ: 'JWT' })}.${part(claims)}.unsigned`;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
