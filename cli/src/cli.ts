import { parseArgs } from 'node:util';
import type { Command, Invocation, OptionSpec } from './command';
import { lakeCommand } from './commands/lake';
import { modelsCommand } from './commands/models';
import { plantConfigCommand } from './commands/plant-config';
import { queryCommand } from './commands/query';
import { statusCommand } from './commands/status';
import { resolveTarget, type Target } from './environment';
import { CliError, EXIT, explainAwsError, UsageError } from './errors';
import type { Io } from './io';

/** The commands of `uns-mlops`, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  statusCommand,
  modelsCommand,
  queryCommand,
  lakeCommand,
  plantConfigCommand,
];

const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  context: {
    type: 'string',
    short: 'c',
    multiple: true,
    placeholder: 'env=<name>',
    help: 'the environment of lib/config/environments.ts, as for `cdk deploy` (default: dev)',
  },
  region: {
    type: 'string',
    placeholder: '<region>',
    help: "call AWS in this region instead of the environment's",
  },
  json: { type: 'boolean', help: 'print one JSON document, for scripts, instead of text' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/**
 * Runs `uns-mlops` with the words after the program name; returns the exit code (see `EXIT`).
 * Errors are printed to standard error with their fix; nothing is thrown.
 */
export async function run(args: readonly string[], io: Io): Promise<number> {
  let target: Target | undefined;
  try {
    const name = commandName(args);
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? findCommand(commandArgs(args)[1]) : undefined;
      const asked = name === 'help' || args.includes('--help') || args.includes('-h');
      (asked ? io.stdout : io.stderr)(topic ? commandHelp(topic) : mainHelp());
      return asked ? EXIT.ok : EXIT.usage;
    }
    const command = findCommand(name);
    if (!command) {
      throw new UsageError(
        `Unknown command "${name}".`,
        `The commands are ${COMMANDS.map((c) => c.name).join(', ')}; run \`uns-mlops --help\`.`,
      );
    }
    const invocation = parse(command, args);
    if (invocation.values.help === true) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    const contexts = (invocation.values.context ?? []) as string[];
    const region = invocation.values.region as string | undefined;
    target = resolveTarget(contexts, region);
    return await command.run(invocation, { target, io, json: invocation.values.json === true });
  } catch (error) {
    const where = target && {
      environment: target.config.name,
      account: target.config.account,
      region: target.region,
    };
    return report(where ? explainAwsError(error, where) : error, io);
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof CliError) {
    io.stderr(`error: ${error.message}\n  fix: ${error.fix}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.stderr(`error: ${text}\n`);
  return EXIT.failure;
}

function findCommand(name: string | undefined): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}

/** The words of the command line that are not global options or their values. */
function commandArgs(args: readonly string[]): string[] {
  const { positionals } = parseArgs({
    args: [...args],
    options: parseOptions(GLOBAL_OPTIONS),
    strict: false,
    allowPositionals: true,
  });
  return positionals;
}

function commandName(args: readonly string[]): string | undefined {
  return commandArgs(args)[0];
}

function parse(command: Command, args: readonly string[]): Invocation {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: parseOptions({ ...GLOBAL_OPTIONS, ...command.options }),
      strict: true,
      allowPositionals: true,
    });
    return { values, positionals: positionals.slice(1) };
  } catch (error) {
    // parseArgs' errors carry ERR_PARSE_ARGS_* codes; they come from Node's realm, where
    // `instanceof` against this one's classes does not hold.
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (!(typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))) throw error;
    throw new UsageError(
      String(message),
      `Run \`uns-mlops ${command.name} --help\` for its options.`,
    );
  }
}

function parseOptions(specs: Readonly<Record<string, OptionSpec>>) {
  return Object.fromEntries(
    Object.entries(specs).map(([name, { type, short, multiple }]) => [
      name,
      { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) },
    ]),
  );
}

function optionLines(specs: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const long =
      name === 'context' ? '' : `--${name}${spec.placeholder ? ` ${spec.placeholder}` : ''}`;
    const short = spec.short
      ? `-${spec.short}${name === 'context' ? ` ${spec.placeholder ?? ''}` : ','}`
      : '';
    return [[short, long].filter(Boolean).join(' '), spec.help] as const;
  });
  const width = Math.max(...rows.map(([flags]) => flags.length));
  return rows.map(([flags, help]) => `  ${flags.padEnd(width)}  ${help}`);
}

const FOOTER = [
  'Credentials come from the default AWS credential chain (AWS_PROFILE, SSO, environment variables,',
  'instance roles). Exit codes: 0 done, 1 failed (or `status` found something red, `lake grants` a',
  'difference), 2 wrong command line.',
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    "uns-mlops: the operator's command line of a deployed uns-mlops environment",
    '',
    'Usage: uns-mlops <command> [options] [-c env=<name>] [--region <region>] [--json]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    ...FOOTER,
    'Run `uns-mlops <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const own = Object.keys(command.options).length > 0;
  return [
    `uns-mlops ${command.name}: ${command.summary}`,
    '',
    'Usage:',
    ...command.usage.map((usage) => `  uns-mlops ${usage}`),
    '',
    command.description,
    '',
    ...(own ? ['Options:', ...optionLines(command.options), ''] : []),
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    ...FOOTER,
    '',
  ].join('\n');
}
