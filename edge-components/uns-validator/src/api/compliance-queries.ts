/**
 * The compliance API's reads: the SQL of `@uns-mlops/validation-store`, which the cloud's
 * compliance API runs too (over every plant's rows, each caller limited to its sites).
 */
export { ComplianceQueries } from '@uns-mlops/validation-store';
