/** Regular expressions of a contract that a payload could make run for minutes. */
import isSafeRegex from 'safe-regex2';

/**
 * The regular expressions in `schemas` (`pattern` values and `patternProperties` keys, at any
 * depth) that may backtrack catastrophically: those `safe-regex2` rejects (star height above 1, or
 * too many repetitions), and those that do not compile. Judging a value against one of them can
 * take minutes, so messages of such a channel are only judged on a worker thread, where the stall
 * watchdog can stop it.
 */
export function backtrackingPatterns(schemas: readonly unknown[]): string[] {
  const found = new Set<string>();
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'pattern' && typeof value === 'string') check(value);
      if (key === 'patternProperties' && typeof value === 'object' && value !== null) {
        for (const pattern of Object.keys(value)) check(pattern);
      }
      visit(value);
    }
  };
  const check = (pattern: string): void => {
    if (!isSafeRegex(pattern)) found.add(pattern);
  };
  for (const schema of schemas) visit(schema);
  return [...found];
}
