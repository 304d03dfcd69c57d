/** One page of a paginated AWS list call, reduced to its items and continuation token. */
export interface Page<T> {
  readonly items: readonly T[] | undefined;
  readonly nextToken: string | undefined;
}

/**
 * Collects the items of every page of a paginated list call, following the continuation token
 * until a page comes without one. Each call gets a fresh input (the SDK paginators reuse and
 * mutate one input object).
 */
export async function collectPages<T>(
  fetchPage: (nextToken: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetchPage(nextToken);
    items.push(...(page.items ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}
