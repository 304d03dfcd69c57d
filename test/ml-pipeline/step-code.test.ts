import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetStaging, FileAssetPackaging, Stack } from 'aws-cdk-lib';
import { StepCode } from '../../lib/ml-pipeline';
import { deterministicTarGz } from '../../lib/ml-pipeline/tarball';
import { newApp } from '../support/app';
import { stepCodeFixture } from './support';

const ENTRY_SCRIPTS = ['preprocess.py', 'train.py', 'evaluate.py'];

function stepCodeIn(directory: string): {
  stepCode: StepCode;
  staging: AssetStaging;
  staged: Buffer;
} {
  const app = newApp({ outdir: mkdtempSync(join(tmpdir(), 'step-code-out-')) });
  const stepCode = new StepCode(new Stack(app, 'Stack'), 'StepCode', {
    directory,
    entryScripts: ENTRY_SCRIPTS,
  });
  // Assets are staged (bundled) while the construct is built, before synthesis.
  const staging = stepCode.asset.node.findChild('Stage');
  if (!(staging instanceof AssetStaging)) throw new Error('the asset has no staging');
  const staged = readFileSync(staging.absoluteStagedPath);
  return { stepCode, staging, staged };
}

function listing(tarball: Buffer): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'tarball-')), 'sourcedir.tar.gz');
  writeFileSync(file, tarball);
  return execFileSync('tar', ['-tzvf', file, '--numeric-owner', '--full-time'], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  })
    .trim()
    .split('\n');
}

describe('step code asset', () => {
  it('is the same tarball, byte for byte and by asset hash, when built twice', () => {
    const directory = stepCodeFixture();
    const first = stepCodeIn(directory);
    const second = stepCodeIn(directory);
    expect(second.stepCode.asset.assetHash).toBe(first.stepCode.asset.assetHash);
    expect(second.staged.equals(first.staged)).toBe(true);
  });

  it('does not depend on file times or where the directory lies', () => {
    const a = stepCodeFixture();
    const b = stepCodeFixture(); // same files, written later, in another directory
    expect(deterministicTarGz(b).equals(deterministicTarGz(a))).toBe(true);
  });

  it('changes its hash when the code changes', () => {
    const directory = stepCodeFixture();
    const before = stepCodeIn(directory).stepCode.asset.assetHash;
    writeFileSync(join(directory, 'train.py'), 'print("changed")\n');
    expect(stepCodeIn(directory).stepCode.asset.assetHash).not.toBe(before);
  });

  it('is uploaded as the gzip tarball itself, with the entry scripts at its root', () => {
    const { stepCode, staging, staged } = stepCodeIn(stepCodeFixture());
    expect(stepCode.fileName).toBe(`${stepCode.asset.assetHash}.gz`);
    // CDK uploads a FILE asset unchanged (a directory would be zipped).
    expect(staging.packaging).toBe(FileAssetPackaging.FILE);
    expect([...staged.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const names = listing(staged).map((line) => line.split(/\s+/).at(-1));
    expect(names).toEqual([
      'evaluate.py',
      'preprocess.py',
      'train.py',
      'uns_anomaly/__init__.py',
      'uns_anomaly/model.py',
    ]);
  });

  it('leaves out caches, compiled files and tests', () => {
    const names = listing(
      deterministicTarGz(stepCodeFixture(), {
        excludeNames: ['__pycache__', 'tests'],
        excludeSuffixes: ['.pyc'],
      }),
    ).join('\n');
    expect(names).not.toMatch(/__pycache__|\.pyc|tests\//);
  });

  it('stores owner 0/0, mode 0644 and one fixed time for every entry, and no gzip time stamp', () => {
    const tarball = deterministicTarGz(stepCodeFixture());
    for (const line of listing(tarball)) {
      expect(line).toMatch(/^-rw-r--r-- 0\/0 .* 1980-01-01 00:00:00 /);
    }
    expect(tarball.readUInt32LE(4)).toBe(0); // gzip MTIME
    expect(tarball[9]).toBe(255); // gzip OS: unknown
  });

  it('names every missing entry script', () => {
    const directory = stepCodeFixture();
    rmSync(join(directory, 'train.py'));
    rmSync(join(directory, 'evaluate.py'));
    expect(() => stepCodeIn(directory)).toThrow(/lacks the entry scripts train\.py, evaluate\.py/);
  });

  it('rejects a missing directory and a symbolic link', () => {
    expect(() => stepCodeIn(join(tmpdir(), 'no-such-step-code'))).toThrow(/does not exist/);
    const directory = stepCodeFixture();
    symlinkSync('/etc/hostname', join(directory, 'link.txt'));
    expect(() => deterministicTarGz(directory)).toThrow(/neither a regular file nor a directory/);
  });
});
