import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { basename, join } from 'node:path';

/** The model bundles of the local plant on disk, and which one serves and which one is in shadow. */
export interface ModelStoreLayout {
  /** `<dataDir>/models/<modelVersion>/`: every bundle the plant trained, by version. */
  readonly versionsDir: string;
  /** `<dataDir>/model`: a link to the serving bundle (the inference runtime's `model.dir`). */
  readonly servingLink: string;
  /** `<dataDir>/model-shadow`: a link to the candidate in shadow, absent when there is none. */
  readonly shadowLink: string;
}

/** The layout below `dataDir`. */
export function modelStoreLayout(dataDir: string): ModelStoreLayout {
  return {
    versionsDir: join(dataDir, 'models'),
    servingLink: join(dataDir, 'model'),
    shadowLink: join(dataDir, 'model-shadow'),
  };
}

/** The `modelVersion` of the bundle in `bundleDir`. */
export function bundleVersion(bundleDir: string): string {
  const manifest = JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8')) as {
    modelVersion?: unknown;
  };
  if (typeof manifest.modelVersion !== 'string') {
    throw new Error(`${bundleDir}/manifest.json has no modelVersion`);
  }
  return manifest.modelVersion;
}

/**
 * Points `link` at `target` in one rename, so a reader (the runtime's bundle watcher) sees either
 * the old or the new bundle, never none.
 */
function pointAt(link: string, target: string): void {
  const next = `${link}.next`;
  rmSync(next, { force: true });
  symlinkSync(target, next, 'dir');
  renameSync(next, link);
}

/**
 * The plant's model bundles: the serving one behind `<dataDir>/model`, a candidate behind
 * `<dataDir>/model-shadow`, each bundle kept under `<dataDir>/models/<version>`.
 */
export class ModelStore {
  readonly layout: ModelStoreLayout;

  constructor(dataDir: string) {
    this.layout = modelStoreLayout(dataDir);
  }

  /**
   * Makes `<dataDir>/model` a link into `models/`: a bundle directory there (a data directory from
   * before the model loop, or a bundle just trained) moves to `models/<version>` first.
   */
  adoptServing(): string {
    const { servingLink, versionsDir } = this.layout;
    mkdirSync(versionsDir, { recursive: true });
    if (lstatSync(servingLink).isSymbolicLink()) return this.servingVersion();
    const version = bundleVersion(servingLink);
    const target = join(versionsDir, version);
    rmSync(target, { recursive: true, force: true });
    renameSync(servingLink, target);
    pointAt(servingLink, target);
    return version;
  }

  /** The serving bundle's version. */
  servingVersion(): string {
    return bundleVersion(this.layout.servingLink);
  }

  /** Where a new bundle of `version` goes; a leftover of an interrupted run is removed. */
  newBundleDir(version: string): string {
    const dir = join(this.layout.versionsDir, version);
    rmSync(dir, { recursive: true, force: true });
    return dir;
  }

  /** Puts the bundle of `version` in shadow. */
  startShadow(version: string): void {
    pointAt(this.layout.shadowLink, join(this.layout.versionsDir, version));
  }

  /** Ends the shadow (the runtime drops the candidate when the link goes). */
  endShadow(): void {
    rmSync(this.layout.shadowLink, { force: true });
  }

  /** The version in shadow, if any. */
  shadowVersion(): string | undefined {
    return existsSync(this.layout.shadowLink)
      ? basename(readlinkSync(this.layout.shadowLink))
      : undefined;
  }

  /** Makes the bundle of `version` serve (the runtime swaps it in) and ends the shadow. */
  promote(version: string): void {
    pointAt(this.layout.servingLink, join(this.layout.versionsDir, version));
    this.endShadow();
  }
}
