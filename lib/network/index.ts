export * from './uns-network';
export * from './cfn-lint';
