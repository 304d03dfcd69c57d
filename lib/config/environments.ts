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
    mlPipeline: {
      // Dev models are approved on registration so the delivery pipeline can be tried end to end.
      modelApprovalStatus: 'Approved',
      scheduleExpression: 'cron(0 3 ? * MON *)',
      scheduleTimeZone: 'Europe/Berlin',
      processingInstanceType: 'ml.m5.large',
      trainingInstanceType: 'ml.m5.large',
      epochs: 20,
    },
    curation: {
      // Dev curates daily too, so every weekly training run finds labels; two days back.
      scheduleExpression: 'cron(30 2 * * ? *)',
      scheduleTimeZone: 'UTC',
      scheduleEnabled: true,
      lookbackDays: 2,
      maxConcurrentPartitions: 2,
    },
    modelMonitoring: {
      // Dev checks hourly over the last 6 hours and retrains at most once a day; nobody is paged.
      checkIntervalMinutes: 60,
      lookbackHours: 6,
      driftedShareThreshold: 0.5,
      retrainingCooldownHours: 24,
    },
    streaming: {
      cluster: { mode: 'serverless' },
      topicPartitions: 3,
      partitionOverrides: { 'uns.telemetry': 6 },
      vpcCidr: '10.40.0.0/16',
      availabilityZones: 2,
      plantCidrs: ['10.20.0.0/16'],
    },
    edgeRollout: {
      enterprise: 'acme',
      canary: { thingGroup: 'uns-mlops-dev-canary', siteId: 'zwickau' },
      waves: [['zwickau']],
      // Dev bakes briefly: a broken version should show within minutes.
      bakeMinutes: 5,
      gateTimeoutMinutes: 30,
    },
    complianceStore: {
      // One small instance in one zone, a week of backups, deletable with the stack.
      instanceType: 'db.t4g.small',
      multiAz: false,
      backupRetentionDays: 7,
      deletionProtection: false,
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 50,
      performanceInsightsRetentionDays: 7,
    },
    complianceApi: {
      // The pilot plant's country; a small API: a few testers, a few functions.
      allowedCountries: ['DE'],
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
      reservedConcurrency: 5,
    },
    alerts: {
      // Nobody is paged for dev: the alarms show in `uns-mlops status` and on the console.
      thresholds: { dailyScanBudgetGiB: 20, maxDatabaseConnections: 60, plantSilentMinutes: 30 },
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
        brokerUrl: 'mqtts://uns.zwickau.acme.example:8883',
      },
      {
        siteId: 'mlada-boleslav',
        displayName: 'Mlada Boleslav chassis plant',
        lines: [{ id: 'chassis-weld-1', area: 'chassis' }],
        greengrassThingGroup: 'uns-mlops-prod-mlada-boleslav',
        brokerUrl: 'mqtts://uns.mlada-boleslav.acme.example:8883',
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
    mlPipeline: {
      modelApprovalStatus: 'PendingManualApproval',
      scheduleExpression: 'cron(0 2 ? * SUN *)',
      scheduleTimeZone: 'Europe/Berlin',
      processingInstanceType: 'ml.m5.xlarge',
      trainingInstanceType: 'ml.m5.2xlarge',
      minRocAuc: 0.97,
      minF1: 0.9,
    },
    curation: {
      // A week back: inspections at the plants' quality stations may come days after the weld.
      scheduleExpression: 'cron(30 2 * * ? *)',
      scheduleTimeZone: 'UTC',
      scheduleEnabled: true,
      lookbackDays: 7,
      maxConcurrentPartitions: 4,
    },
    modelMonitoring: {
      // A retraining needs a person's approval in prod: at most one every two days.
      checkIntervalMinutes: 60,
      lookbackHours: 6,
      driftedShareThreshold: 0.5,
      retrainingCooldownHours: 48,
    },
    streaming: {
      cluster: {
        mode: 'provisioned',
        brokerInstanceType: 'kafka.m7g.large',
        brokerCount: 3,
        brokerStorageGiB: 1000,
        kafkaVersion: '3.8.x',
      },
      topicPartitions: 6,
      partitionOverrides: { 'uns.telemetry': 24 },
      vpcCidr: '10.50.0.0/16',
      availabilityZones: 3,
      plantCidrs: ['10.20.0.0/16', '10.21.0.0/16'],
    },
    edgeRollout: {
      enterprise: 'acme',
      canary: { thingGroup: 'uns-mlops-prod-canary', siteId: 'zwickau' },
      // The pilot plant first, the others after it has run the new versions.
      waves: [['zwickau'], ['mlada-boleslav']],
      bakeMinutes: 30,
      gateTimeoutMinutes: 90,
      kpis: { minValidSharePercent: 98 },
    },
    complianceStore: {
      instanceType: 'db.m7g.large',
      multiAz: true,
      backupRetentionDays: 35,
      deletionProtection: true,
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 1000,
      performanceInsightsRetentionDays: 7,
    },
    complianceApi: {
      // The plants' countries, where the plant engineers and the central quality team work.
      allowedCountries: ['DE', 'CZ'],
    },
    alerts: {
      // Put your team's address here; each address confirms its subscription once. Every alarm
      // of the environment (and the drift, rollout and gate outcomes) reaches it.
      notificationEmails: ['mlops-team@acme.example'],
      thresholds: { dailyScanBudgetGiB: 500, maxDatabaseConnections: 400 },
    },
  },
];
