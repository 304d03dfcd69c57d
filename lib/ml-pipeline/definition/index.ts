export * from './expressions';
export * from './parameters';
export * from './steps';
export * from './pipeline-definition';
