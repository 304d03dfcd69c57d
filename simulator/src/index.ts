export * from './random';
export * from './signals';
export * from './defects';
export * from './drift';
export * from './gmaw-model';
export * from './simulator';
export * from './mqtt-publisher';
export * from './dataset-writer';
export { main, USAGE } from './main';
