/**
 * A signed-in user, as the API client and the header see it. Only `cognito-session.ts` (loaded
 * when `config.json` has `auth`) creates one, so without sign-in no oidc code is even loaded.
 */
export interface Session {
  /** How the user is named in the header (e-mail, else user name). */
  readonly userName: string;
  /**
   * The access token to send as `Authorization: Bearer …`, renewed first when it has expired.
   *
   * @throws {SignInRequired} when it could not be renewed (a redirect to sign in has started, or
   *   was refused to avoid a loop).
   */
  accessToken(): Promise<string>;
  /**
   * The API answered 401 to the current token: renews it (refresh token), else signs in again.
   *
   * @throws {SignInRequired} when no new token could be had without leaving the page.
   */
  renewRejectedToken(): Promise<void>;
  /**
   * A renewed token was refused too: sends the browser to sign in again (unless a sign-in started
   * less than a minute ago, which would only loop).
   *
   * @throws {SignInRequired} always, saying which of the two happened.
   */
  signInAgain(reason: string): never;
  /** Forgets the user here, then ends the hosted UI session (the browser leaves the page). */
  signOut(): Promise<void>;
}

/** No usable token: the browser is on its way to sign in, or must be sent there by the user. */
export class SignInRequired extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInRequired';
  }
}
