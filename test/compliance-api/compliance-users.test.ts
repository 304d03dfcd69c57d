import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ComplianceUsers,
  QUALITY_GROUP,
  siteGroupName,
  signInOrigins,
} from '../../lib/compliance-api';
import { newApp } from '../support/app';
import { only } from '../support/resources';
import { buildComplianceApi } from './stacks';

const dev = buildComplianceApi('dev');
const prod = buildComplianceApi('prod');
const devTemplate = dev.template();
const prodTemplate = prod.template();

const userPool = (template: Template) => only(template, 'AWS::Cognito::UserPool').resource;
const client = (template: Template) => only(template, 'AWS::Cognito::UserPoolClient').resource;
const distributionDomain = (template: Template) => ({
  'Fn::Join': [
    '',
    [
      'https://',
      { 'Fn::GetAtt': [only(template, 'AWS::CloudFront::Distribution').id, 'DomainName'] },
      '/',
    ],
  ],
});

describe('the user pool', () => {
  it('lets only administrators create users, who sign in with their e-mail address', () => {
    const { Properties } = userPool(prodTemplate);
    expect(Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(Properties.UsernameAttributes).toEqual(['email']);
    expect(Properties.UsernameConfiguration).toEqual({ CaseSensitive: false });
    expect(Properties.AutoVerifiedAttributes).toEqual(['email']);
    expect(Properties.AccountRecoverySetting).toEqual({
      RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }],
    });
  });

  it('requires passwords of 14 characters of four kinds, not one of the last 12', () => {
    expect(userPool(prodTemplate).Properties.Policies.PasswordPolicy).toEqual({
      MinimumLength: 14,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 3,
      PasswordHistorySize: 12,
    });
  });

  it('requires MFA with an authenticator app, never SMS', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const { Properties } = userPool(template);
      expect(Properties.MfaConfiguration).toBe('ON');
      expect(Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    }
  });

  it('is on the Plus plan with threat protection enforced: compromised and risky sign-ins are stopped', () => {
    const { Properties } = userPool(prodTemplate);
    expect(Properties.UserPoolTier).toBe('PLUS');
    expect(Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    const risk = only(prodTemplate, 'AWS::Cognito::UserPoolRiskConfigurationAttachment').resource
      .Properties;
    expect(risk.ClientId).toBe('ALL');
    expect(risk.CompromisedCredentialsRiskConfiguration).toEqual({
      Actions: { EventAction: 'BLOCK' },
      EventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
    });
    expect(risk.AccountTakeoverRiskConfiguration.Actions).toEqual({
      LowAction: { EventAction: 'MFA_IF_CONFIGURED', Notify: false },
      MediumAction: { EventAction: 'MFA_REQUIRED', Notify: false },
      HighAction: { EventAction: 'BLOCK', Notify: false },
    });
  });

  it('is deletion protected and retained in prod, deletable with the dev stack', () => {
    const prodPool = userPool(prodTemplate);
    expect(prodPool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(prodPool.DeletionPolicy).toBe('Retain');
    const devPool = userPool(devTemplate);
    expect(devPool.Properties.DeletionProtection).toBe('INACTIVE');
    expect(devPool.DeletionPolicy).toBe('Delete');
  });

  it('invites new users with the dashboard’s address', () => {
    const message =
      userPool(devTemplate).Properties.AdminCreateUserConfig.InviteMessageTemplate.EmailMessage[
        'Fn::Join'
      ][1];
    expect(message).toContainEqual({
      'Fn::GetAtt': [only(devTemplate, 'AWS::CloudFront::Distribution').id, 'DomainName'],
    });
    const text = message.filter((part: unknown) => typeof part === 'string').join('<url>');
    expect(text).toMatch(/dashboard at https:\/\/<url>\/ .*\{username\}.*\{####\}/);
  });
});

describe('the groups', () => {
  const groups = (template: Template) =>
    Object.values(template.findResources('AWS::Cognito::UserPoolGroup'))
      .map((group) => group.Properties.GroupName)
      .sort();

  it('are the quality team and one group per plant of the environment', () => {
    expect(groups(devTemplate)).toEqual([QUALITY_GROUP, 'uns-site-zwickau'].sort());
    expect(groups(prodTemplate)).toEqual(
      [QUALITY_GROUP, 'uns-site-mlada-boleslav', 'uns-site-zwickau'].sort(),
    );
    expect(QUALITY_GROUP).toBe('uns-quality');
    expect(siteGroupName('zwickau')).toBe('uns-site-zwickau');
  });

  it('follow config.plants, whatever the plants are', () => {
    const stack = new Stack(newApp(), 'Users', {
      env: { account: '123456789012', region: 'eu-central-1' },
    });
    new ComplianceUsers(stack, 'Users', {
      siteIds: ['a', 'b', 'c'],
      domainPrefix: 'test-prefix',
      dashboardUrl: 'https://compliance.acme.example/',
    });
    expect(groups(Template.fromStack(stack))).toEqual(
      [QUALITY_GROUP, 'uns-site-a', 'uns-site-b', 'uns-site-c'].sort(),
    );
  });

  it('refuses a pool without sites or with an unusable hosted UI prefix, listing both, creating nothing', () => {
    const stack = new Stack(newApp(), 'NoSites');
    expect(
      () =>
        new ComplianceUsers(stack, 'Users', {
          siteIds: [],
          domainPrefix: 'cognito-users',
          dashboardUrl: 'https://compliance.acme.example/',
        }),
    ).toThrow(/siteIds must list at least one site\n.*cognitoDomainPrefix "cognito-users"/);
    expect(stack.node.tryFindChild('Users')?.node.children ?? []).toHaveLength(0);
  });
});

describe('the hosted UI and the dashboard’s app client', () => {
  it('serves the hosted UI on the configured prefix domain (default uns-mlops-<env>-<account>)', () => {
    expect(only(devTemplate, 'AWS::Cognito::UserPoolDomain').resource.Properties.Domain).toBe(
      'uns-mlops-dev-111111111111',
    );
    expect(dev.stack.users.hostedUiUrl).toBe(
      'https://uns-mlops-dev-111111111111.auth.eu-central-1.amazoncognito.com',
    );
    expect(signInOrigins('eu-central-1', 'p')).toEqual({
      issuer: 'https://cognito-idp.eu-central-1.amazonaws.com',
      hostedUi: 'https://p.auth.eu-central-1.amazoncognito.com',
    });
  });

  it('is a public client: authorization code grant (with PKCE by the dashboard), no secret, no implicit grant', () => {
    const { Properties } = client(prodTemplate);
    expect(Properties.GenerateSecret).toBe(false);
    expect(Properties.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(Properties.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
    expect(Properties.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH']);
  });

  it('sends users back to the dashboard only, after sign-in and sign-out', () => {
    const { Properties } = client(devTemplate);
    expect(Properties.CallbackURLs).toEqual([distributionDomain(devTemplate)]);
    expect(Properties.LogoutURLs).toEqual([distributionDomain(devTemplate)]);
  });

  it('hides whether a user exists, makes tokens revocable and rotates refresh tokens', () => {
    const { Properties } = client(prodTemplate);
    expect(Properties.PreventUserExistenceErrors).toBe('ENABLED');
    expect(Properties.EnableTokenRevocation).toBe(true);
    expect(Properties.RefreshTokenRotation).toEqual({
      Feature: 'ENABLED',
      RetryGracePeriodSeconds: 10,
    });
  });

  it('issues one-hour ID and access tokens and twelve-hour refresh tokens', () => {
    const { Properties } = client(prodTemplate);
    expect(Properties).toMatchObject({
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 720,
      AuthSessionValidity: 5,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('names the issuer the API’s authorizer checks', () => {
    expect(prod.stack.resolve(prod.stack.users.issuerUrl)).toEqual({
      'Fn::Join': [
        '',
        [
          'https://cognito-idp.eu-central-1.amazonaws.com/',
          { Ref: only(prodTemplate, 'AWS::Cognito::UserPool').id },
        ],
      ],
    });
  });
});
