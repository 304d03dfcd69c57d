import { createRunDirectory } from './run-directory';

/** Jest global setup of every package (jest.base.js): see {@link createRunDirectory}. */
export default function globalSetup(): void {
  createRunDirectory();
}
