import { createInterface } from 'node:readline/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * What a command may do to the outside world besides AWS calls: print, ask, wait. The process
 * provides the real one ({@link processIo}); tests pass a recording one.
 */
export interface Io {
  /** Writes `text` (ending lines included) to standard output: results, for people or scripts. */
  readonly stdout: (text: string) => void;
  /** Writes `text` to standard error: progress, warnings, errors. */
  readonly stderr: (text: string) => void;
  /** Whether standard error is a terminal: progress is shown only there. */
  readonly stderrIsTty: boolean;
  /** Whether a person can answer on standard input: otherwise nothing is asked. */
  readonly stdinIsTty: boolean;
  /** Asks a question on standard error and returns the line typed in reply. */
  readonly ask: (question: string) => Promise<string>;
  /** Waits `ms` milliseconds (between polls of a long-running AWS operation). */
  readonly sleep: (ms: number) => Promise<void>;
  /** The current time in milliseconds since the epoch. */
  readonly now: () => number;
}

/** The {@link Io} of this process: its standard streams, its terminal and the real clock. */
export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY,
    stdinIsTty: process.stdin.isTTY,
    ask: async (question) => {
      const reader = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await reader.question(question);
      } finally {
        reader.close();
      }
    },
    sleep: (ms) => delay(ms),
    now: () => Date.now(),
  };
}
