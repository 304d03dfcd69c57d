import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAppFor } from './app';

/** Synthesizes the app for one environment into a fresh directory; returns its template paths. */
export function synthTemplates(environmentName: string): string[] {
  const outdir = mkdtempSync(join(tmpdir(), `uns-mlops-${environmentName}-`));
  buildAppFor(environmentName, { outdir }).app.synth();
  return readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => join(outdir, file));
}
