import type { ContractDescription } from '../contract/model';
import type { EdgeNodeSnapshot } from '../sparkplug';
import type { JudgingLimits } from '../validate/validate-message';

/** What the main thread sends a validation worker: one message, or an instruction. */
export type ValidationTask =
  | { readonly kind: 'message'; readonly topic: string; readonly payload: Uint8Array }
  /** A message whose payload is larger than any channel accepts: only its size travels. */
  | { readonly kind: 'withheld'; readonly topic: string; readonly byteLength: number }
  /** Judge the messages after this one by these contracts. */
  | { readonly kind: 'reload'; readonly contracts: readonly ContractDescription[] }
  /** Hand over every Sparkplug session (answered with them): the dispatcher moves edge nodes. */
  | { readonly kind: 'take-sessions' }
  /** Adopt these Sparkplug sessions: their edge nodes are routed here from now on. */
  | { readonly kind: 'adopt-sessions'; readonly sessions: readonly EdgeNodeSnapshot[] }
  /** Answered once the worker is up: the service waits for it before it subscribes. */
  | { readonly kind: 'ping' };

/**
 * The data each validation worker starts with: the contracts as parsed by the main thread, so
 * workers only compile schemas and never load the AsyncAPI parser (faster start, far less memory).
 */
export interface ValidationWorkerData {
  readonly contracts: readonly ContractDescription[];
  readonly limits: JudgingLimits;
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
