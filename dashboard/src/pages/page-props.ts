import type { ApiClient } from '../api/client';

/** What every page is given by the app. */
export interface PageProps {
  readonly client: ApiClient;
  /** Milliseconds between two refreshes of the page's data. */
  readonly refreshMs: number;
  /** The site chosen in the header (from the URL); `undefined` is every site the caller may read. */
  readonly site: string | undefined;
  /**
   * The sites the caller may read, alphabetical; `undefined` until the API has answered, empty
   * when it has none to list (or could not say).
   */
  readonly sites: readonly string[] | undefined;
}
