/** What the main thread sends a validation worker: one message, or an instruction. */
export type ValidationTask =
  | { readonly kind: 'message'; readonly topic: string; readonly payload: Uint8Array }
  /** Load these contract paths; messages after it are judged by them once loaded. */
  | { readonly kind: 'reload'; readonly contractPaths: readonly string[] };

/** The data each validation worker starts with. */
export interface ValidationWorkerData {
  readonly contractPaths: readonly string[];
}

/**
 * The key that decides which worker judges a message, so its order is kept where it matters:
 * Sparkplug B messages of one edge node (births, data, deaths of the node and its devices) share a
 * key, since their session rules are checked in order by one tracker; any other message is keyed
 * by its topic.
 */
export function orderingKey(topic: string): string {
  if (!topic.startsWith('spBv1.0/')) return topic;
  const levels = topic.split('/', 4);
  const [namespace, group, messageType, edgeNode] = levels;
  if (messageType === 'STATE' || edgeNode === undefined) return topic;
  return `${namespace}/${group}/${edgeNode}`;
}
