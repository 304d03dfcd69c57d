/**
 * The bundle's two archive forms, against real tools: the registry's model.tar.gz as the
 * pipeline's Python writes it (and tar variants Python's tarfile makes), and the component's
 * model-bundle.zip as Python's zipfile and Info-ZIP read it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readTarGz, zipFiles } from '../src/bundle-archive';
import { ROOT, registryArchives, shippedManifest, shippedModel } from './registry-bundles';

const PYTHON = join(ROOT, '.venv', 'bin', 'python');

/** Runs a Python snippet with `args`; returns what it printed. */
function python(code: string, ...args: string[]): string {
  return execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8' });
}

describe('readTarGz', () => {
  it("reads the bundle files of the pipeline's model.tar.gz byte for byte", async () => {
    const { shipped } = registryArchives({ shipped: shippedManifest() });
    const files = await readTarGz(shipped!);
    expect([...files.keys()].sort()).toEqual(['manifest.json', 'model.onnx']);
    expect(files.get('model.onnx')!.equals(shippedModel())).toBe(true);
    expect(JSON.parse(files.get('manifest.json')!.toString('utf8'))).toEqual(shippedManifest());
  });

  it.each([
    ['pax', 'PAX_FORMAT'],
    ['GNU', 'GNU_FORMAT'],
  ])(
    'reads long names from %s headers, leading ./ removed, and skips folders and links',
    async (_, format) => {
      const folder = mkdtempSync(join(tmpdir(), 'tar-'));
      const archive = join(folder, 'bundle.tar.gz');
      const longName = `./${'deep/'.repeat(30)}model.onnx`;
      python(
        `
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.${format}) as tar:
    for name, data in ((sys.argv[2], b"onnx"), ("./manifest.json", b"{}")):
        info = tarfile.TarInfo(name); info.size = len(data); tar.addfile(info, io.BytesIO(data))
    folder = tarfile.TarInfo("./deep"); folder.type = tarfile.DIRTYPE; tar.addfile(folder)
    link = tarfile.TarInfo("./link"); link.type = tarfile.SYMTYPE; link.linkname = "manifest.json"; tar.addfile(link)
`,
        archive,
        longName,
      );
      const files = await readTarGz(readFileSync(archive));
      expect(Object.fromEntries([...files].map(([name, data]) => [name, data.toString()]))).toEqual(
        { [longName.slice(2)]: 'onnx', 'manifest.json': '{}' },
      );
    },
  );

  it('refuses data that is no tar archive', async () => {
    await expect(readTarGz(Buffer.from('not gzip'))).rejects.toThrow(/incorrect header check/);
    await expect(readTarGz(gzipSync(Buffer.alloc(1024, 'x')))).rejects.toThrow(/not a tar archive/);
  });
});

describe('zipFiles', () => {
  const files = [
    { name: 'model.onnx', data: shippedModel() },
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(shippedManifest())) },
  ];

  it("is read by Python's zipfile with every file at its root, intact", () => {
    const zip = join(mkdtempSync(join(tmpdir(), 'zip-')), 'model-bundle.zip');
    writeFileSync(zip, zipFiles(files));
    const listing = JSON.parse(
      python(
        `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    print(json.dumps({"broken": archive.testzip(), "entries": [
        [i.filename, i.date_time[:3], oct(i.external_attr >> 16), hashlib.sha256(archive.read(i)).hexdigest()]
        for i in archive.infolist()]}))
`,
        zip,
      ),
    );
    const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(listing).toEqual({
      broken: null,
      entries: [
        ['manifest.json', [1980, 1, 1], '0o100644', sha256(files[1]!.data)],
        ['model.onnx', [1980, 1, 1], '0o100644', sha256(files[0]!.data)],
      ],
    });
    expect(execFileSync('unzip', ['-tq', zip], { encoding: 'utf8' })).toMatch(/No errors detected/);
  });

  it('gives the same bytes for the same files, in any order', () => {
    expect(zipFiles(files).equals(zipFiles([...files].reverse()))).toBe(true);
  });
});
