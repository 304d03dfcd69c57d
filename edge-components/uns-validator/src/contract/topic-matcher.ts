/**
 * Resolves MQTT topics to AsyncAPI channel addresses with a trie over topic levels, so matching
 * costs O(levels) rather than O(channels).
 */

/** One level of a channel address: a literal, or a `{parameter}` filling the whole level. */
export type AddressLevel =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'parameter'; readonly name: string };

/** A channel whose address matches a topic, with the parameter values the topic carries. */
export interface TopicMatch<T> {
  readonly channel: T;
  /** Parameter name to the topic level it matched, e.g. `{ site: 'zwickau' }`. */
  readonly parameters: Record<string, string>;
  /** The rank the channel was added with (the contract's load order). */
  readonly rank: number;
}

interface Entry<T> {
  readonly channel: T;
  readonly parameterNames: readonly string[];
  readonly rank: number;
}

interface TrieNode<T> {
  readonly literals: Map<string, TrieNode<T>>;
  wildcard: TrieNode<T> | undefined;
  readonly entries: Entry<T>[];
}

const PARAMETER_LEVEL = /^\{([^{}]+)\}$/;

/**
 * Splits a channel address such as `{enterprise}/{site}/_validation` into levels.
 *
 * @throws Error when a parameter shares a level with other text (`line-{no}`): MQTT topics are
 *   matched level by level, so a parameter must occupy a whole level.
 */
export function parseAddress(address: string): AddressLevel[] {
  return address.split('/').map((level): AddressLevel => {
    const parameter = PARAMETER_LEVEL.exec(level);
    if (parameter?.[1] !== undefined) return { kind: 'parameter', name: parameter[1] };
    if (level.includes('{') || level.includes('}')) {
      throw new Error(
        `address '${address}': level '${level}' mixes a parameter with text; a parameter must fill a whole topic level`,
      );
    }
    return { kind: 'literal', value: level };
  });
}

function createNode<T>(): TrieNode<T> {
  return { literals: new Map(), wildcard: undefined, entries: [] };
}

/**
 * A trie of channel addresses. A `{parameter}` level matches any single topic level (including
 * an empty one; judging the value is the caller's job) and captures it.
 */
export class TopicMatcher<T> {
  readonly #root = createNode<T>();

  /**
   * Adds a channel under its address.
   *
   * @param rank orders candidates of different origin (lower first), e.g. the contract's load order.
   */
  add(address: string, channel: T, rank = 0): void {
    let node = this.#root;
    const parameterNames: string[] = [];
    for (const level of parseAddress(address)) {
      if (level.kind === 'parameter') {
        parameterNames.push(level.name);
        node.wildcard ??= createNode();
        node = node.wildcard;
      } else {
        let next = node.literals.get(level.value);
        if (next === undefined) {
          next = createNode();
          node.literals.set(level.value, next);
        }
        node = next;
      }
    }
    node.entries.push({ channel, parameterNames, rank });
  }

  /**
   * Every channel whose address matches `topic`, ordered by rank, then by specificity (at the
   * first level where two addresses differ, a literal level beats a parameter), then by the order
   * they were added. Empty when no address matches.
   */
  match(topic: string): TopicMatch<T>[] {
    const matches: TopicMatch<T>[] = [];
    collect(this.#root, topic.split('/'), 0, [], matches);
    if (matches.length > 1) matches.sort((a, b) => a.rank - b.rank);
    return matches;
  }
}

function collect<T>(
  node: TrieNode<T>,
  levels: readonly string[],
  depth: number,
  captured: string[],
  matches: TopicMatch<T>[],
): void {
  if (depth === levels.length) {
    for (const entry of node.entries) matches.push(toMatch(entry, captured));
    return;
  }
  const level = levels[depth] ?? '';
  const literal = node.literals.get(level);
  if (literal !== undefined) collect(literal, levels, depth + 1, captured, matches);
  if (node.wildcard !== undefined) {
    captured.push(level);
    collect(node.wildcard, levels, depth + 1, captured, matches);
    captured.pop();
  }
}

function toMatch<T>(entry: Entry<T>, captured: readonly string[]): TopicMatch<T> {
  const parameters: Record<string, string> = {};
  entry.parameterNames.forEach((name, index) => {
    parameters[name] = captured[index] ?? '';
  });
  return { channel: entry.channel, parameters, rank: entry.rank };
}
