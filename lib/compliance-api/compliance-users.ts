import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { complianceApiSettingsProblems, rejectProblems } from './validate-props';

/** Cognito group of the central quality team: reads every site (the Lake Formation analyst persona). */
export const QUALITY_GROUP = 'uns-quality';

/** Cognito group of one site's plant engineers: reads that site only. */
export function siteGroupName(siteId: string): string {
  return `uns-site-${siteId}`;
}

/** The OAuth scopes the dashboard asks for, in the order of its `config.json` `auth.scope`. */
export const DASHBOARD_OAUTH_SCOPES = ['openid', 'email', 'profile'] as const;

/**
 * The origins a browser calls while signing in: the user pool's OpenID issuer (discovery
 * document, keys) and the hosted UI (token endpoint). Built from the region and the domain prefix
 * alone, so a content security policy can name them before the user pool exists.
 */
export function signInOrigins(
  region: string,
  domainPrefix: string,
): { issuer: string; hostedUi: string } {
  return {
    issuer: `https://cognito-idp.${region}.amazonaws.com`,
    hostedUi: `https://${domainPrefix}.auth.${region}.amazoncognito.com`,
  };
}

/** Properties of {@link ComplianceUsers}. */
export interface ComplianceUsersProps {
  /** The sites of the environment: each gets a group `uns-site-<siteId>`. At least one. */
  readonly siteIds: readonly string[];
  /**
   * Prefix of the hosted UI domain, `https://<prefix>.auth.<region>.amazoncognito.com` (unique in
   * the region across AWS accounts).
   */
  readonly domainPrefix: string;
  /**
   * The dashboard's address, `https://<host>/`: the app client's only callback and sign-out URL,
   * and the link in the invitation e-mail.
   */
  readonly dashboardUrl: string;
  /**
   * Whether the user pool refuses to be deleted until this is switched off.
   * @default true - a stack deletion or replacement cannot drop the users.
   */
  readonly deletionProtection?: boolean;
  /**
   * What happens to the user pool when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long a refresh token keeps a dashboard signed in without a new sign-in (with MFA).
   * @default Duration.hours(12) - one working day.
   */
  readonly refreshTokenValidity?: Duration;
}

/**
 * The people who read the compliance API: an Amazon Cognito user pool per environment, with the
 * groups that decide which sites each person sees, the hosted UI and the dashboard's app client.
 *
 * - No self sign-up: administrators create users (`admin-create-user`), who sign in with their
 *   e-mail address, a password of at least 14 characters of four kinds (the last 12 not reused)
 *   and a TOTP authenticator app (MFA required; no SMS).
 * - Plus feature plan with threat protection enforced: compromised credentials are blocked, risky
 *   sign-ins need MFA or are blocked.
 * - Groups: {@link QUALITY_GROUP} (every site) and `uns-site-<siteId>` per plant; the API reads
 *   them from the token's `cognito:groups` claim.
 * - The dashboard's client: authorization code grant with PKCE, no client secret, the dashboard
 *   as its only callback and sign-out URL, user existence errors hidden, tokens revocable,
 *   refresh tokens rotated.
 *
 * Cognito encrypts its user data at rest with keys of its own: a user pool takes no
 * customer-managed key (its `customSenderKmsKey` only serves custom e-mail/SMS sender triggers,
 * which this pool does not use).
 */
export class ComplianceUsers extends Construct {
  /** The user pool of the environment's compliance readers. */
  readonly userPool: cognito.UserPool;
  /** The hosted UI domain. */
  readonly domain: cognito.UserPoolDomain;
  /** The group of the central quality team. */
  readonly qualityGroup: cognito.UserPoolGroup;
  /** The group of each site's plant engineers, by site id. */
  readonly siteGroups: ReadonlyMap<string, cognito.UserPoolGroup>;
  /** The dashboard's app client (public: authorization code + PKCE, no secret). */
  readonly dashboardClient: cognito.UserPoolClient;
  /** The OpenID issuer of the user pool's tokens, `https://cognito-idp.<region>.amazonaws.com/<id>`. */
  readonly issuerUrl: string;
  /** The hosted UI's origin, `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly hostedUiUrl: string;

  constructor(scope: Construct, id: string, props: ComplianceUsersProps) {
    super(scope, id);
    rejectProblems(this, [
      ...(props.siteIds.length === 0 ? ['siteIds must list at least one site'] : []),
      ...complianceApiSettingsProblems({ cognitoDomainPrefix: props.domainPrefix }),
    ]);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 12,
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your access to the UNS compliance dashboard',
        emailBody: `You can now read the UNS compliance dashboard at ${props.dashboardUrl} . Sign in with {username} and the temporary password {####} within 3 days; you will choose a new password and set up an authenticator app.`,
      },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });
    // The issuer as the tokens name it (`iss`), which the API's JWT authorizer checks too.
    const origins = signInOrigins(Stack.of(this).region, props.domainPrefix);
    this.issuerUrl = `${origins.issuer}/${this.userPool.userPoolId}`;

    // Threat protection's answers: compromised passwords are refused, risky sign-ins need MFA
    // (every user has it) and high-risk ones are blocked. No e-mail notification: it needs SES.
    new cognito.CfnUserPoolRiskConfigurationAttachment(this, 'ThreatProtection', {
      userPoolId: this.userPool.userPoolId,
      clientId: 'ALL',
      compromisedCredentialsRiskConfiguration: {
        actions: { eventAction: 'BLOCK' },
        eventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
      },
      accountTakeoverRiskConfiguration: {
        actions: {
          lowAction: { eventAction: 'MFA_IF_CONFIGURED', notify: false },
          mediumAction: { eventAction: 'MFA_REQUIRED', notify: false },
          highAction: { eventAction: 'BLOCK', notify: false },
        },
      },
    });

    this.qualityGroup = new cognito.UserPoolGroup(this, 'QualityGroup', {
      userPool: this.userPool,
      groupName: QUALITY_GROUP,
      description: 'Central quality team: reads the compliance of every site',
    });
    this.siteGroups = new Map(
      props.siteIds.map((siteId) => [
        siteId,
        new cognito.UserPoolGroup(this, `SiteGroup-${siteId}`, {
          userPool: this.userPool,
          groupName: siteGroupName(siteId),
          description: `Plant engineers of site ${siteId}: read the compliance of this site only`,
        }),
      ]),
    );

    this.domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });
    this.hostedUiUrl = origins.hostedUi;

    this.dashboardClient = this.userPool.addClient('DashboardClient', {
      userPoolClientName: 'uns-compliance-dashboard',
      generateSecret: false,
      // The hosted UI signs users in; the client itself allows SRP only (no plain passwords).
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [props.dashboardUrl],
        logoutUrls: [props.dashboardUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      authSessionValidity: Duration.minutes(5),
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: props.refreshTokenValidity ?? Duration.hours(12),
      // A refresh returns a new refresh token and invalidates the old one after 10 s (retries).
      refreshTokenRotationGracePeriod: Duration.seconds(10),
    });
  }
}
