/** `T`'s props named `K`, each with its default filled in: none is optional or `undefined`. */
export type WithDefaults<T, K extends keyof T> = { readonly [P in K]-?: NonNullable<T[P]> };

/**
 * The props of `given` that `defaults` names, each as given or, where `given` leaves it
 * `undefined`, as its default: the one place a construct's documented `@default`s are applied.
 */
export function withDefaults<T extends object, K extends keyof T>(
  given: T,
  defaults: WithDefaults<T, K>,
): WithDefaults<T, K> {
  return Object.fromEntries(
    Object.entries(defaults).map(([name, value]) => [name, given[name as K] ?? value]),
  ) as WithDefaults<T, K>;
}
