import { removeRunDirectory } from './run-directory';

/** Jest global teardown of every package (jest.base.js): see {@link removeRunDirectory}. */
export default async function globalTeardown(): Promise<void> {
  await removeRunDirectory();
}
