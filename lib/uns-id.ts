/**
 * Ids of UNS topic levels (site, area, line): safe in MQTT topics, S3 partition values, Lake
 * Formation tag values and (with hyphens as underscores) Glue and Athena names.
 */
export const UNS_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** The rule behind {@link UNS_ID_PATTERN}, phrased for error messages. */
export const UNS_ID_RULE =
  'must be 1-32 lowercase letters, digits or hyphens, starting with a letter (it is a UNS topic level)';

/** Turns a UNS id into a Glue/Athena identifier part (`mlada-boleslav` becomes `mlada_boleslav`). */
export function toGlueIdentifier(unsId: string): string {
  return unsId.replaceAll('-', '_');
}
