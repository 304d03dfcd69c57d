/**
 * The dashboard built from the working tree's sources into a directory of the test's own, so the
 * test sees the code under test (not an older `dashboard/dist`).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

/** Runs the dashboard's Vite production build into `outDir`. */
export function buildDashboard(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'npm',
      ['run', '--silent', 'build', '-w', '@uns-mlops/dashboard', '--', '--outDir', outDir],
      { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`dashboard build failed (exit ${String(code)})`));
    });
  });
}
