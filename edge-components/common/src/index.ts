export * from './layered-config';
export * from './process-lifecycle';
