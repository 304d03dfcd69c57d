import type { EnvironmentConfig } from './environment';

/**
 * The environments this repository deploys. Edit the accounts, regions and plants to match yours;
 * `npx cdk synth -c env=<name>` validates the chosen entry and lists every problem at once.
 */
export const environments: readonly EnvironmentConfig[] = [
  {
    name: 'dev',
    account: '111111111111',
    region: 'eu-central-1',
    allowDestroy: true,
    plants: [
      {
        siteId: 'zwickau',
        displayName: 'Zwickau body shop (pilot)',
        lines: [{ id: 'body-weld-1', area: 'body-shop' }],
        greengrassThingGroup: 'uns-mlops-dev-zwickau',
      },
    ],
    lakehouse: {
      rawIntelligentTieringAfterDays: 0,
      rawGlacierInstantRetrievalAfterDays: 30,
      rawExpireAfterDays: 180,
      curatedIntelligentTieringAfterDays: 0,
      athenaResultsExpireAfterDays: 7,
      athenaBytesScannedCutoffGiB: 10,
      lakeFormationAdminRoleArns: [],
    },
  },
  {
    name: 'prod',
    account: '222222222222',
    region: 'eu-central-1',
    allowDestroy: false,
    plants: [
      {
        siteId: 'zwickau',
        displayName: 'Zwickau body shop',
        lines: [
          { id: 'body-weld-1', area: 'body-shop' },
          { id: 'body-weld-2', area: 'body-shop' },
        ],
        greengrassThingGroup: 'uns-mlops-prod-zwickau',
      },
      {
        siteId: 'mlada-boleslav',
        displayName: 'Mlada Boleslav chassis plant',
        lines: [{ id: 'chassis-weld-1', area: 'chassis' }],
        greengrassThingGroup: 'uns-mlops-prod-mlada-boleslav',
      },
    ],
    lakehouse: {
      rawIntelligentTieringAfterDays: 0,
      rawGlacierInstantRetrievalAfterDays: 90,
      curatedIntelligentTieringAfterDays: 30,
      athenaResultsExpireAfterDays: 30,
      athenaBytesScannedCutoffGiB: 100,
      lakeFormationAdminRoleArns: [],
    },
  },
];
