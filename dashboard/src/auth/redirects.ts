/**
 * The URLs of signing in and out with the Cognito hosted UI, as pure functions of the page's
 * location (no `window`, no oidc-client-ts), so they can be tested on their own.
 */
import type { AuthConfig } from '../config';
import { HOME_PAGE } from '../route';

/** The parts of `window.location` the sign-in needs. */
export interface PageLocation {
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}

/**
 * Where Cognito sends the browser back with the authorization code: the dashboard's own address
 * without query or fragment (`https://d123.cloudfront.net/`), which the app client must list as a
 * callback URL.
 */
export function redirectUri(location: Pick<PageLocation, 'origin' | 'pathname'>): string {
  return `${location.origin}${location.pathname}`;
}

/** Whether the address is Cognito's answer to a sign-in (`?code=…&state=…` or `?error=…&state=…`). */
export function isSignInCallback(location: Pick<PageLocation, 'search'>): boolean {
  const parameters = new URLSearchParams(location.search);
  return parameters.has('state') && (parameters.has('code') || parameters.has('error'));
}

/**
 * The dashboard route to come back to after signing in: the fragment of the page the user was on
 * (`#/facilities`), the home page when that was none. Only fragments: the value comes back from
 * storage and must never lead elsewhere.
 */
export function returnRoute(hash: unknown): string {
  return typeof hash === 'string' && /^#\/[^\s]*$/.test(hash) ? hash : `#/${HOME_PAGE}`;
}

/**
 * The address to show once the callback is handled: the code and state removed from the query,
 * the route the user started from restored.
 */
export function afterSignInUrl(location: PageLocation, route: unknown): string {
  return `${redirectUri(location)}${returnRoute(route)}`;
}

/**
 * Cognito's logout endpoint, which ends the hosted UI session and sends the browser to
 * `logout_uri` (the dashboard's origin; the app client must list it as a sign-out URL). Cognito's
 * discovery document has no `end_session_endpoint`, so oidc-client-ts cannot build this itself.
 */
export function logoutUrl(
  auth: Pick<AuthConfig, 'hostedUiDomain' | 'clientId'>,
  origin: string,
): string {
  const parameters = new URLSearchParams({ client_id: auth.clientId, logout_uri: `${origin}/` });
  return `${auth.hostedUiDomain}/logout?${parameters.toString()}`;
}

/** How the signed-in user is named in the header: e-mail, else user name, else subject. */
export function userLabel(profile: Readonly<Record<string, unknown>>): string {
  for (const claim of ['email', 'cognito:username', 'preferred_username', 'sub']) {
    const value = profile[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'signed-in user';
}

/**
 * Shortest time between two redirects to the hosted UI. Cognito signs a user with a live hosted UI
 * session in without asking, so an API that refuses every fresh token (a misconfigured authorizer)
 * would otherwise bounce the browser between the two forever.
 */
export const SIGN_IN_RETRY_MS = 60_000;

/** Whether a redirect to sign in may start now, given when the last one started (epoch ms). */
export function maySignInAgain(lastStartedAt: number | undefined, now: number): boolean {
  if (lastStartedAt === undefined || !Number.isFinite(lastStartedAt)) return true;
  // A start "in the future" is a clock that was set back: no reason to wait.
  return now < lastStartedAt || now - lastStartedAt >= SIGN_IN_RETRY_MS;
}
