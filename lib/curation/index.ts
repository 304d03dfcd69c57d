export * from './lakehouse-curation';
export * from './lakehouse-curation-props';
export * from './validate-props';
export {
  CURATION_QUERIES,
  curationSql,
  type CurationDatabases,
  type CurationQuery,
  type CurationQueryName,
} from './sql';
