/**
 * Sign-in with the Amazon Cognito hosted UI (OpenID Connect authorization code flow with PKCE,
 * through oidc-client-ts). Loaded only when `config.json` has `auth`.
 *
 * Renewal: when the access token nears its end (and after a 401), oidc-client-ts trades the
 * refresh token Cognito issues with the code for a new access token at the token endpoint (the
 * endpoint the code exchange already uses from the browser; Cognito keeps the refresh token, which
 * oidc-client-ts then keeps too). There is no iframe renewal: Cognito's hosted UI refuses to be
 * framed and knows no `prompt=none`, so no `silent_redirect_uri` is set. When the refresh token
 * fails (expired, revoked), the browser goes back to the hosted UI, which signs a user with a live
 * hosted UI session in without asking.
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { AuthConfig } from '../config';
import {
  afterSignInUrl,
  isSignInCallback,
  logoutUrl,
  maySignInAgain,
  redirectUri,
  userLabel,
} from './redirects';
import { SignInRequired, type Session } from './session';

/** `sessionStorage` key of when (epoch ms) the last redirect to the hosted UI started. */
const SIGN_IN_STARTED_AT = 'uns-dashboard:sign-in-started-at';

/** What starting the dashboard with sign-in came to. */
export type SignInOutcome =
  | { readonly kind: 'signed-in'; readonly session: Session }
  | {
      readonly kind: 'not-signed-in';
      /** Why, for the page. */
      readonly reason: string;
      /** Goes to the hosted UI (a button's action). */
      readonly signIn: () => void;
    };

/**
 * Finishes a sign-in the hosted UI sent the browser back from (then removes code and state from
 * the address and shows the route the user started from), or takes the signed-in user from
 * `sessionStorage`; with neither, sends the browser to the hosted UI (the promise then only
 * settles if the user comes back with the Back button, or the hosted UI cannot be reached).
 */
export async function startSession(auth: AuthConfig): Promise<SignInOutcome> {
  // The user (tokens) and the sign-in state (PKCE verifier) live in this tab only.
  const store = new WebStorageStateStore({ store: window.sessionStorage });
  const manager = new UserManager({
    authority: auth.authority,
    client_id: auth.clientId,
    redirect_uri: redirectUri(window.location),
    response_type: 'code',
    scope: auth.scope,
    userStore: store,
    stateStore: store,
    automaticSilentRenew: true,
  });
  const goSignIn = async (): Promise<SignInOutcome> => {
    try {
      window.sessionStorage.setItem(SIGN_IN_STARTED_AT, String(Date.now()));
      await manager.signinRedirect({ state: window.location.hash });
      return notSignedIn('You left the sign-in page before signing in.');
    } catch (error) {
      return notSignedIn(`The sign-in page could not be reached: ${reasonOf(error)}`);
    }
  };
  const notSignedIn = (reason: string): SignInOutcome => ({
    kind: 'not-signed-in',
    reason,
    signIn: () => void goSignIn(),
  });

  let user: User | null;
  if (isSignInCallback(window.location)) {
    try {
      user = await manager.signinRedirectCallback();
    } catch (error) {
      window.history.replaceState(null, '', afterSignInUrl(window.location, undefined));
      return notSignedIn(`Signing in failed: ${reasonOf(error)}`);
    }
    window.history.replaceState(null, '', afterSignInUrl(window.location, user.state));
  } else {
    user = await manager.getUser();
  }

  let renewal: Promise<User | null> | undefined;
  /** One refresh-token grant at a time, shared by every request that needs it; `null` if refused. */
  const renew = (): Promise<User | null> =>
    (renewal ??= manager
      .signinSilent()
      .catch(() => null)
      .finally(() => {
        renewal = undefined;
      }));
  const signInAgain = (reason: string): never => {
    const last = Number(window.sessionStorage.getItem(SIGN_IN_STARTED_AT));
    if (!maySignInAgain(last, Date.now())) {
      throw new SignInRequired(
        `${reason}, also right after signing in: reload the page to sign in again`,
      );
    }
    void goSignIn();
    throw new SignInRequired(`${reason}: signing in again…`);
  };

  if (user === null || user.expired === true) {
    user = user === null ? null : await renew();
    if (user === null) return goSignIn();
  }
  return {
    kind: 'signed-in',
    session: {
      userName: userLabel(user.profile),
      async accessToken() {
        const current = await manager.getUser();
        if (current !== null && current.expired !== true) return current.access_token;
        const renewed = await renew();
        return renewed?.access_token ?? signInAgain('Your sign-in has expired');
      },
      async renewRejectedToken() {
        if ((await renew()) === null) signInAgain('The compliance API refused your sign-in');
      },
      signInAgain,
      async signOut() {
        await manager.removeUser();
        window.location.assign(logoutUrl(auth, window.location.origin));
      },
    },
  };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
