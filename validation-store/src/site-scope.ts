/**
 * Which sites a reader of the store may see. Every compliance read takes one, so that the cloud's
 * API can limit a caller to the sites its groups allow with the same SQL the edge runs over
 * {@link EVERY_SITE}.
 */

/** Every site the store holds (the edge validator's own plant; the cloud's quality team). */
export const EVERY_SITE = 'every-site';

/** {@link EVERY_SITE}, or the only sites a reader may see (none, one or several). */
export type SiteScope = typeof EVERY_SITE | readonly string[];

/** Whether `scope` lets its reader see `site`. */
export function allowsSite(scope: SiteScope, site: string): boolean {
  return scope === EVERY_SITE || scope.includes(site);
}

/** A request naming a site its caller may not read: answered with HTTP 403 and the message. */
export class ForbiddenError extends Error {}

/** A request for something the store does not hold: answered with HTTP 404 and the message. */
export class NotFoundError extends Error {}
