/**
 * Helpers for the store's SQL (`WHERE` clauses with numbered parameters, checked decoding of the
 * values PGlite and node-postgres return), shared with the compliance API's queries.
 */
export { Conditions, count, date, payloadEncoding, text, texts } from '@uns-mlops/validation-store';
