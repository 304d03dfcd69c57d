import type { Context } from './context';
import { UsageError } from './errors';

/** One option of a command, as `node:util` parseArgs takes it, with its help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's placeholder in the help, e.g. `<sql>`; string options only. */
  readonly placeholder?: string;
  readonly help: string;
}

/** The parsed command line a command runs with. */
export interface Invocation {
  /** The words after the command name (a subcommand, a query name, ...). */
  readonly positionals: readonly string[];
  /** The options' values by long name. */
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
}

/** A command of `uns-mlops`. */
export interface Command {
  readonly name: string;
  /** One line, shown in the list of commands. */
  readonly summary: string;
  /** The forms of the command line, each after `uns-mlops `. */
  readonly usage: readonly string[];
  /** What the command does, a few lines for its `--help`. */
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Runs the command; returns the exit code. */
  readonly run: (invocation: Invocation, context: Context) => Promise<number>;
}

/** The value of a string option, if given. */
export function stringOption(invocation: Invocation, name: string): string | undefined {
  const value = invocation.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether a boolean option was given. */
export function flag(invocation: Invocation, name: string): boolean {
  return invocation.values[name] === true;
}

/**
 * The value of an option that must be a positive whole number, or `fallback`.
 * @throws UsageError when it is anything else.
 */
export function countOption(invocation: Invocation, name: string, fallback: number): number {
  const text = stringOption(invocation, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(
      `--${name} must be a whole number above 0, not "${text}".`,
      `e.g. --${name} ${fallback}`,
    );
  }
  return value;
}
