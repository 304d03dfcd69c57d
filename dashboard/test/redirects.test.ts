import {
  SIGN_IN_RETRY_MS,
  afterSignInUrl,
  isSignInCallback,
  logoutUrl,
  maySignInAgain,
  redirectUri,
  returnRoute,
  userLabel,
} from '../src/auth/redirects';

const HOSTED = {
  origin: 'https://d111111abcdef8.cloudfront.net',
  pathname: '/',
  search: '',
  hash: '#/facilities',
};

describe('sign-in redirects', () => {
  it('comes back to the dashboard itself, without query or fragment', () => {
    expect(redirectUri({ ...HOSTED, pathname: '/index.html' })).toBe(
      'https://d111111abcdef8.cloudfront.net/index.html',
    );
  });

  it('recognises the hosted UI sending a code or an error back', () => {
    expect(isSignInCallback({ search: '?code=abc&state=xyz' })).toBe(true);
    expect(isSignInCallback({ search: '?error=access_denied&state=xyz' })).toBe(true);
    expect(isSignInCallback({ search: '' })).toBe(false);
    expect(isSignInCallback({ search: '?code=abc' })).toBe(false);
  });

  it('removes code and state and restores the route the user started from', () => {
    const callback = { ...HOSTED, search: '?code=abc&state=xyz', hash: '' };
    expect(afterSignInUrl(callback, '#/facilities?site=plant-a')).toBe(
      'https://d111111abcdef8.cloudfront.net/#/facilities?site=plant-a',
    );
    expect(afterSignInUrl(callback, undefined)).toBe(
      'https://d111111abcdef8.cloudfront.net/#/overview',
    );
  });

  it('returns only to a route of the dashboard, never to an address', () => {
    for (const stored of ['https://evil.example/', '//evil.example', '#x', '#/a b', 42, null]) {
      expect(returnRoute(stored)).toBe('#/overview');
    }
    expect(returnRoute('#/contracts?site=plant-b')).toBe('#/contracts?site=plant-b');
  });

  it("signs out at Cognito's logout endpoint, back to the dashboard's origin", () => {
    const url = new URL(
      logoutUrl(
        {
          hostedUiDomain: 'https://uns-dev.auth.eu-central-1.amazoncognito.com',
          clientId: 'abc 123',
        },
        HOSTED.origin,
      ),
    );
    expect(url.origin + url.pathname).toBe(
      'https://uns-dev.auth.eu-central-1.amazoncognito.com/logout',
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'abc 123',
      logout_uri: 'https://d111111abcdef8.cloudfront.net/',
    });
  });

  it('names the user by e-mail, else by Cognito user name, else by subject', () => {
    expect(userLabel({ sub: 's-1', 'cognito:username': 'qa-lead', email: 'qa@example.com' })).toBe(
      'qa@example.com',
    );
    expect(userLabel({ sub: 's-1', 'cognito:username': 'qa-lead' })).toBe('qa-lead');
    expect(userLabel({ sub: 's-1' })).toBe('s-1');
  });

  it('sends the browser to sign in again at most once a minute, so a refused token cannot loop', () => {
    const now = 1_900_000_000_000;
    expect(maySignInAgain(undefined, now)).toBe(true);
    expect(maySignInAgain(Number.NaN, now)).toBe(true);
    expect(maySignInAgain(now - 5_000, now)).toBe(false);
    expect(maySignInAgain(now - SIGN_IN_RETRY_MS, now)).toBe(true);
    expect(maySignInAgain(now + 5_000, now)).toBe(true);
  });
});
