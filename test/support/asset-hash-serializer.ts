/**
 * Jest snapshot serializer that replaces asset hashes (64 hex characters, as CDK names asset
 * objects and bootstrap parameters) so snapshots do not change with the machine or the bundler.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;

export function test(value: unknown): boolean {
  return typeof value === 'string' && new RegExp(ASSET_HASH).test(value);
}

export function serialize(value: string): string {
  return JSON.stringify(value.replace(ASSET_HASH, '[ASSET-HASH]'));
}
