export { ERROR_KINDS, type ErrorKind } from './error-kinds';
export {
  applyMigrations,
  MIGRATIONS_DIRECTORY,
  readMigrations,
  type Migration,
} from './migrations';
export { connectPostgres, type SqlClient, type SqlExecutor, type SqlRow } from './sql-client';
