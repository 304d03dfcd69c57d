import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The forward-only SQL migrations of the validation store, shared by the edge and the cloud. */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'validation-store', 'migrations');

/**
 * The version of a migration set: a SHA-256 over the name and content of every `*.sql` file of
 * `dir`, in name order (the order they are applied). It changes whenever a migration is added,
 * renamed or edited, so the schema custom resource gets an Update and applies what is new; it
 * stays the same on every machine for the same files.
 *
 * @throws Error when the folder is missing or holds no `*.sql` file.
 */
export function migrationsVersion(dir: string = MIGRATIONS_DIR): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(
      `The validation store migrations folder ${dir} does not exist: the compliance store applies the *.sql files there on deploy.`,
    );
  }
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort();
  if (files.length === 0) {
    throw new Error(`The validation store migrations folder ${dir} holds no *.sql file.`);
  }
  const hash = createHash('sha256');
  for (const file of files) {
    const content = readFileSync(join(dir, file));
    // Length-prefixed, so moving text from the end of one file to the start of the next counts.
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}
