/**
 * Which verdict the validator gives each kind of hostile message: the light kinds of the fuzz
 * stream (seed 20, FUZZ_VERDICT_MESSAGES hostile messages, default 20,000; no broker) written as
 * a JSON Lines recording and judged by the validator's offline command
 * (`npx uns-validator validate`), then counted by kind and verdict. Prints one line per kind and
 * the table as JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../src/edge-components';
import { fuzzMessages } from '../src/hostile-messages';

const MESSAGES = Number(process.env.FUZZ_VERDICT_MESSAGES ?? 20_000);

function main(): void {
  const directory = mkdtempSync(join(tmpdir(), 'verdicts-by-kind-'));
  try {
    const kinds: string[] = [];
    const lines: string[] = [];
    const plan = { seed: 20, hostile: MESSAGES, valid: 0, publishers: 1 };
    for (const message of fuzzMessages({ ...plan, heavyBlockBytes: [], hugePayloadBytes: [] })) {
      kinds.push(message.kind);
      lines.push(
        JSON.stringify({ topic: message.topic, payloadBase64: message.payload.toString('base64') }),
      );
    }
    const input = join(directory, 'hostile.jsonl');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const run = spawnSync(
      'npx',
      ['--no', '--', 'uns-validator', 'validate', '--spec', 'asyncapi', '--input', input],
      { cwd: REPOSITORY_ROOT, encoding: 'utf8', maxBuffer: 1024 ** 3 },
    );
    if (run.status !== 0 && run.status !== 1) throw new Error(`validate failed: ${run.stderr}`);
    const table: Record<string, Record<string, number>> = {};
    for (const [i, line] of run.stdout.trim().split('\n').entries()) {
      const verdict = JSON.parse(line) as { valid: boolean; errors?: { kind: string }[] };
      const kind = kinds[i] ?? 'unknown';
      const outcome = verdict.valid ? 'valid' : (verdict.errors?.[0]?.kind ?? 'invalid');
      const row = (table[kind] ??= {});
      row[outcome] = (row[outcome] ?? 0) + 1;
    }
    for (const [kind, row] of Object.entries(table).sort()) {
      process.stdout.write(`${kind.padEnd(20)} ${JSON.stringify(row)}\n`);
    }
    process.stdout.write(
      `${JSON.stringify({ bench: 'fuzz-verdicts', messages: MESSAGES, table })}\n`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main();
