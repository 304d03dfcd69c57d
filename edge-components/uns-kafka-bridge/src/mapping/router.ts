import { TopicFilter } from './topic-filter';

/** One mapping rule: UNS topics matching `filter` go to Kafka `topic`, keyed by `key`. */
export interface Route {
  /** MQTT topic filter. */
  filter: string;
  /** Kafka topic name. */
  topic: string;
  /**
   * Record key template: `{n}` stands for level n (0-based) of the MQTT topic, e.g.
   * `{0}/{1}/{2}/{3}/{4}/{5}` for the ISA-95 asset path; `{topic}` for the whole topic.
   */
  key: string;
}

/** The mapping of UNS topics to Kafka (the `mapping` section of the configuration). */
export interface Mapping {
  /** First matching route wins. */
  readonly routes: readonly Route[];
  /** The dead-letter topic: where messages no route matches go. */
  readonly fallbackTopic: string;
  /** Topic filters of messages not forwarded at all; they win over the routes. */
  readonly exclude: readonly string[];
}

/** Dead-letter reason of a message no route matches. */
export const UNMAPPED = 'unmapped';

/** Where one UNS message goes in Kafka. */
export interface Destination {
  readonly topic: string;
  readonly key: string;
  /** Set when no route matched: the message goes to the dead letter, for this reason. */
  readonly deadLetterReason?: typeof UNMAPPED;
}

const PLACEHOLDER = /\{(\d+|topic)\}/g;

/** Kafka topic names: 1-249 of letters, digits, `.`, `_` and `-`. */
export const KAFKA_TOPIC_PATTERN = '^[A-Za-z0-9._-]{1,249}$';

interface CompiledRoute {
  readonly filter: TopicFilter;
  readonly topic: string;
  readonly key: (levels: readonly string[], topic: string) => string;
}

/** The cached answer for an excluded topic. */
const EXCLUDED = 'excluded';

/**
 * Maps UNS topics to Kafka topics and keys: an excluded topic is not forwarded; otherwise the
 * first route whose filter matches wins, and a topic no route matches goes to the dead-letter
 * (fallback) topic, keyed by the whole MQTT topic. Answers are cached per MQTT topic (a plant has
 * a bounded set of topics; the cache is bounded all the same, by entries and by the characters of
 * the topics and keys it holds: a client publishing on ever new 65 KB topics would otherwise grow
 * it to gigabytes).
 */
export class Router {
  private readonly routes: readonly CompiledRoute[];
  private readonly exclude: readonly TopicFilter[];
  private readonly fallbackTopic: string;
  private readonly cache = new Map<string, Destination | typeof EXCLUDED>();
  private characters = 0;

  /**
   * @param cacheSize most answers cached; the cache starts over when full.
   * @param cacheCharacters most characters of topics and keys cached (about 2 MB as one-byte
   *   strings); the cache starts over when they would exceed it.
   */
  constructor(
    mapping: Mapping,
    private readonly cacheSize = 100_000,
    private readonly cacheCharacters = 2_000_000,
  ) {
    const problems = Router.problems(mapping.routes);
    if (problems.length > 0) throw new Error(problems.join('; '));
    this.routes = mapping.routes.map((route) => ({
      filter: new TopicFilter(route.filter),
      topic: route.topic,
      key: compileTemplate(route.key),
    }));
    this.exclude = mapping.exclude.map((filter) => new TopicFilter(filter));
    this.fallbackTopic = mapping.fallbackTopic;
  }

  /** Problems of a route list: invalid filters, placeholders beyond the levels a filter fixes. */
  static problems(routes: readonly Route[]): string[] {
    const problems: string[] = [];
    for (const [index, route] of routes.entries()) {
      const filterProblem = TopicFilter.problem(route.filter);
      if (filterProblem !== undefined) {
        problems.push(`mapping.routes.${index}.filter ${filterProblem}`);
        continue;
      }
      const fixed = new TopicFilter(route.filter).fixedLevels;
      for (const [, level] of route.key.matchAll(PLACEHOLDER)) {
        if (level !== 'topic' && Number(level) >= fixed)
          problems.push(
            `mapping.routes.${index}.key uses {${level}}, but filter "${route.filter}" fixes only ${fixed} level(s)`,
          );
      }
    }
    return problems;
  }

  /** The destination of a message published on `topic`; undefined when it is excluded. */
  route(topic: string): Destination | undefined {
    let destination = this.cache.get(topic);
    if (destination === undefined) {
      destination = this.resolve(topic);
      const characters = topic.length + (destination === EXCLUDED ? 0 : destination.key.length);
      if (
        this.cache.size >= this.cacheSize ||
        this.characters + characters > this.cacheCharacters
      ) {
        this.cache.clear();
        this.characters = 0;
      }
      if (characters <= this.cacheCharacters) {
        this.cache.set(topic, destination);
        this.characters += characters;
      }
    }
    return destination === EXCLUDED ? undefined : destination;
  }

  /** Characters of the topics and keys cached now. */
  get cachedCharacters(): number {
    return this.characters;
  }

  private resolve(topic: string): Destination | typeof EXCLUDED {
    const levels = topic.split('/');
    if (this.exclude.some((filter) => filter.matches(levels))) return EXCLUDED;
    for (const route of this.routes) {
      if (route.filter.matches(levels))
        return { topic: route.topic, key: route.key(levels, topic) };
    }
    return { topic: this.fallbackTopic, key: topic, deadLetterReason: UNMAPPED };
  }
}

function compileTemplate(template: string): CompiledRoute['key'] {
  return (levels, topic) =>
    template.replace(PLACEHOLDER, (_, level: string) =>
      level === 'topic' ? topic : (levels[Number(level)] ?? ''),
    );
}
