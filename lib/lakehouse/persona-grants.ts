/**
 * Who may read what in the Lakehouse, without the CDK: the persona roles and the Lake Formation
 * grants each gets. The governance construct creates these grants; `uns-mlops lake grants`
 * compares them with what Lake Formation holds, so the two read one definition.
 */

/** LF-tag keys of the Lakehouse (one Lakehouse per account: tag keys are account-wide). */
export const LF_TAG = { zone: 'zone', sensitivity: 'sensitivity', site: 'site' } as const;

/** `site` tag value of databases that hold every site's data. */
export const ALL_SITES = 'all';

/** Id of the construct under the Lakehouse that holds the persona roles it creates. */
export const PERSONA_ROLES_ID = 'Personas';

/** The people who query the Lakehouse, each with its own role. */
export const PERSONAS = ['data-scientist', 'analyst', 'plant-engineer'] as const;

/** One of {@link PERSONAS}. */
export type Persona = (typeof PERSONAS)[number];

/** A condition of an LF-tag expression: the tag key, and the one value it must have. */
export type LfTagCondition = readonly [key: string, value: string];

/** Catalog resources a grant written as an LF-tag expression applies to. */
export type LfTagResourceType = 'DATABASE' | 'TABLE';

/** What a persona may do on the resources of one type that its expression matches. */
export interface PersonaPermission {
  readonly resourceType: LfTagResourceType;
  readonly permissions: readonly string[];
}

/**
 * Every persona's permissions on the resources its expression matches: DESCRIBE on the databases,
 * SELECT and DESCRIBE on the tables.
 */
export const PERSONA_PERMISSIONS: readonly PersonaPermission[] = [
  { resourceType: 'DATABASE', permissions: ['DESCRIBE'] },
  { resourceType: 'TABLE', permissions: ['SELECT', 'DESCRIBE'] },
];

/** The Lake Formation grants of one persona role. */
export interface PersonaGrant {
  readonly persona: Persona;
  /** The plant engineer's site; {@link ALL_SITES} for the personas that read every site. */
  readonly site: string;
  /**
   * Construct id of the persona's role (under {@link PERSONA_ROLES_ID}) and, suffixed `Grants`, of
   * its grants under the governance construct: `DataScientist`, `Analyst`, `PlantEngineer-<site>`.
   */
  readonly id: string;
  /** What the role reads in one line, the created role's description. */
  readonly description: string;
  /** The LF-tag expression of its grants: a resource matches when it has every tag value. */
  readonly expression: readonly LfTagCondition[];
  /** What it may do on the matching databases and tables. */
  readonly permissions: readonly PersonaPermission[];
}

/**
 * The grants of every persona role of a Lakehouse over `siteIds`, written as LF-tag expressions so
 * that a new table is covered by its tags alone; in this order:
 * - data scientist: `zone=curated`;
 * - analyst: `zone=curated AND sensitivity=aggregate`;
 * - plant engineer of site S: `zone=curated AND site=S` (only the site-scoped database matches),
 *   one per site in the order of `siteIds`.
 */
export function personaGrants(siteIds: readonly string[]): PersonaGrant[] {
  const curated: LfTagCondition = [LF_TAG.zone, 'curated'];
  return [
    {
      persona: 'data-scientist',
      site: ALL_SITES,
      id: 'DataScientist',
      description: 'Lakehouse data scientist: reads every curated table',
      expression: [curated],
      permissions: PERSONA_PERMISSIONS,
    },
    {
      persona: 'analyst',
      site: ALL_SITES,
      id: 'Analyst',
      description: 'Lakehouse analyst: reads curated aggregate tables',
      expression: [curated, [LF_TAG.sensitivity, 'aggregate']],
      permissions: PERSONA_PERMISSIONS,
    },
    ...siteIds.map((siteId): PersonaGrant => ({
      persona: 'plant-engineer',
      site: siteId,
      id: `PlantEngineer-${siteId}`,
      description: `Lakehouse plant engineer of site ${siteId}: reads that site only`,
      expression: [curated, [LF_TAG.site, siteId]],
      permissions: PERSONA_PERMISSIONS,
    })),
  ];
}
