import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs `script` (TypeScript, importing `runMain` as `lifecycle`) in a child process. */
function runScript(script: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--eval',
      `const lifecycle = require(${JSON.stringify(LIFECYCLE)});\n${script}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      resolve({ code, stderr });
    }),
  );
}

const LIFECYCLE = join(__dirname, '..', 'src', 'process-lifecycle.ts');

describe('runMain', () => {
  it('exits with the code main resolves to', async () => {
    expect(await runScript('lifecycle.runMain(async () => 3);')).toEqual({ code: 3, stderr: '' });
  });

  it('ends the process with code 2 and the message when main fails, though a server still listens', async () => {
    const run = await runScript(`
      const server = require('node:net').createServer().listen(0, '127.0.0.1');
      lifecycle.runMain(async () => { await new Promise((r) => server.once('listening', r)); throw new Error('port taken'); });
    `);
    expect(run).toEqual({ code: 2, stderr: 'port taken\n' });
  });
});
