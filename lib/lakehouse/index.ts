export * from './lakehouse';
export * from './lakehouse-props';
export type { LakehouseCatalog, LakehouseDatabase, LakehouseTables } from './catalog';
export type { LakehouseAnalytics } from './analytics';
export type { LakehouseGovernance, PersonaRoles } from './governance';
export type { LakehouseStorage } from './storage';
export {
  inZone,
  LAKEHOUSE_TABLES,
  type LakehouseTableDefinition,
  type LakehouseZone,
  type Sensitivity,
} from './tables';
