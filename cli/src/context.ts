import type { Target } from './environment';
import type { Io } from './io';

/** What every command runs with. */
export interface Context {
  readonly target: Target;
  readonly io: Io;
  /** `--json`: one JSON document on standard output instead of text for people. */
  readonly json: boolean;
}

/** Prints the command's result: `value` as JSON with `--json`, else the human text. */
export function printResult(context: Context, human: () => string, value: unknown): void {
  context.io.stdout(context.json ? `${JSON.stringify(value, null, 2)}\n` : human());
}

/** Shows a transient progress line on standard error, only on a terminal and never with `--json`. */
export function progress(context: Context, text: string): void {
  if (context.io.stderrIsTty && !context.json) context.io.stderr(`\r\x1b[2K${text}`);
}

/** Clears the progress line. */
export function endProgress(context: Context): void {
  if (context.io.stderrIsTty && !context.json) context.io.stderr('\r\x1b[2K');
}
