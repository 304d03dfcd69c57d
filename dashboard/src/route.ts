/**
 * The dashboard's address lives in the URL fragment (`#/overview?site=plant-a`), so any static
 * host can serve it and a link shows the same page of the same site to whoever opens it.
 */

/** A page and the site it looks at. */
export interface Route {
  /** The page's path, e.g. `overview`; `overview` when the fragment names none. */
  readonly page: string;
  /** The chosen site; `undefined` is every site the caller may read. */
  readonly site: string | undefined;
}

/** The page shown when the fragment names none. */
export const HOME_PAGE = 'overview';

/** `#/violations?site=plant-a` → `{ page: 'violations', site: 'plant-a' }`. */
export function parseRoute(hash: string): Route {
  const fragment = hash.replace(/^#\/?/, '');
  const question = fragment.indexOf('?');
  const page = question === -1 ? fragment : fragment.slice(0, question);
  const site =
    question === -1 ? null : new URLSearchParams(fragment.slice(question + 1)).get('site');
  return {
    page: page === '' ? HOME_PAGE : page,
    site: site === null || site === '' ? undefined : site,
  };
}

/** The fragment of a route: `{ page: 'overview', site: 'a b' }` → `#/overview?site=a+b`. */
export function routeHref({ page, site }: Route): string {
  return site === undefined ? `#/${page}` : `#/${page}?${new URLSearchParams({ site }).toString()}`;
}
